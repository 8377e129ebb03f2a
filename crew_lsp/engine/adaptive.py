"""The `implementation` workflow's adaptive plan (docs/runs.md, Planning; docs/formats.md, Workflows with behaviour).

After `assess` completes, its output is searched for the plan: the block between the markers, else
the text after the start marker, else the first fenced block. Strict parsing accepts only exact team
roles and at most 12 tasks; when it fails, a repair pass closes brackets, drops trailing commas,
maps role aliases, drops unknown roles and cuts to 12 tasks. Valid phases are injected as tasks
`adaptive-NN-<role>`, each phase depending on every task of the previous one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crew_lsp.engine.model import TaskState
from crew_lsp.resources.jsonread import JsonReadError, loads
from crew_lsp.resources.names import list_names

START = "ADAPTIVE_PLAN_JSON_START"
END = "ADAPTIVE_PLAN_JSON_END"
MAX_TASKS = 12
ALIASES = {
    "developer": "executor", "implementer": "executor", "coder": "executor", "engineer": "executor",
    "tester": "test-engineer", "qa": "test-engineer", "test": "test-engineer",
    "researcher": "explorer", "scout": "explorer",
    "security": "security-reviewer", "security-review": "security-reviewer",
    "code-reviewer": "reviewer", "review": "reviewer", "code-review": "reviewer",
    "analysis": "analyst", "analyzer": "analyst",
}
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n(.*?)(?:\n```|\Z)", re.S)
_SLUG = re.compile(r"[^a-z0-9-]+")


class AdaptivePlanError(ValueError):
    pass


@dataclass(slots=True)
class AdaptiveTask:
    role: str
    title: str
    task: str


@dataclass(slots=True)
class AdaptivePhase:
    name: str
    tasks: list[AdaptiveTask] = field(default_factory=list)


@dataclass(slots=True)
class AdaptivePlan:
    phases: list[AdaptivePhase]
    repaired: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return sum(len(p.tasks) for p in self.phases)

    def to_dict(self) -> dict:
        return {
            "phases": [{"name": p.name, "tasks": [{"role": t.role, "title": t.title, "task": t.task} for t in p.tasks]} for p in self.phases],
            "repaired": self.repaired, "notes": self.notes,
        }


def extract(output: str) -> str | None:
    """The plan's JSON text inside a step output, or None."""
    start = output.find(START)
    if start >= 0:
        rest = output[start + len(START):]
        end = rest.find(END)
        return (rest[:end] if end >= 0 else rest).strip()
    fence = _FENCE.search(output)
    return fence.group(1).strip() if fence else None


def _shape(value: object) -> list[tuple[str, list]]:
    if isinstance(value, dict) and isinstance(value.get("phases"), list):
        out = []
        for n, phase in enumerate(value["phases"], 1):
            if not isinstance(phase, dict) or not isinstance(phase.get("tasks"), list):
                raise AdaptivePlanError(f"phase {n} has no `tasks` list")
            out.append((str(phase.get("name") or f"phase-{n}"), phase["tasks"]))
        return out
    if isinstance(value, dict) and isinstance(value.get("tasks"), list):
        return [("tasks", value["tasks"])]
    if isinstance(value, list):
        return [("tasks", value)]
    raise AdaptivePlanError('expected {"phases": [...]} or a top-level "tasks" array')


def _task(raw: object, where: str) -> AdaptiveTask:
    if not isinstance(raw, dict):
        raise AdaptivePlanError(f"{where} is not an object")
    role, title, task = raw.get("role"), raw.get("title"), raw.get("task")
    if not isinstance(role, str) or not role.strip():
        raise AdaptivePlanError(f"{where} has no role")
    if not isinstance(task, str) or not task.strip():
        raise AdaptivePlanError(f"{where} has no task text")
    return AdaptiveTask(role.strip(), title.strip() if isinstance(title, str) else "", task.strip())


