"""Formatting: team role lines in canonical form, never changing what pi-crew reads.

`- <role>: agent=<agent> [model=<m>] [skills=a,b|false] [maxConcurrency=<n>] text`
"""

from __future__ import annotations

import re

from crew_lsp.language.types import TextEdit
from crew_lsp.resources.model import Resource
from crew_lsp.resources.team import Role, parse_role_line
from crew_lsp.resources.text import Span, col16, utf16_len

_ROLE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


def canonical(role: Role) -> str:
    parts = [f"- {role.name}: agent={role.agent}"]
    if role.model is not None:
        parts.append(f"model={role.model}")
    if role.skills_disabled:
        parts.append("skills=false")
    elif role.skills:
        parts.append("skills=" + ",".join(i.text for i in role.skills))
    token = role.tokens.get("maxConcurrency")
    if token is not None:
        parts.append(f"maxConcurrency={token.value}")
    if role.description:
        parts.append(role.description)
    return " ".join(parts)


def _meaning(role: Role) -> tuple:
    mc = role.tokens.get("maxConcurrency")
    return (role.name, role.agent, role.model, [i.text for i in role.skills] if role.skills is not None else None,
            role.skills_disabled, mc.value if mc else None, role.description)


def _formattable(role: Role) -> bool:
    """Real roles only: a `---` rule or a prose bullet (`- Note: …`) is left for the diagnostics to explain."""
    if not _ROLE_NAME.match(role.name):
        return False
    return "agent" in role.tokens or not role.name[0].isupper()


def format_document(res: Resource) -> list[TextEdit]:
    if res.kind != "team" or res.doc is None:
        return []
    lines = res.doc.lines
    edits: list[TextEdit] = []
    for role in res.model.roles:  # type: ignore[union-attr]
        if not _formattable(role):
            continue
        raw = lines[role.line]
        dash = raw.index("-")
        text = canonical(role)
        new_line = raw[:dash] + text
        if new_line == raw:
            continue
        again = parse_role_line(role.line, new_line)
        if again is None or _meaning(again) != _meaning(role):
            continue  # the canonical text would read differently: keep the line as written
        edits.append(TextEdit(Span(role.line, col16(raw, dash), role.line, utf16_len(raw)), text))
    return edits
