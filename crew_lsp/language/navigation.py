"""Go to definition and find references (steps, roles, agents, workflows, skills); rename is in rename.py."""

from __future__ import annotations

from crew_lsp.language.info import agent_for, role_pool
from crew_lsp.language.locate import At, field_spec, locate, meta_items, name_span
from crew_lsp.language.types import Location
from crew_lsp.resources.frontmatter import csv_items
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.skill_names import known_skills
from crew_lsp.resources.team import Role
from crew_lsp.resources.text import Span
from crew_lsp.resources.versions import BASELINE, Reading
from crew_lsp.resources.workflow import Workflow

FILE_START = Span(0, 0, 0, 0)

# ------------------------------------------------------------------------------------- targets
# A target is what the cursor names: ("agent", name) | ("step", step_id) | ("role", name) |
# ("workflow", name) | ("skill", name) | ("reads", file)


def cursor_target(res: Resource, at: At | None, line: int, reading: Reading = BASELINE) -> tuple[str, str] | None:
    if at is None:
        if line == 0 and res.kind in ("agent", "workflow"):
            return res.kind, res.name
        return None
    kind = at.kind
    if kind in ("fm-key", "fm-value"):
        key = at.entry.key  # type: ignore[union-attr]
        spec = field_spec(res.kind, key, reading)
        canonical = spec.alias_of or spec.name if spec else key
        if canonical == "name" and res.kind in ("agent", "workflow", "skill"):
            return res.kind, res.name
        if kind == "fm-value" and res.kind == "team" and canonical == "defaultWorkflow":
            return "workflow", at.text
        if kind == "fm-value" and spec is not None and spec.kind == "skills" and at.item is not None:
            return "skill", at.item.text
        return None
    if kind == "role-name":
        return "role", at.text
    if kind == "role-value":
        if at.token.key == "agent":  # type: ignore[union-attr]
            return "agent", at.text
        if at.token.key == "skills" and at.item is not None:  # type: ignore[union-attr]
            return "skill", at.item.text
        return None
    if kind == "step-id":
        return "step", at.text
    if kind == "step-value":
        key = at.meta.key  # type: ignore[union-attr]
        if key == "role":
            return "role", at.text
        if key == "dependsOn" and at.item is not None:
            return "step", at.item.text
        if key == "skills" and at.item is not None:
            return "skill", at.item.text
        if key == "reads" and at.item is not None:
            return "reads", at.item.text
    return None


def teams_of(snap: Snapshot, agent: str | None = None, workflow: str | None = None) -> list[Resource]:
    """Every team file by path; with `agent` or `workflow`, only those naming it (told by their facts:
    a compacted team is not parsed again to find it does not)."""
    return sorted((r for r in snap.resources.values() if r.kind == "team" and (agent is None or agent in r.role_agents)
                   and (workflow is None or r.team_workflow == workflow)), key=lambda r: r.path)


def _role_ref_span(role: Role) -> Span:
    token = role.tokens.get("agent")
    return token.value_span if token is not None else role.name_span


def _agent_location(snap: Snapshot, name: str) -> Location | None:
    agent, _state = agent_for(snap, name)
    return Location(agent.path, name_span(agent)) if agent is not None else None


# ---------------------------------------------------------------------------------- definition


def definition(res: Resource, snap: Snapshot, line: int, character: int) -> list[Location]:
    at = locate(res, line, character, snap.workspace.reading)
    if at is None:
        return []
    if at.kind == "role-name":
        role = at.role
        assert role is not None
        if "agent" in role.tokens:
            return []
        loc = _agent_location(snap, role.agent)
        return [loc] if loc else []
    target = cursor_target(res, at, line, snap.workspace.reading)
    if target is None:
        return []
    kind, name = target
    if kind == "agent":
        loc = _agent_location(snap, name)
        return [loc] if loc else []
    if kind == "workflow":
        wf = snap.workflows.get(name)
        return [Location(wf.path, name_span(wf))] if wf is not None and wf.path != res.path else []
    if kind == "skill":
        skill = known_skills(snap.skills, snap.workspace.reading.version).get(name)
        return [Location(skill.path, FILE_START)] if skill is not None else []
    if kind == "role" and res.kind == "workflow":
        owners = role_pool(snap, res.name).get(name, [])
        return [Location(team.path, role.name_span) for team, role in owners]
    if kind == "step" and res.kind == "workflow" and at.kind != "step-id":
        wf: Workflow = res.model  # type: ignore[assignment]
        return [Location(res.path, s.id_span) for s in wf.steps if s.id == name]
    if kind == "reads" and res.kind == "workflow":
        wf = res.model  # type: ignore[assignment]
        out = []
        for s in wf.steps:  # type: ignore[union-attr]
            if s.output == name:
                meta = s.meta.get("output")
                out.append(Location(res.path, meta.value_span if meta is not None and meta.value else s.id_span))
        return out
    return []


