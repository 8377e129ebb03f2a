"""Rename steps, roles and agents across the workspace (refusing what would break or touch builtins)."""

from __future__ import annotations

import re

from crew_lsp.language.info import agent_for
from crew_lsp.language.locate import locate, meta_items
from crew_lsp.language.navigation import FILE_START, cursor_target, teams_of
from crew_lsp.language.types import RenameRefused, TextEdit, WorkspaceEdit
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.team import Role, Team
from crew_lsp.resources.text import Span, col16, index_of_col16
from crew_lsp.resources.workflow import Step, Workflow, task_id

_STEP_ID = re.compile(r"[a-z][a-z0-9-]*\Z")
_NAME = re.compile(r"[A-Za-z0-9_.-]+\Z")


def _rename_target(res: Resource, snap: Snapshot, line: int, character: int) -> tuple[str, str, Span]:
    """(kind, old name, span to rename) or RenameRefused."""
    at = locate(res, line, character, snap.workspace.reading)
    target = cursor_target(res, at, line, snap.workspace.reading)
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
        edits.add(agent.path, FILE_START, f"---{nl}name: {new}{nl}---{nl}")
    else:
        raise RenameRefused(f"The frontmatter of {agent.path} is not read by pi-crew (CREW101/CREW102); fix it first.")
    for team in teams_of(snap, agent=old):
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
