"""Inlay hints: the agent a role line resolves to; the task id of each step."""

from __future__ import annotations

from crew_lsp.language.info import agent_for
from crew_lsp.language.types import Hint
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource


def inlay_hints(res: Resource, snap: Snapshot, start_line: int, end_line: int) -> list[Hint]:
    """Hints for the lines start_line..end_line (inclusive). Labels carry no padding: the server pads left."""
    out: list[Hint] = []
    if res.kind == "team":
        for role in res.model.roles:  # type: ignore[union-attr]
            if not start_line <= role.line <= end_line:
                continue
            agent, state = agent_for(snap, role.agent)
            if agent is None:
                out.append(Hint(role.line, role.line_span.end, f"→ {role.agent} (unknown)", "No agent with this exact name."))
                continue
            scope = agent.scope if state == "ok" else f"{agent.scope}, disabled"
            tooltip = f"{agent.model.description}\n\n{agent.path}"  # type: ignore[union-attr]
            out.append(Hint(role.line, role.line_span.end, f"→ {agent.name} ({scope})", tooltip))
    elif res.kind == "workflow":
        for step in res.model.steps:  # type: ignore[union-attr]
            if start_line <= step.id_line <= end_line:
                out.append(Hint(step.id_line, step.id_span.end, step.task_id, f"task id; role {step.role}; output {step.output or 'none'}"))
    return out