# ---------------------------------------------------------------------------------- references


def references(res: Resource, snap: Snapshot, line: int, character: int, include_declaration: bool) -> list[Location]:
    at = locate(res, line, character, snap.workspace.reading)
    target = cursor_target(res, at, line, snap.workspace.reading)
    if target is None:
        return []
    kind, name = target
    out: list[Location] = []
    if kind == "agent":
        agent, _ = agent_for(snap, name)
        if res.kind == "agent":
            agent = res
        if include_declaration and agent is not None:
            out.append(Location(agent.path, name_span(agent)))
        for team in teams_of(snap, agent=name):
            for role in team.model.roles:  # type: ignore[union-attr]
                if role.agent == name:
                    out.append(Location(team.path, _role_ref_span(role)))
    elif kind == "step" and res.kind == "workflow":
        wf: Workflow = res.model  # type: ignore[assignment]
        if include_declaration:
            out += [Location(res.path, s.id_span) for s in wf.steps if s.id == name]
        for s in wf.steps:
            for item in s.depends_on:
                if item.text == name:
                    out.append(Location(res.path, item.span))
    elif kind == "workflow":
        wf_res = res if res.kind == "workflow" else snap.workflows.get(name)
        if include_declaration and wf_res is not None:
            out.append(Location(wf_res.path, name_span(wf_res)))
        for team in teams_of(snap, workflow=name):
            if team.model.workflow == name:  # type: ignore[union-attr]
                entry = team.doc.frontmatter.fields.get("defaultWorkflow") or team.doc.frontmatter.fields.get("workflow")  # type: ignore[union-attr]
                out.append(Location(team.path, entry.value_span if entry is not None and entry.value else name_span(team)))
    elif kind == "role":
        out = _role_references(res, snap, name, include_declaration)
    elif kind == "skill":
        out = _skill_references(snap, name)
    return _unique(out)


def _role_references(res: Resource, snap: Snapshot, name: str, include_declaration: bool) -> list[Location]:
    out: list[Location] = []
    if res.kind == "team":
        teams = [res]
        workflows = [w for w in [snap.workflows.get(res.model.workflow)] if w is not None]  # type: ignore[union-attr]
    else:
        teams = [t for t, _ in role_pool(snap, res.name).get(name, [])]
        workflows = [res]
    if include_declaration:
        for team in teams:
            out += [Location(team.path, r.name_span) for r in team.model.roles if r.name == name]  # type: ignore[union-attr]
    for wf in workflows:
        for step in wf.model.steps:  # type: ignore[union-attr]
            meta = step.meta.get("role")
            if meta is not None and meta.value == name:
                out.append(Location(wf.path, meta.value_span))
            elif (meta is None or not meta.value) and step.id == name:
                out.append(Location(wf.path, step.id_span))
    return out


def _skill_references(snap: Snapshot, name: str) -> list[Location]:
    out: list[Location] = []
    for res in sorted((r for r in snap.resources.values() if name in r.skill_names), key=lambda r: r.path):
        if res.kind == "agent":
            for key in ("skills", "skill"):
                entry = res.doc.frontmatter.fields.get(key)  # type: ignore[union-attr]
                if entry is not None:
                    out += [Location(res.path, i.span) for i in csv_items(entry) if i.text == name]
        elif res.kind == "team":
            for role in res.model.roles:  # type: ignore[union-attr]
                out += [Location(res.path, i.span) for i in role.skills or [] if i.text == name]
        elif res.kind == "workflow":
            for step in res.model.steps:  # type: ignore[union-attr]
                meta = step.meta.get("skills")
                if meta is not None:
                    out += [Location(res.path, i.span) for i in meta_items(meta) if i.text == name]
    return out


def _unique(locations: list[Location]) -> list[Location]:
    seen = set()
    out = []
    for loc in locations:
        key = (loc.path, loc.span)
        if key not in seen:
            seen.add(key)
            out.append(loc)
    return out