def parse_strict(text: str, roles: set[str]) -> AdaptivePlan:
    try:
        value = loads(text)
    except JsonReadError as exc:
        raise AdaptivePlanError(str(exc)) from None
    phases = []
    for name, raw_tasks in _shape(value):
        tasks = [_task(t, f"task {i + 1} of phase '{name}'") for i, t in enumerate(raw_tasks)]
        for t in tasks:
            if t.role not in roles:
                known = list_names(sorted(roles), quote="'")
                raise AdaptivePlanError(f"role '{t.role}' is not a role of the team ({known})")
        if tasks:
            phases.append(AdaptivePhase(name, tasks))
    plan = AdaptivePlan(phases)
    if plan.task_count == 0:
        raise AdaptivePlanError("the plan has no tasks")
    if plan.task_count > MAX_TASKS:
        raise AdaptivePlanError(f"the plan has {plan.task_count} tasks; at most {MAX_TASKS} are allowed")
    return plan


def _close_json(text: str) -> str:
    """Drop trailing commas and close the brackets and string a truncated or sloppy block left open."""
    text = re.sub(r",\s*([}\]])", r"\1", text.strip())
    stack: list[str] = []
    in_str = escape = False
    for ch in text:
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack and stack[-1] == ch:
            stack.pop()
    if in_str:
        text += '"'
    text = re.sub(r",\s*$", "", text)
    return text + "".join(reversed(stack))


def repair(text: str, roles: set[str]) -> AdaptivePlan:
    notes: list[str] = []
    try:
        value = loads(text)
    except JsonReadError:
        try:
            value = loads(_close_json(text))
        except JsonReadError as exc:
            raise AdaptivePlanError(f"{exc} (even after repair)") from None
        notes.append("closed unbalanced brackets")
    phases: list[AdaptivePhase] = []
    total = 0
    for name, raw_tasks in _shape(value):
        phase = AdaptivePhase(name)
        for i, raw in enumerate(raw_tasks):
            try:
                task = _task(raw, f"task {i + 1} of phase '{name}'")
            except AdaptivePlanError as exc:
                notes.append(f"dropped {exc}")
                continue
            role = task.role if task.role in roles else ALIASES.get(task.role.lower(), task.role.lower())
            if role not in roles:
                notes.append(f"dropped a task with unknown role '{task.role}'")
                continue
            if role != task.role:
                notes.append(f"mapped role '{task.role}' to '{role}'")
                task.role = role
            if total >= MAX_TASKS:
                notes.append(f"cut the plan to {MAX_TASKS} tasks")
                break
            phase.tasks.append(task)
            total += 1
        if phase.tasks:
            phases.append(phase)
    if not phases:
        raise AdaptivePlanError("no valid task left after repair")
    return AdaptivePlan(phases, repaired=True, notes=list(dict.fromkeys(notes)))


def plan_from_output(output: str, roles: set[str]) -> AdaptivePlan:
    """Extract, parse strictly, repair when strict parsing fails; AdaptivePlanError when nothing is usable."""
    text = extract(output)
    if text is None:
        raise AdaptivePlanError(f"no plan found: expected a JSON block between {START} and {END}")
    try:
        return parse_strict(text, roles)
    except AdaptivePlanError as strict_error:
        try:
            plan = repair(text, roles)
        except AdaptivePlanError as exc:
            raise AdaptivePlanError(f"{strict_error}; {exc}") from None
        plan.notes.insert(0, f"strict parsing failed: {strict_error}")
        return plan


def inject(plan: AdaptivePlan, after: TaskState, agents: dict[str, str], start: int = 1) -> list[TaskState]:
    """Tasks for the plan: phase 1 depends on `after`, each later phase on every task of the one before."""
    out: list[TaskState] = []
    previous = [after.id]
    n = start
    for phase in plan.phases:
        current = []
        for t in phase.tasks:
            slug = _SLUG.sub("-", t.role.lower()).strip("-") or "task"
            tid = f"adaptive-{n:02d}-{slug}"
            text = f"{t.title}\n\n{t.task}" if t.title else t.task
            out.append(TaskState(
                id=tid, step_id=tid, role=t.role, agent=agents.get(t.role, t.role), depends_on=list(previous),
                title=t.title, task=text, output=f"{tid}.md", phase=phase.name,
            ))
            current.append(tid)
            n += 1
        previous = current
    return out
