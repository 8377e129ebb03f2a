"""From files to tasks (docs/runs.md, Planning): resolve team and workflow, validate, and lay out the tasks.

A plan is pure data: it says what would run, in which order and with which limits, and it is what
`crew-lsp plan` prints. Nothing here touches the run store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crew_lsp.engine.config import EngineConfig, effective_concurrency
from crew_lsp.engine.model import TaskState
from crew_lsp.engine.validate import PlanError, PlanIssue, StepFacts, checker_issues, merge_issues, minimal_issues
from crew_lsp.resources.fields import THINKING_LEVELS
from crew_lsp.resources.names import list_names
from crew_lsp.resources.workflow import task_id as make_task_id

ADAPTIVE_WORKFLOW = "implementation"
ASSESS_STEP = "assess"


@dataclass(slots=True)
class RoleInfo:
    name: str
    agent: str
    model: str | None = None
    skills: list[str] | None = None
    skills_disabled: bool = False
    thinking: str | None = None  # the role line's `thinking=` (read from pi-crew 0.9.60 on): overrides the agent's

    def to_dict(self) -> dict:
        out = {"agent": self.agent, "model": self.model, "skills": self.skills, "skillsDisabled": self.skills_disabled}
        if self.thinking is not None:
            out["thinking"] = self.thinking
        return out

    @classmethod
    def from_dict(cls, name: str, data: dict) -> RoleInfo:
        thinking = data.get("thinking")
        return cls(name, data.get("agent") or name, data.get("model"), data.get("skills"), bool(data.get("skillsDisabled")),
                   thinking if isinstance(thinking, str) else None)


@dataclass(slots=True)
class Plan:
    team: str
    workflow: str
    goal: str
    tasks: list[TaskState]
    roles: dict[str, RoleInfo]
    concurrency: int
    workspace_mode: str = "single"
    agent: str | None = None  # direct agent run
    team_path: str | None = None
    workflow_path: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def adaptive(self) -> bool:
        return self.workflow == ADAPTIVE_WORKFLOW and any(t.step_id == ASSESS_STEP for t in self.tasks)

    def waves(self) -> list[list[str]]:
        return waves(self.tasks)

    def to_dict(self) -> dict:
        wave_of = {tid: n for n, wave in enumerate(self.waves(), 1) for tid in wave}
        return {
            "team": self.team, "workflow": self.workflow, "goal": self.goal, "agent": self.agent,
            "concurrency": self.concurrency, "workspaceMode": self.workspace_mode, "adaptive": self.adaptive,
            "tasks": [
                {"id": t.id, "stepId": t.step_id, "role": t.role, "agent": t.agent, "dependsOn": t.depends_on,
                 "output": t.output, "reads": t.reads, "model": t.model, "verify": t.verify, "wave": wave_of.get(t.id)}
                for t in self.tasks
            ],
            "waves": self.waves(), "warnings": self.warnings,
        }


def dep_index(tasks: list[TaskState]) -> dict[str, str]:
    """Dependency names → task id: a dependency may name a step id or a task id (docs/runs.md, Scheduling)."""
    index = {t.id: t.id for t in tasks}
    for t in tasks:
        index.setdefault(t.step_id, t.id)
    return index


def waves(tasks: list[TaskState]) -> list[list[str]]:
    """Tasks grouped by depth (wave n can start once waves < n are done); cycles are left out.

    A task's depth is worked out after its dependencies' with an explicit stack, not recursion, so a
    chain of any length works. A dependency still on the stack closes a cycle: depth -1, which every
    task depending on it inherits.
    """
    index = dep_index(tasks)
    by_id = {t.id: t for t in tasks}
    depth: dict[str, int] = {}

    def deps_of(tid: str) -> list[str]:
        return [index[d] for d in by_id[tid].depends_on if d in index]

    for task in tasks:
        if task.id in depth:
            continue
        on_stack = {task.id}
        frames = [(task.id, iter(deps_of(task.id)))]
        while frames:
            tid, pending = frames[-1]
            for dep in pending:
                if dep not in depth and dep not in on_stack:
                    on_stack.add(dep)
                    frames.append((dep, iter(deps_of(dep))))
                    break
            else:
                frames.pop()
                on_stack.discard(tid)
                levels = [depth.get(d, -1) for d in deps_of(tid)]  # no depth yet: on the stack, a cycle
                depth[tid] = -1 if any(x < 0 for x in levels) else (max(levels) + 1 if levels else 0)

    out: list[list[str]] = []
    for t in tasks:
        n = depth[t.id]
        if n >= 0:
            while len(out) <= n:
                out.append([])
            out[n].append(t.id)
    return out


def load_snapshot(folder: str | Path, pi_crew_version: str | None = None):
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index

    return Index.load(Workspace.discover(folder, pi_crew_version=pi_crew_version)).snapshot


def _role_infos(team_model: Any) -> dict[str, RoleInfo]:
    roles: dict[str, RoleInfo] = {}
    for role in team_model.roles:
        if role.name in roles:
            continue  # duplicate role names: pi-crew keeps the first match
        skills = None if role.skills is None else [i.text for i in role.skills]
        thinking = role.thinking if role.thinking in THINKING_LEVELS else None  # (another value is ignored, as pi-crew does)
        roles[role.name] = RoleInfo(role.name, role.agent, role.model, skills, role.skills_disabled, thinking)
    return roles


def _agent_issues(snap: Any, roles: dict[str, RoleInfo], used: set[str], path: str | None) -> list[PlanIssue]:
    issues = []
    for name in sorted(used):
        info = roles.get(name)
        if info is None or snap.agent(info.agent) is not None:
            continue
        if info.agent.lower() in getattr(snap, "disabled_agents", {}):
            issues.append(PlanIssue("CREW207", 1, f"Role '{name}' uses the disabled agent '{info.agent}'.", path))
        else:
            issues.append(PlanIssue("CREW201", 1, f"Role '{name}' references the unknown agent '{info.agent}'.", path))
    return issues


def build_plan(
    snap: Any, cfg: EngineConfig, *, goal: str, team: str | None = None, workflow: str | None = None,
    agent: str | None = None,
) -> Plan:
    """Resolve and validate; raises PlanError with the diagnostics when no run may be created."""
    if not goal or not goal.strip():
        raise PlanError([PlanIssue(None, 1, "A goal is required.")])
    if agent:
        return _direct_plan(snap, cfg, goal, agent)
    team_name = team or "default"
    team_res = snap.teams.get(team_name)
    if team_res is None:
        known = list_names(sorted(snap.teams), quote="'")
        raise PlanError([PlanIssue(None, 1, f"Unknown team '{team_name}' (teams: {known}).")])
    tm = team_res.model
    wf_name = workflow or tm.default_workflow or "default"
    wf_res = snap.workflows.get(wf_name)
    if wf_res is None:
        known = list_names(sorted(snap.workflows), quote="'")
        raise PlanError([PlanIssue("CREW202", 1, f"Unknown workflow '{wf_name}' (workflows: {known}).", team_res.path)])
    wf = wf_res.model
    roles = _role_infos(tm)
    facts = [
        StepFacts(
            s.id, s.role, [i.text for i in s.depends_on], s.output, [i.text for i in (s.csv("reads") or [])],
            s.task_id, tuple(s.id_span.as_list()),
        )
        for s in wf.steps
    ]
    # CREW301 is recomputed against the team actually chosen (a workflow may be run by any team);
    # CREW202 does not matter when the workflow is named explicitly.
    skip = {"CREW301"} | ({"CREW202"} if workflow else set())
    team_errs, _ = checker_issues(team_res, snap, skip)
    wf_errs, _ = checker_issues(wf_res, snap, skip)
    own = minimal_issues(facts, roles, team_name, wf_res.path)
    own += _agent_issues(snap, roles, {f.role for f in facts}, team_res.path)
    issues = merge_issues(team_errs + wf_errs, own)
    if issues:
        raise PlanError(issues)
    tasks = []
    for s in wf.steps:
        model = s.meta.get("model")
        tasks.append(TaskState(
            id=s.task_id, step_id=s.id, role=s.role, agent=roles[s.role].agent if s.role in roles else s.role,
            depends_on=[i.text for i in s.depends_on], task=s.task, output=s.output,
            reads=[i.text for i in (s.csv("reads") or [])], model=model.value if model is not None and model.value else None,
            skills=s.skills, verify=s.flag("verify") is True,
            parallel_group=(s.meta["parallelGroup"].value if "parallelGroup" in s.meta else None),
        ))
    _check_task_limit(cfg, len(tasks))
    plan = Plan(
        team=team_name, workflow=wf_name, goal=goal, tasks=tasks, roles=roles,
        concurrency=effective_concurrency(cfg, tm.max_concurrency, wf.max_concurrency, wf_name),
        workspace_mode=tm.workspace_mode, team_path=team_res.path, workflow_path=wf_res.path,
    )
    if tm.workspace_mode == "worktree":
        plan.warnings.append("workspaceMode worktree is not supported yet: tasks run in the workspace folder.")
    return plan


def _direct_plan(snap: Any, cfg: EngineConfig, goal: str, agent: str) -> Plan:
    """A synthetic team `direct-<agent>` with one role and one step whose task is `{goal}`."""
    res = snap.agent(agent)
    if res is None:
        code = "CREW207" if agent.lower() in getattr(snap, "disabled_agents", {}) else "CREW201"
        known = list_names(sorted(r.name for r in snap.agents.values()), quote="'")
        raise PlanError([PlanIssue(code, 1, f"Unknown or disabled agent '{agent}' (agents: {known}).")])
    roles = {agent: RoleInfo(agent, agent)}
    step_id = agent
    tid = make_task_id(0, step_id)
    facts = [StepFacts(step_id, agent, [], f"{tid}.md", [], tid)]
    issues = minimal_issues(facts, roles, f"direct-{agent}")
    if issues:
        raise PlanError(issues)
    task = TaskState(id=tid, step_id=step_id, role=agent, agent=agent, depends_on=[], task="{goal}", output=f"{tid}.md")
    _check_task_limit(cfg, 1)
    return Plan(
        team=f"direct-{agent}", workflow="direct", goal=goal, tasks=[task], roles=roles,
        concurrency=effective_concurrency(cfg, None, None, "direct"), agent=agent,
    )


def _check_task_limit(cfg: EngineConfig, count: int) -> None:
    if cfg.max_tasks_per_run is not None and count > cfg.max_tasks_per_run:
        raise PlanError([PlanIssue(None, 1, f"The run has {count} tasks; limits.maxTasksPerRun is {cfg.max_tasks_per_run}.")])
