"""Hover: field documentation, and what a reference (agent, role, step, skill, workflow) resolves to."""

from __future__ import annotations

from crew_lsp.language.info import (
    ROLE_KEYS,
    agent_for,
    agent_markdown,
    code,
    field_markdown,
    key_markdown,
    first_task_line,
    role_markdown,
    role_pool,
    skill_info,
    step_markdown,
)
from crew_lsp.language.locate import At, field_spec, locate
from crew_lsp.language.types import Hover
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.workflow import Workflow


def hover(res: Resource, snap: Snapshot, line: int, character: int) -> Hover | None:
    at = locate(res, line, character, snap.workspace.reading)
    if at is None:
        return None
    text = _markdown(res, snap, at)
    return Hover(text, at.item.span if at.item is not None else at.span) if text else None


def _markdown(res: Resource, snap: Snapshot, at: At) -> str | None:
    kind = at.kind
    if kind == "fm-key":
        return key_markdown(res.kind, at.text, snap.workspace.reading, snap.workspace.detection)
    if kind == "fm-value":
        return _fm_value(res, snap, at)
    if kind == "role-name":
        return role_markdown(res, at.role, snap)  # type: ignore[arg-type]
    if kind == "role-key":
        return f"**{at.text}=** — {ROLE_KEYS[at.text]}" if at.text in ROLE_KEYS else None
    if kind == "role-value":
        key = at.token.key  # type: ignore[union-attr]
        if key == "agent":
            return _agent(snap, at.text)
        if key == "skills" and at.item is not None:
            return _skill(snap, at.item.text)
        return f"**{key}=** — {ROLE_KEYS[key]}" if key in ROLE_KEYS else None
    if kind == "step-id":
        return step_markdown(at.step)  # type: ignore[arg-type]
    if kind == "step-key":
        text = key_markdown("step", at.text, snap.workspace.reading, snap.workspace.detection)
        return text or f"`{at.text}` is not a step key: pi-crew stores it and ignores it."
    if kind == "step-value":
        return _step_value(res, snap, at)
    if kind == "placeholder":
        if at.text == "goal":
            return "**{goal}** — replaced by the goal the run was started with."
        return f"`{{{at.text}}}` is not a placeholder: only `{{goal}}` is replaced; this text stays verbatim."
    if kind in ("config-key", "config-value"):
        from crew_lsp.language import configinfo as ci

        path = at.path
        while path and path[-1] == "[]":
            path = path[:-1]
        f = ci.field_at(path)
        return ci.markdown(path, f) if f is not None else None
    return None


def _fm_value(res: Resource, snap: Snapshot, at: At) -> str | None:
    entry = at.entry
    assert entry is not None
    reading = snap.workspace.reading
    spec = field_spec(res.kind, entry.key, reading)
    if spec is None:
        return None
    key = spec.alias_of or spec.name
    if res.kind == "team" and key == "defaultWorkflow":
        wf = snap.workflows.get(at.text)
        if wf is None:
            return f"No workflow {code(at.text)} is known: the team cannot run."
        desc = wf.doc.frontmatter.get("description") if wf.doc else None
        steps = ", ".join(code(s.id) for s in wf.model.steps)  # type: ignore[union-attr]
        return f"**workflow {code(wf.name)}** ({wf.scope})\n\n{desc or 'No description provided.'}\n\nsteps: {steps}\n\n`{wf.path}`"
    if spec.kind == "skills" and at.item is not None:
        return _skill(snap, at.item.text)
    return field_markdown(spec, reading.since.get((res.kind, key), ""))


def _agent(snap: Snapshot, name: str) -> str:
    agent, state = agent_for(snap, name)
    if agent is None:
        return f"No agent {code(name)} is known (names are case-sensitive)."
    head = f"**agent {code(agent.name)}** ({agent.scope}{', disabled' if state == 'disabled' else ''})"
    return agent_markdown(agent, head)


def _skill(snap: Snapshot, name: str) -> str:
    found = skill_info(snap, name)
    if found is None:
        return f"No skill {code(name)} is known: the prompt will say it is missing."
    return found[1]


def _step_value(res: Resource, snap: Snapshot, at: At) -> str | None:
    meta, step = at.meta, at.step
    assert meta is not None and step is not None
    wf: Workflow = res.model  # type: ignore[assignment]
    if meta.key == "role":
        pool = role_pool(snap, res.name)
        owners = pool.get(meta.value)
        if not owners:
            return f"No team running `{res.name}` defines the role {code(meta.value)}."
        return "\n\n---\n\n".join(role_markdown(team, role, snap) for team, role in owners)
    if meta.key == "dependsOn" and at.item is not None:
        target = wf.step(at.item.text)
        if target is None:
            return f"No step {code(at.item.text)} in this workflow."
        return f"**step {code(target.id)}** — task `{target.task_id}`, role {code(target.role)}\n\n> {first_task_line(target)}"
    if meta.key == "skills" and at.item is not None:
        return _skill(snap, at.item.text)
    if meta.key == "reads" and at.item is not None:
        writers = [s for s in wf.steps if s.output == at.item.text]
        if writers:
            return f"Shared file {code(at.item.text)}, written by step " + ", ".join(code(s.id) for s in writers) + "."
        return f"No step of this workflow writes {code(at.item.text)}."
    spec = snap.workspace.reading.step_fields.get(meta.key)
    return field_markdown(spec, snap.workspace.reading.since.get(("step", meta.key), "")) if spec else None
