"""Why a run is refused: the checker's errors plus the engine's own minimal graph checks (docs/runs.md, Planning).

The minimal checks run for every plan, also for synthetic (direct agent) runs and adaptive
injections that no checker has seen. Codes are the checker's (docs/codes.md), so a refused run and the
editor show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from crew_lsp.engine.state import UnsafePath, check_relative
from crew_lsp.resources.names import MAX_CYCLE_EDGES, cycle_path, list_names


@dataclass(slots=True, frozen=True)
class PlanIssue:
    code: str | None
    severity: int  # 1 error, 2 warning, 3 information, 4 hint (LSP)
    message: str
    path: str | None = None
    range: tuple[int, int, int, int] | None = None  # line, character, end line, end character (0-based)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message, "path": self.path}
        if self.range is not None:
            a, b, c, d = self.range
            out["range"] = {"start": {"line": a, "character": b}, "end": {"line": c, "character": d}}
        return out

    def __str__(self) -> str:
        where = self.path or ""
        if self.range is not None:
            where += f":{self.range[0] + 1}:{self.range[1] + 1}"
        code = f" {self.code}" if self.code else ""
        return f"{where}: error{code}: {self.message}" if where else f"error{code}: {self.message}"


class PlanError(ValueError):
    """No run is created: the issues say why."""

    def __init__(self, issues: list[PlanIssue]):
        self.issues = issues
        super().__init__("; ".join(i.message for i in issues) or "invalid run")


@dataclass(slots=True)
class StepFacts:
    """What the minimal checks need of a step, whatever it came from."""

    id: str
    role: str
    depends_on: list[str]
    output: str | None
    reads: list[str]
    task_id: str
    span: tuple[int, int, int, int] | None = None


def _span(obj: Any) -> tuple[int, int, int, int] | None:
    span = getattr(obj, "span", None) or getattr(obj, "range", None)
    if span is None:
        return None
    try:
        if hasattr(span, "as_list"):
            return tuple(span.as_list())  # type: ignore[return-value]
        if hasattr(span, "start") and hasattr(span.start, "line"):
            return (span.start.line, span.start.character, span.end.line, span.end.character)
        return tuple(span)  # type: ignore[arg-type]
    except (TypeError, AttributeError):
        return None


def minimal_issues(
    steps: list[StepFacts], roles: Iterable[str], team: str, path: str | None = None,
) -> list[PlanIssue]:
    """Duplicate ids, unknown roles, unknown dependencies, cycles and unsafe shared paths."""
    issues: list[PlanIssue] = []

    def err(code: str, msg: str, span=None) -> None:
        issues.append(PlanIssue(code, 1, msg, path, span))

    if not steps:
        err("CREW312", "The workflow has no steps.")
        return issues
    role_set = set(roles)
    seen: dict[str, StepFacts] = {}
    for step in steps:
        if step.id in seen:
            err("CREW304", f"Duplicate step id '{step.id}'.", step.span)
        seen.setdefault(step.id, step)
    by_task = {s.task_id: s for s in steps}
    for step in steps:
        if step.role not in role_set:
            listed = list_names(sorted(role_set), quote="'")
            err("CREW301", f"Step '{step.id}' uses role '{step.role}', which team '{team}' does not define (roles: {listed}).", step.span)
        for dep in step.depends_on:
            if dep not in seen and dep not in by_task:
                hint = " (missing comma?)" if " " in dep.strip() else ""
                err("CREW302", f"Step '{step.id}' depends on unknown step '{dep}'{hint}.", step.span)
        for what, names in (("output", [step.output] if step.output else []), ("reads", step.reads)):
            for name in names:
                try:
                    check_relative(name, what)
                except UnsafePath as exc:
                    err("CREW308", f"Step '{step.id}': {exc}; shared files must stay inside the run's shared folder.", step.span)
    for cycle in find_cycles(steps):
        text = cycle_path(cycle[:-1])
        for sid in dict.fromkeys(cycle):
            err("CREW303", f"Dependency cycle: {text}.", seen[sid].span)
    return issues


def find_cycles(steps: list[StepFacts]) -> list[list[str]]:
    """Each distinct cycle once, as a path that returns to its start (``a -> b -> a``).

    A depth-first walk with its own stack (no recursion, so any length of chain works), stopping once
    the cycles found hold MAX_CYCLE_EDGES steps (the messages list only a few of them).
    """
    ids = {s.id: s for s in steps}
    by_task = {s.task_id: s.id for s in steps}
    graph = {s.id: [d if d in ids else by_task.get(d, d) for d in s.depends_on] for s in steps}
    state: dict[str, int] = {}  # absent: unseen, 1: on the current path, 2: done
    path: list[str] = []
    at: dict[str, int] = {}  # node -> its position in `path`
    cycles: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    budget = MAX_CYCLE_EDGES
    for root in ids:
        if root in state:
            continue
        state[root], at[root] = 1, 0
        path.append(root)
        frames = [iter(graph[root])]
        while frames:
            for dep in frames[-1]:
                if dep not in ids:
                    continue
                if state.get(dep) == 1:
                    cyc = path[at[dep]:] + [dep]
                    key = frozenset(cyc)
                    if key not in seen_sets:
                        seen_sets.add(key)
                        cycles.append(cyc)
                        budget -= len(cyc)
                        if budget <= 0:
                            return cycles
                elif dep not in state:
                    state[dep], at[dep] = 1, len(path)
                    path.append(dep)
                    frames.append(iter(graph[dep]))
                    break
            else:
                frames.pop()
                state[path.pop()] = 2
    return cycles


def checker_issues(resource: Any, snapshot: Any, skip_codes: set[str]) -> tuple[list[PlanIssue], bool]:
    """Errors the editor's checker reports on a file; (issues, whether the checker exists)."""
    try:
        from crew_lsp.checks import check_resource  # the checker is optional for the engine
    except ImportError:
        return [], False
    try:
        found = check_resource(resource, snapshot)
    except Exception:  # a checker bug must not hide the engine's own checks
        return [], False
    out = []
    for diag in found:
        if getattr(diag, "severity", 1) != 1 or getattr(diag, "code", None) in skip_codes:
            continue
        out.append(PlanIssue(getattr(diag, "code", None), 1, str(getattr(diag, "message", "")), resource.path, _span(diag)))
    return out, True


def merge_issues(checker: list[PlanIssue], minimal: list[PlanIssue]) -> list[PlanIssue]:
    """The checker's errors first; the engine's own only where the checker said nothing of that code."""
    covered = {(i.code, i.path) for i in checker}
    return checker + [i for i in minimal if (i.code, i.path) not in covered]
