"""What the frontmatter, team-body and workflow-body completions share: the cursor, replace spans, CSV items."""

from __future__ import annotations

import re

from crew_lsp.resources.fields import FieldSpec
from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import Span, span_in_line

KEY_CHARS = re.compile(r"[A-Za-z0-9_-]*")
BOOLS = ("true", "false")


def csv_bounds(text: str, value_start: int, idx: int) -> tuple[int, int, list[str]]:
    """The current CSV item around ``idx`` (Python indices, trimmed) and the other items' texts."""
    comma = text.rfind(",", value_start, idx)
    a = comma + 1 if comma >= 0 else value_start
    while a < idx and text[a] in " \t":
        a += 1
    nxt = text.find(",", idx)
    b = nxt if nxt >= 0 else len(text)
    while b > max(a, idx) and text[b - 1] in " \t":
        b -= 1
    others = [p.replace('"', "").strip() for p in (text[value_start:a].split(",") + (text[nxt + 1 :].split(",") if nxt >= 0 else []))]
    return a, b, [o for o in others if o]


class CompletionContext:
    """The cursor's resource, line and column (a Python index into the line) for one request."""

    def __init__(self, res: Resource, snap: Snapshot, doc: Document, line: int, text: str, idx: int, snippets: bool):
        self.res, self.snap, self.doc = res, snap, doc
        self.line, self.text, self.idx, self.snippets = line, text, idx, snippets
        self.prefix = text[:idx]

    def span(self, a: int, b: int) -> Span:
        return span_in_line(self.line, self.text, a, b)

    def lead(self, a: int) -> str:
        """A space to put before an inserted value glued to `:` or `,`."""
        return " " if a > 0 and self.text[a - 1] in ":," else ""


def key_detail(spec: FieldSpec) -> str:
    if spec.alias_of:
        return f"alias of {spec.alias_of}"
    return spec.kind
