"""What every rule receives: the resource, the snapshot, and a place to put findings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.record import Record
from crew_lsp.resources.skill_names import known_skills
from crew_lsp.resources.versions import Reading
from crew_lsp.resources.text import Span, end_of, utf16_len, whole_line


class Ctx(Record):
    __slots__ = ("res", "snap", "diags", "handled_lines", "_doc", "_skills")
    _fields = ("res", "snap", "diags", "handled_lines")

    def __init__(self, res: Resource, snap: Snapshot, diags: list[Diagnostic] | None = None, handled_lines: set[int] | None = None):
        self.res = res
        self.snap = snap
        self.diags = [] if diags is None else diags
        self.handled_lines = set() if handled_lines is None else handled_lines  # lines a more specific rule already explained
        self._doc = res.doc  # (looked up once: the rules ask for it dozens of times per file)
        self._skills: Mapping[str, Resource | None] | None = None

    @property
    def reading(self) -> Reading:
        """What the workspace's pi-crew version reads (key tables, tool names, grammar switches)."""
        return self.snap.workspace.reading

    @property
    def skills(self) -> Mapping[str, Resource | None]:
        """The skills a reference can name at the workspace's version (a later version ships other skills)."""
        skills = self._skills
        if skills is None:
            skills = self._skills = known_skills(self.snap.skills, self.reading.version)
        return skills

    @property
    def doc(self) -> Document:
        doc = self._doc
        assert doc is not None
        return doc

    @property
    def nl(self) -> str:
        """The line break inserted text uses: the document's own (CRLF files get `\\r\\n`)."""
        doc = self._doc
        return "\r\n" if doc is not None and doc.crlf else "\n"

    def add(self, d: Diagnostic) -> None:
        self.diags.append(d)

    def line_span(self, line: int) -> Span:
        return whole_line(line, self.doc.lines[line])

    def line_removal(self, line: int) -> Span:
        """What to delete to remove a whole line: with its line break, or the one before it on the last line."""
        lines = self.doc.lines
        if line + 1 < len(lines):
            return Span(line, 0, line + 1, 0)
        if line == 0:
            return Span(0, 0, 0, utf16_len(lines[0]))
        return Span(line - 1, utf16_len(lines[line - 1]), line, utf16_len(lines[line]))

    def whole_document(self) -> Span:
        end = end_of(self.doc.lines)
        return Span(0, 0, end.line, end.start)

    def name_span(self) -> Span:
        """Where to report a file-level finding: the `name` value, else the first line."""
        entry = self.doc.frontmatter.fields.get("name")
        if entry is not None and entry.value:
            return entry.value_span
        return self.line_span(0)

    def new_file_path(self, kind: str, name: str) -> str:
        """Where a "create file" fix puts a new project resource."""
        sub = {"agent": ("agents", ".md"), "team": ("teams", ".team.md"), "workflow": ("workflows", ".workflow.md")}[kind]
        return str(Path(self.snap.workspace.crew) / sub[0] / f"{name}{sub[1]}")
