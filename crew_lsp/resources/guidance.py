"""The guidance section of an `AGENTS.md` (docs/formats.md, The AGENTS.md guidance section).

pi-crew 0.2.0 keeps its text for coding agents in `AGENTS.md` at the repository root, between
`<!-- PI-CREW:GUIDANCE:START -->` and `<!-- PI-CREW:GUIDANCE:END -->`. Inside, each block runs from
`<!-- PI-CREW:BLOCK:<id> -->` to `<!-- PI-CREW:/BLOCK:<id> -->`, each marker on a line of its own.
This module reads those markers (with their lines, as the checks and the edits need them) and says
how pi-crew would read the file; it changes nothing.
"""

from __future__ import annotations

import re

from crew_lsp.resources.record import Record
from crew_lsp.resources.text import col16

START = "<!-- PI-CREW:GUIDANCE:START -->"
END = "<!-- PI-CREW:GUIDANCE:END -->"
MARK = "PI-CREW:"  # no marker without it: a file lacking it costs one substring search
FILE_NAME = "AGENTS.md"
BLOCK_ID = re.compile(r"[A-Za-z0-9_-]+")
# a block marker as pi-crew writes it, with any id (a bad one is reported, not skipped)
_MARKER = re.compile(r"<!-- PI-CREW:(?:(GUIDANCE:START|GUIDANCE:END)|(/?)BLOCK:(.*?)) -->")


def open_marker(block_id: str) -> str:
    return f"<!-- PI-CREW:BLOCK:{block_id} -->"


def close_marker(block_id: str) -> str:
    return f"<!-- PI-CREW:/BLOCK:{block_id} -->"


class Marker(Record):
    """One marker: kind `start`, `end`, `open` or `close`; its block id; where it is (UTF-16 columns)."""

    __slots__ = ("kind", "id", "line", "start", "end")

    def __init__(self, kind: str, block_id: str, line: int, start: int, end: int):
        self.kind = kind
        self.id = block_id
        self.line = line
        self.start = start
        self.end = end


class Block(Record):
    __slots__ = ("id", "open", "close")

    def __init__(self, block_id: str, open: Marker, close: Marker | None):
        self.id = block_id
        self.open = open
        self.close = close  # None: never closed (pi-crew drops it on its next write)


class Section(Record):
    """The lines from a START marker to its END (`end` None: never closed)."""

    __slots__ = ("start", "end", "blocks", "stray")

    def __init__(self, start: Marker, end: Marker | None, blocks: list[Block], stray: list[tuple[int, int]]):
        self.start = start
        self.end = end
        self.blocks = blocks
        self.stray = stray  # (first line, last line) runs of text outside every block: pi-crew drops them


class Guidance(Record):
    """The markers of one AGENTS.md and the sections they make."""

    __slots__ = ("lines", "crlf", "markers", "sections", "stray_ends")

    def __init__(self, lines: list[str], crlf: bool, markers: list[Marker], sections: list[Section], stray_ends: list[Marker]):
        self.lines = lines
        self.crlf = crlf
        self.markers = markers
        self.sections = sections
        self.stray_ends = stray_ends  # END markers with no START before them

    @property
    def nl(self) -> str:
        return "\r\n" if self.crlf else "\n"


def parse_guidance(text: str) -> Guidance:
    """Never raises. Lines are split on `\\n`, a trailing `\\r` belongs to the line ending."""
    raw = text.split("\n")
    crlf = any(line.endswith("\r") for line in raw[:-1])
    lines = [line[:-1] if line.endswith("\r") else line for line in raw]
    if MARK not in text:
        return Guidance(lines, crlf, [], [], [])
    markers: list[Marker] = []
    for number, line in enumerate(lines):
        if MARK not in line:
            continue
        for m in _MARKER.finditer(line):
            fixed, slash, block_id = m.group(1), m.group(2), m.group(3)
            kind = ("start" if fixed.endswith("START") else "end") if fixed else ("close" if slash else "open")
            markers.append(Marker(kind, block_id or "", number, col16(line, m.start()), col16(line, m.end())))
    sections, stray_ends = _sections(lines, markers)
    return Guidance(lines, crlf, markers, sections, stray_ends)


def _sections(lines: list[str], markers: list[Marker]) -> tuple[list[Section], list[Marker]]:
    sections: list[Section] = []
    stray_ends: list[Marker] = []
    current: Section | None = None
    inside: list[Marker] = []
    for marker in markers:
        if current is None:
            if marker.kind == "start":
                current, inside = Section(marker, None, [], []), []
            elif marker.kind == "end":
                stray_ends.append(marker)
            continue
        if marker.kind == "end":
            current.end = marker
            _fill(current, inside, lines)
            sections.append(current)
            current = None
        elif marker.kind == "start":
            continue  # a second START inside a section: pi-crew looks only for the first END
        else:
            inside.append(marker)
    if current is not None:
        _fill(current, inside, lines)
        sections.append(current)
    return sections, stray_ends


def _fill(section: Section, inside: list[Marker], lines: list[str]) -> None:
    """The blocks of a section, and its text outside every block."""
    covered: set[int] = {section.start.line}
    last = section.end.line if section.end is not None else len(lines) - 1
    covered.add(last)
    open_block: Block | None = None
    for marker in inside:
        if marker.kind == "open":
            if open_block is not None:  # never closed: its text runs to this marker (reported with the block)
                covered.update(range(open_block.open.line, marker.line))
                section.blocks.append(open_block)
            open_block = Block(marker.id, marker, None)
            covered.add(marker.line)
        elif open_block is not None and marker.id == open_block.id:
            open_block.close = marker
            covered.update(range(open_block.open.line, marker.line + 1))
            section.blocks.append(open_block)
            open_block = None
        # else: a close marker without its opening one is stray text, as pi-crew sees it
    if open_block is not None:
        covered.update(range(open_block.open.line, last))
        section.blocks.append(open_block)
    run: list[int] = []
    for number in range(section.start.line, last + 1):
        if number not in covered and lines[number].strip():
            if run and run[-1] == number - 1:
                run.append(number)
            else:
                if run:
                    section.stray.append((run[0], run[-1]))
                run = [number]
    if run:
        section.stray.append((run[0], run[-1]))


def good_id(block_id: str) -> bool:
    return BLOCK_ID.fullmatch(block_id) is not None


def mended_id(block_id: str) -> str:
    """A bad block id made good: runs of other characters become `-` (empty when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", block_id).strip("-")
