"""Guidance-section rules of AGENTS.md (CREW601–CREW605): what pi-crew would misread or delete.

pi-crew takes the first START and the first END after it; inside, it keeps only well-formed blocks
and rewrites the rest. Each rule names what pi-crew does with the text, and offers the fix that
loses nothing: markers are removed or added, text is moved, never deleted.
"""

from __future__ import annotations

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag, edit, fix
from crew_lsp.resources.guidance import END, Guidance, Marker, Section, close_marker, good_id, mended_id
from crew_lsp.resources.text import Span, utf16_len


def check_guidance(ctx: Ctx) -> None:
    g: Guidance = ctx.res.model  # type: ignore[assignment]
    if not g.markers:
        return
    for marker in g.stray_ends:
        ctx.add(diag("CREW601", _span(marker), "END marker without a START before it: pi-crew sees no guidance section "
                     "here and appends a new one at the end of the file.",
                     fixes=[fix("Remove the stray END marker", edit(_removal(g, marker), ""))]))
    for n, section in enumerate(g.sections):
        if section.end is None:
            ctx.add(diag("CREW601", _span(section.start), f"START marker never closed by `{END}`: pi-crew appends "
                         "a second section at the end of the file, and its next write deletes the text between the two.",
                         fixes=[fix("Remove the unclosed START marker", edit(_removal(g, section.start), ""))]))
            continue
        if n > 0:
            ctx.add(diag("CREW602", _span(section.start), "A second guidance section: pi-crew reads and updates only "
                         "the first one, so this one is never seen.",
                         fixes=[fix("Remove this section's markers (its text stays)", edit(_removal(g, section.start), ""),
                                    edit(_removal(g, section.end), ""))]))
            continue
        _check_section(ctx, g, section)
    first = next((b.open for s in g.sections if s.end is not None for b in s.blocks), None)
    if g.crlf and first is not None:
        ctx.add(diag("CREW604", _span(first), "CRLF line endings: pi-crew finds a block only where `-->` is followed by "
                     "`\\n`, so its next write to this file drops every block.",
                     fixes=[fix("Convert the file to LF line endings", edit(_whole(g), "\n".join(g.lines)))]))


def _check_section(ctx: Ctx, g: Guidance, section: Section) -> None:
    assert section.end is not None
    for block in section.blocks:
        if not good_id(block.id):
            better = mended_id(block.id)
            edits = [edit(_id_span(m), better) for m in (block.open, block.close) if m is not None]
            ctx.add(diag("CREW605", _id_span(block.open), f"Block id `{block.id}` is not made of letters, digits, `_` "
                         "and `-`: pi-crew cannot read this block and drops it on its next write.",
                         fixes=[fix(f"Change to `{better}`", *edits)] if better else None))
        if block.close is None:
            last = _last_text_line(g, block.open.line, _next_marker_line(g, block.open, section.end))
            ctx.add(diag("CREW603", _span(block.open), f"Block `{block.id}` is never closed: pi-crew drops it and its "
                         "text on its next write.",
                         fixes=[fix(f"Close block `{block.id}`", edit(_line_end(g, last), g.nl + close_marker(block.id)))]))
    for first, last in section.stray:
        span = Span(first, 0, last, utf16_len(g.lines[last]))
        moved = g.nl.join(g.lines[first:last + 1])
        ctx.add(diag("CREW603", span, "Text inside the guidance section but outside every block: pi-crew deletes it "
                     "on its next write.",
                     fixes=[fix("Move it below the section", edit(_lines_removal(g, first, last), ""),
                                edit(_line_end(g, section.end.line), g.nl + g.nl + moved))]))


def _span(marker: Marker) -> Span:
    return Span(marker.line, marker.start, marker.line, marker.end)


def _id_span(marker: Marker) -> Span:
    prefix = len("<!-- PI-CREW:/BLOCK:") if marker.kind == "close" else len("<!-- PI-CREW:BLOCK:")
    start = marker.start + prefix
    return Span(marker.line, start, marker.line, start + utf16_len(marker.id))


def _whole(g: Guidance) -> Span:
    return Span(0, 0, len(g.lines) - 1, utf16_len(g.lines[-1]))


def _line_end(g: Guidance, line: int) -> Span:
    end = utf16_len(g.lines[line])
    return Span(line, end, line, end)


def _lines_removal(g: Guidance, first: int, last: int) -> Span:
    """Whole lines with their line break (the one before them on the last line of the file)."""
    if last + 1 < len(g.lines):
        return Span(first, 0, last + 1, 0)
    if first == 0:
        return Span(0, 0, last, utf16_len(g.lines[last]))
    return Span(first - 1, utf16_len(g.lines[first - 1]), last, utf16_len(g.lines[last]))


def _removal(g: Guidance, marker: Marker) -> Span:
    """A marker alone on its line goes with the line; one sharing its line goes alone."""
    if utf16_len(g.lines[marker.line].strip()) == marker.end - marker.start:
        return _lines_removal(g, marker.line, marker.line)
    return _span(marker)


def _next_marker_line(g: Guidance, after: Marker, end: Marker) -> int:
    for marker in g.markers:
        if marker.line > after.line and marker.kind in ("open", "end"):
            return marker.line
    return end.line


def _last_text_line(g: Guidance, first: int, before: int) -> int:
    """The last non-blank line from `first` up to (not including) `before`."""
    last = first
    for number in range(first, before):
        if g.lines[number].strip():
            last = number
    return last
