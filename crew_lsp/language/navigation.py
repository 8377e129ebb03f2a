"""Go to definition, find references, and rename (steps, roles, agents)."""

from __future__ import annotations

import re

from crew_lsp.language.info import agent_for, role_pool
from crew_lsp.language.locate import At, field_spec, locate, meta_items, name_span
from crew_lsp.language.types import Location, RenameRefused, TextEdit, WorkspaceEdit
from crew_lsp.resources.frontmatter import csv_items
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.team import Role, Team
from crew_lsp.resources.text import Span, col16, index_of_col16
from crew_lsp.resources.workflow import Step, Workflow, task_id

_STEP_ID = re.compile(r"[a-z][a-z0-9-]*\Z")
_NAME = re.compile(r"[A-Za-z0-9_.-]+\Z")
_START = Span(0, 0, 0, 0)

# ------------------------------------------------------------------------------------- targets
# A target is what the cursor names: ("agent", name) | ("step", step_id) | ("role", name) |
# ("workflow", name) | ("skill", name) | ("reads", file)


def _target(res: Resource, at: At | None, line: int) -> tuple[str, str] | None:
    if at is None:
        if line == 0 and res.kind in ("agent", "workflow"):
            return res.kind, res.name
        return None
    kind = at.kind
    if kind in ("fm-key", "fm-value"):
        key = at.entry.key  # type: ignore[union-attr]
        spec = field_spec(res.kind, key)
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


def _teams_of(snap: Snapshot) -> list[Resource]:
    return sorted((r for r in snap.resources.values() if r.kind == "team"), key=lambda r: r.path)


def _role_ref_span(role: Role) -> Span:
    token = role.tokens.get("agent")
    return token.value_span if token is not None else role.name_span


def _agent_location(snap: Snapshot, name: str) -> Location | None:
    agent, _state = agent_for(snap, name)
    return Location(agent.path, name_span(agent)) if agent is not None else None


# ---------------------------------------------------------------------------------- definition


def definition(res: Resource, snap: Snapshot, line: int, character: int) -> list[Location]:
    at = locate(res, line, character)
    if at is None:
        return []
    if at.kind == "role-name":
        role = at.role
        assert role is not None
        if "agent" in role.tokens:
            return []
        loc = _agent_location(snap, role.agent)
        return [loc] if loc else []
    target = _target(res, at, line)
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
        skill = snap.skills.get(name)
        return [Location(skill.path, _START)] if skill is not None else []
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
    at = locate(res, line, character)
    target = _target(res, at, line)
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
        for team in _teams_of(snap):
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
        for team in _teams_of(snap):
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
    for res in sorted(snap.resources.values(), key=lambda r: r.path):
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


# -------------------------------------------------------------------------------------- rename


def _rename_target(res: Resource, snap: Snapshot, line: int, character: int) -> tuple[str, str, Span]:
    """(kind, old name, span to rename) or RenameRefused."""
    at = locate(res, line, character)
    target = _target(res, at, line)
    if at is None or target is None or target[0] not in ("agent", "step", "role"):
        raise RenameRefused("Nothing to rename here: put the cursor on a step id, a `dependsOn` item, a role, an `agent=` value or an agent's `name`.")
    kind, name = target
    span = at.item.span if at.item is not None else at.span
    if kind == "agent":
        if res.kind == "agent" and at.kind == "fm-key":
            span = at.entry.value_span  # type: ignore[union-attr]
        agent = res if res.kind == "agent" else agent_for(snap, name)[0]
        if agent is None:
            raise RenameRefused(f"No agent `{name}` is known, so there is nothing to rename.")
        if agent.scope == "builtin":
            raise RenameRefused(f"`{agent.name}` is a builtin agent ({agent.path}): builtin resources cannot be renamed.")
        winner = snap.losers.get(agent.path)
        if winner is not None:
            raise RenameRefused(f"This agent is ignored: `{winner.name}` ({winner.scope}, {winner.path}) replaces it, so references do not point here.")
        if not span.end > span.start:
            raise RenameRefused("The agent has no `name:` value here; rename it from an `agent=` reference.")
        return kind, agent.name, span
    if res.scope == "builtin":
        raise RenameRefused(f"{res.path} is a builtin {res.kind}: builtin resources cannot be renamed.")
    if kind == "step":
        if res.model.step(name) is None:  # type: ignore[union-attr]
            raise RenameRefused(f"No step `{name}` in this workflow.")
        return kind, name, span
    return kind, name, span


