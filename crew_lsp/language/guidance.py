"""Writing the AGENTS.md guidance section: the edits behind `crew.guidance.update` and `crew.guidance.remove`.

Both return a WorkspaceEdit the editor previews and applies; nothing here writes a file. The edits
touch only the lines of our block (or the section markers when the section comes or goes): text
outside the markers, other blocks, and text pi-crew would delete are left where they are. A file
with CRLF line endings gets CRLF. Applying an edit and asking again gives an empty edit.
"""

from __future__ import annotations

import re

from crew_lsp.language.types import TextEdit, WorkspaceEdit
from crew_lsp.resources.guidance import END, START, Guidance, Section, close_marker, open_marker, parse_guidance
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.text import Span, utf16_len

BLOCK_ID = "crew-lsp-teams"
_COMMENT = re.compile(r"<!--|-->")
_SPACES = re.compile(r"\s+")


class GuidanceRefused(ValueError):
    """The file's markers are broken in a way an edit cannot safely work around (the checks say how)."""


def _cell(text: str) -> str:
    """One line of table cell: no markers (they would end our block), no `|`, no line breaks."""
    return _SPACES.sub(" ", _COMMENT.sub("", text)).replace("|", "\\|").strip()


def workspace_guidance(snap: Snapshot) -> str:
    """Our block's text: the teams and agents a coding agent in this repository can delegate to.

    Builtin and project resources only: the user's own agents are personal and stay out of a file
    that is committed with the repository.
    """
    shared = ("builtin", "project")
    teams = sorted((t for t in snap.teams.values() if t.scope in shared), key=lambda r: r.name)
    agents = sorted((a for a in snap.agents.values() if a.scope in shared), key=lambda r: r.name.lower())
    lines = [
        "## Agent teams of this repository",
        "",
        "This repository defines pi-crew agent teams. Delegate a larger task to a team with pi-crew's `team` tool,",
        "or run one from a terminal with `crew-lsp run --team <team> \"<goal>\"`.",
    ]
    if teams:
        lines += ["", "| Team | Workflow | Roles | What it does |", "|---|---|---|---|"]
        for team in teams:
            roles = ", ".join(dict.fromkeys(r.name for r in team.model.roles))  # type: ignore[union-attr]
            description = team.doc.frontmatter.get("description") or "" if team.doc is not None else ""
            lines.append(f"| `{_cell(team.name)}` | `{_cell(team.model.workflow)}` | {_cell(roles)} | {_cell(description)} |")  # type: ignore[union-attr]
    if agents:
        lines += ["", "| Agent | What it does |", "|---|---|"]
        for agent in agents:
            description = agent.doc.frontmatter.get("description") or "" if agent.doc is not None else ""
            lines.append(f"| `{_cell(agent.name)}` | {_cell(description)} |")
    return "\n".join(lines)


def _block(block_id: str, content: str, nl: str) -> str:
    return nl.join([open_marker(block_id), *content.split("\n"), close_marker(block_id)])


def _first_section(g: Guidance) -> Section | None:
    """The section pi-crew reads; refused when its markers are unbalanced (CREW601)."""
    if g.stray_ends or any(s.end is None for s in g.sections):
        raise GuidanceRefused("the guidance markers of this file are unbalanced (CREW601): fix them first")
    return g.sections[0] if g.sections else None


def update_edit(path: str, text: str | None, content: str, block_id: str = BLOCK_ID) -> WorkspaceEdit:
    """Put `content` in block `block_id` of the file's guidance section, adding the section if needed."""
    if text is None:
        return WorkspaceEdit(creates=[(path, _section(block_id, content, "\n") + "\n")])
    g = parse_guidance(text)
    nl = g.nl
    section = _first_section(g)
    if section is None:
        return _edit(path, _append_section(g, _section(block_id, content, nl)))
    assert section.end is not None
    if section.end.line == section.start.line:
        raise GuidanceRefused("the guidance START and END markers share a line: put each on a line of its own first")
    lines = content.split("\n")
    for block in section.blocks:
        if block.id != block_id:
            continue
        if block.close is None:
            raise GuidanceRefused(f"block `{block_id}` is never closed (CREW603): close it or remove it first")
        if g.lines[block.open.line + 1:block.close.line] == lines:
            return WorkspaceEdit()
        return _edit(path, TextEdit(Span(block.open.line + 1, 0, block.close.line, 0), nl.join(lines) + nl))
    before = g.lines[section.end.line - 1] if section.end.line > section.start.line else ""
    gap = "" if section.end.line - 1 == section.start.line or not before.strip() else nl
    return _edit(path, TextEdit(Span(section.end.line, 0, section.end.line, 0), gap + _block(block_id, content, nl) + nl))


def remove_edit(path: str, text: str | None, ids: list[str] | None = None) -> WorkspaceEdit:
    """Remove blocks `ids` (ours by default); the section goes too when no block and no text is left in it."""
    wanted = set(ids or [BLOCK_ID])
    if text is None:
        return WorkspaceEdit()
    g = parse_guidance(text)
    section = _first_section(g)
    if section is None:
        return WorkspaceEdit()
    assert section.end is not None
    gone = [b for b in section.blocks if b.id in wanted and b.close is not None]
    if not gone:
        return WorkspaceEdit()
    kept = [b for b in section.blocks if b not in gone]
    doomed: set[int] = set()
    if not kept and not section.stray:
        doomed.update(range(section.start.line, section.end.line + 1))
        _take_blank(g, doomed, section.start.line - 1, section.end.line + 1)
    else:
        for block in gone:
            assert block.close is not None
            doomed.update(range(block.open.line, block.close.line + 1))
            _take_blank(g, doomed, block.close.line + 1, block.open.line - 1, floor=section.start.line)
    return _edit(path, *_line_removals(g, sorted(doomed)))


def _take_blank(g: Guidance, doomed: set[int], first: int, second: int, floor: int = -1) -> None:
    """With removed lines, one blank line that separated them from their neighbours goes too."""
    last = len(g.lines) - 1 if g.lines[-1] else len(g.lines) - 2  # (the empty string after a final newline is no line)
    for number in (first, second):
        if floor < number <= last and number not in doomed and not g.lines[number].strip():
            doomed.add(number)
            return


def _line_removals(g: Guidance, numbers: list[int]) -> list[TextEdit]:
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    out = []
    for first, last in runs:
        if last + 1 < len(g.lines):
            span = Span(first, 0, last + 1, 0)
        elif first == 0:
            span = Span(0, 0, last, utf16_len(g.lines[last]))
        else:
            span = Span(first - 1, utf16_len(g.lines[first - 1]), last, utf16_len(g.lines[last]))
        out.append(TextEdit(span, ""))
    return out


def _section(block_id: str, content: str, nl: str) -> str:
    return nl.join([START, _block(block_id, content, nl), END])


def _append_section(g: Guidance, section: str) -> TextEdit:
    nl = g.nl
    last = len(g.lines) - 1
    if len(g.lines) == 1 and not g.lines[0]:
        return TextEdit(Span(0, 0, 0, 0), section + nl)
    if not g.lines[last]:  # the file ends with a line break
        gap = nl if g.lines[last - 1].strip() else ""
        return TextEdit(Span(last, 0, last, 0), gap + section + nl)
    end = utf16_len(g.lines[last])
    return TextEdit(Span(last, end, last, end), nl + nl + section + nl)


def _edit(path: str, *edits: TextEdit) -> WorkspaceEdit:
    return WorkspaceEdit(changes={path: list(edits)})
