"""Which files to re-check after one file changed: looked up by name, never by a walk over the workspace.

The snapshot keeps, per name, the files that declare it and the teams that reference it (agents by
role line, workflows by `defaultWorkflow`), plus the references that do not resolve. A new or
vanished name re-checks the files of its slot, the files naming it, and the unresolved references
whose did-you-mean it may enter or leave.
"""

from __future__ import annotations

from crew_lsp.resources.fold import FILES, Change, key_of
from crew_lsp.resources.similar import close

TYPE_CHECKING = False
if TYPE_CHECKING:
    from crew_lsp.resources.snapshot import Snapshot
    from crew_lsp.resources.model import Resource


def identity(res: Resource | None) -> tuple | None:
    """What an edit must keep for no other file's diagnostics to change through names and scopes."""
    if res is None:
        return None
    extra: object = None
    if res.kind == "team":
        extra = (res.team_workflow, res.role_names, res.role_agents)
    elif res.kind == "config":
        extra = res.text
    return (res.kind, res.scope, res.name, res.disabled, extra)


def _files(snap: Snapshot, kind: str, name: str) -> tuple:
    return getattr(snap, FILES[kind]).get(name.lower() if kind == "agent" else name, ())


def dependents(prev: Snapshot, snap: Snapshot, path: str, old: Resource | None, new: Resource | None, change: Change) -> set[str]:
    """The paths whose diagnostics may change when `old` becomes `new` at `path` (the path included)."""
    out = {path}
    if identity(old) == identity(new) and new is not None:
        _content_dependents(snap, new, out)
        return out
    kinds = {r.kind for r in (old, new) if r is not None}
    if "config" in kinds:
        return out | set(snap.resources)  # (agent switches: every file's checks may read them)
    if not kinds & FILES.keys():
        return out  # (the repository's AGENTS.md: no other file reads it)
    for res in (old, new):
        if res is not None:  # shadowing, duplicates, case clashes: the slot's files before and after
            for s in (prev, snap):
                out.update(r.path for r in _files(s, res.kind, key_of(res)))
    names = {r.name for r in (old, new) if r is not None}
    if "agent" in kinds:
        for low in {n.lower() for n in names}:
            out.update(snap.agent_refs.get(low, ()))
        came_or_went = change.names_out["agents"] | change.names_in["agents"]
        _near(snap.unresolved_agents, came_or_went, out)  # their did-you-mean may change
        if came_or_went or change.disabled_changed:
            out.update(r.path for r in snap.configs)  # their `agents.overrides` keys name agents (drift)
    if "team" in kinds:
        workflows = {"default"} | change.runners_changed | {r.team_workflow for r in (old, new) if r is not None}
        for w in workflows:
            out.update(r.path for r in snap.workflow_files.get(w, ()))
        if change.roles_changed:  # workflows no team runs check their roles against every team's
            for s in (prev, snap):
                for w in s.unrun_workflows:
                    out.update(r.path for r in snap.workflow_files.get(w, ()))
    if "workflow" in kinds:
        for w in names:
            out.update(snap.workflow_refs.get(w, ()))
            # a team without `defaultWorkflow` is offered one of its own name when that workflow exists
            out.update(t.path for t in snap.team_files.get(w, ()) if t.default_workflow is None)
        _near(snap.unresolved_workflows, change.names_out["workflows"] | change.names_in["workflows"], out)
    if "skill" in kinds:
        for name in names:
            out.update(snap.skill_refs.get(name, ()))
        _near(snap.unresolved_skills, change.names_out["skills"] | change.names_in["skills"], out)
    return out


def _content_dependents(snap: Snapshot, res: Resource, out: set[str]) -> None:
    """An edit that kept the names: what other files show of this one (roles, positions of names)."""
    if res.kind == "team":
        out.update(r.path for r in snap.workflow_files.get(res.team_workflow, ()))
    elif res.kind == "workflow" and snap.workflows.get(res.name) is res:
        out.update(snap.workflow_refs.get(res.name, ()))  # teams of another scope check their roles against its steps


def _near(unresolved, names: set[str], out: set[str]) -> None:
    """Add the referencing files of every unresolved name that one of `names` is close to."""
    if not names:
        return
    for word, paths in unresolved.items():
        if any(close(word, name) for name in names):
            out.update(paths)