def prepare_rename(res: Resource, snap: Snapshot, line: int, character: int) -> Span:
    kind, name, span = _rename_target(res, snap, line, character)
    if kind == "role":
        _role_plan(res, snap, name)  # refuses early (builtin teams or workflows involved)
    return span


def rename(res: Resource, snap: Snapshot, line: int, character: int, new_name: str) -> WorkspaceEdit:
    kind, old, _span = _rename_target(res, snap, line, character)
    new = new_name.strip()
    if new == old:
        return WorkspaceEdit()
    if kind == "step":
        return _rename_step(res, old, new)
    if kind == "role":
        return _rename_role(res, snap, old, new)
    return _rename_agent(res, snap, old, new)


class _Edits:
    def __init__(self) -> None:
        self.edit = WorkspaceEdit()

    def add(self, path: str, span: Span, text: str) -> None:
        edits = self.edit.changes.setdefault(path, [])
        if not any(e.span == span and e.new_text == text for e in edits):
            edits.append(TextEdit(span, text))

    def done(self) -> WorkspaceEdit:
        for edits in self.edit.changes.values():
            edits.sort(key=lambda e: (e.span.line, e.span.start, e.span.end_line, e.span.end))
        return self.edit


def _newline(res: Resource) -> str:
    return "\r\n" if res.doc is not None and res.doc.crlf else "\n"


def _insert_meta(wf_res: Resource, step: Step, key: str, value: str) -> tuple[Span, str] | None:
    """An edit adding ``key: value`` to a step's metadata block; None when it would change which headings are steps."""
    wf: Workflow = wf_res.model  # type: ignore[assignment]
    nl = _newline(wf_res)
    if not step.explicit and not any(s.explicit for s in wf.steps):
        if any(not _STEP_ID.match(h.text) for h in wf.headings if h.line != step.heading_line):
            return None  # the step would become explicit and other headings would fold into text
    if step.meta_entries:
        first = step.meta_entries[0].line
        return Span(first, 0, first, 0), f"{key}: {value}{nl}"
    lines = wf_res.doc.lines  # type: ignore[union-attr]
    at = step.id_line + 1
    blank_after = at >= len(lines) or not lines[at].strip()
    if at >= len(lines):
        end = len(lines[-1])
        return Span(len(lines) - 1, end, len(lines) - 1, end), f"{nl}{key}: {value}{nl}"
    return Span(at, 0, at, 0), f"{key}: {value}{nl}" + ("" if blank_after else nl)


def _check_id(new: str, what: str) -> None:
    if not new or any(c.isspace() for c in new) or "," in new:
        raise RenameRefused(f"`{new}` is not a valid {what}: no whitespace or commas.")


def _rename_step(res: Resource, old: str, new: str) -> WorkspaceEdit:
    _check_id(new, "step id")
    wf: Workflow = res.model  # type: ignore[assignment]
    if wf.step(new) is not None:
        raise RenameRefused(f"The workflow already has a step `{new}`.")
    edits = _Edits()
    for step in wf.steps:
        if step.id == old:
            if any(s.explicit for s in wf.steps) and not step.explicit and not _STEP_ID.match(new):
                raise RenameRefused(f"`{new}` would not be a step: a heading without metadata must match `[a-z][a-z0-9-]*`.")
            edits.add(res.path, step.id_span, new)
            role = step.meta.get("role")
            if role is None or not role.value:
                if role is not None:
                    edits.add(res.path, role.value_span, old)
                else:
                    insert = _insert_meta(res, step, "role", old)
                    if insert is None:
                        raise RenameRefused(f"Step `{old}` takes its role from its id; add `role: {old}` before renaming it.")
                    edits.add(res.path, *insert)
            output = step.meta.get("output")
            if output is None or not output.value:
                old_file, new_file = f"{step.task_id}.md", f"{task_id(step.index, new)}.md"
                for other in wf.steps:
                    meta = other.meta.get("reads")
                    if meta is not None:
                        for item in meta_items(meta):
                            if item.text == old_file:
                                edits.add(res.path, item.span, new_file)
        for item in step.depends_on:
            if item.text == old:
                edits.add(res.path, item.span, new)
    return edits.done()


def _role_plan(res: Resource, snap: Snapshot, name: str) -> tuple[list[Resource], list[Resource]]:
    """The teams whose role ``name`` is renamed and the workflows they run; refuses builtin ones."""
    if res.kind == "team":
        wf = snap.workflows.get(res.model.workflow)  # type: ignore[union-attr]
        workflows = [wf] if wf is not None else []
        teams = [res]
    else:
        workflows = [res]
        teams = [t for t in snap.teams_running(res.name) if t.model.role(name) is not None]  # type: ignore[union-attr]
        if not teams:
            raise RenameRefused(f"No team running `{res.name}` defines the role `{name}`.")
    for wf in workflows:
        # every team running the workflow keeps its roles in step with the workflow
        for team in snap.teams_running(wf.name):
            if team not in teams and team.model.role(name) is not None:  # type: ignore[union-attr]
                teams.append(team)
    for r in workflows + teams:
        if r.scope == "builtin" and (r.kind == "team" or _uses_role(r, name)):
            raise RenameRefused(f"Role `{name}` is used by the builtin {r.kind} `{r.name}` ({r.path}), which cannot be edited.")
    return teams, workflows


def _uses_role(wf: Resource, name: str) -> bool:
    return any(s.role == name for s in wf.model.steps)  # type: ignore[union-attr]


def _rename_role(res: Resource, snap: Snapshot, old: str, new: str) -> WorkspaceEdit:
    if not _NAME.match(new):
        raise RenameRefused(f"`{new}` is not a valid role name: use letters, digits, `-`, `_` or `.`.")
    teams, workflows = _role_plan(res, snap, old)
    edits = _Edits()
    for team in teams:
        model: Team = team.model  # type: ignore[assignment]
        if model.role(new) is not None:
            raise RenameRefused(f"Team `{team.name}` already has a role `{new}`.")
        for role in model.roles:
            if role.name != old:
                continue
            edits.add(team.path, role.name_span, new)
            if "agent" not in role.tokens:  # the role name was also the agent: keep the agent
                _add_agent_token(edits, team, role, old)
    for wf in workflows:
        for step in wf.model.steps:  # type: ignore[union-attr]
            meta = step.meta.get("role")
            if meta is not None and meta.value == old:
                edits.add(wf.path, meta.value_span, new)
            elif (meta is None or not meta.value) and step.id == old:
                if meta is not None:
                    edits.add(wf.path, meta.value_span, new)
                    continue
                insert = _insert_meta(wf, step, "role", new)
                if insert is None:
                    raise RenameRefused(f"Step `{step.id}` takes its role from its id; add `role: {old}` to it first.")
                edits.add(wf.path, *insert)
    return edits.done()


def _add_agent_token(edits: _Edits, team: Resource, role: Role, agent: str) -> None:
    end = role.name_span
    if role.has_colon:
        line = team.doc.lines[role.line]  # type: ignore[union-attr]
        colon_idx = line.index(":", index_of_col16(line, end.end))
        col = col16(line, colon_idx + 1)
        edits.add(team.path, Span(role.line, col, role.line, col), f" agent={agent}")
    else:
        edits.add(team.path, Span(role.line, end.end, role.line, end.end), f": agent={agent}")


def _rename_agent(res: Resource, snap: Snapshot, old: str, new: str) -> WorkspaceEdit:
    if not _NAME.match(new):
        raise RenameRefused(f"`{new}` is not a valid agent name: use letters, digits, `-`, `_` or `.`.")
    agent = res if res.kind == "agent" else agent_for(snap, old)[0]
    assert agent is not None
    for other in snap.resources.values():
        if other.kind == "agent" and other.path != agent.path and other.name.lower() == new.lower():
            raise RenameRefused(f"An agent named `{other.name}` already exists ({other.scope}, {other.path}).")
    edits = _Edits()
    fm = agent.doc.frontmatter  # type: ignore[union-attr]
    entry = fm.fields.get("name")
    nl = _newline(agent)
    if entry is not None and entry.value:
        edits.add(agent.path, entry.value_span, new)
    elif entry is not None:
        edits.add(agent.path, Span(entry.line, entry.value_span.start, entry.line, entry.value_span.start), (" " if not entry.raw.endswith(" ") else "") + new)
    elif fm.present:
        edits.add(agent.path, Span(1, 0, 1, 0), f"name: {new}{nl}")
    elif fm.hidden_by is None and not fm.unclosed:
        edits.add(agent.path, _START, f"---{nl}name: {new}{nl}---{nl}")
    else:
        raise RenameRefused(f"The frontmatter of {agent.path} is not read by pi-crew (CREW101/CREW102); fix it first.")
    for team in _teams_of(snap):
        if team.scope == "builtin":
            continue
        for role in team.model.roles:  # type: ignore[union-attr]
            if role.agent != old:
                continue
            token = role.tokens.get("agent")
            if token is not None:
                for t in role.all_tokens:  # earlier duplicates too, so the line stays consistent
                    if t.key == "agent" and t.value == old:
                        edits.add(team.path, t.value_span, new)
            else:
                _add_agent_token(edits, team, role, new)
    return edits.done()
