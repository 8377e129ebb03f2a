"""pi-crew's workflow headings (docs/formats.md, Workflows): where `##` starts a step.

pi-crew finds headings with a JavaScript multi-line regex, so a lone `\r`, U+2028 and U+2029 start a
line too, and fenced code is not respected. `find_headings` reproduces that from one scan of the body
text: the plain search (`\n##`) for the usual file, the JavaScript one when the text holds another
line break (`plain_breaks`).
"""

from __future__ import annotations

import re

from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import JS_SPACE, JS_SPACE_CHARS, Span, span_in_line


class Heading(Record):
    """A `##` heading (spans worked out on demand)."""

    __slots__ = ("line", "id_line", "text", "bare", "in_fence", "_raw", "at", "hashes", "_section")
    _fields = ("line", "id_line", "text", "id_span", "heading_span", "bare", "in_fence")

    def __init__(self, line: int, id_line: int, text: str, bare: bool, in_fence: bool, raw: str | None, at: int, hashes: int = 0,
                 section: tuple[int, int] | None = None):
        self.line = line
        self.id_line = id_line
        self.text = text
        self.bare = bare
        self.in_fence = in_fence
        self._raw = raw  # the text of the line holding the id; None: exactly `## id` (rebuilt when asked)
        self.at = at  # Python index of the id in ``raw``
        self.hashes = hashes  # Python index of the `##` in its line (not 0 after a lone `\r`, U+2028 or U+2029)
        self._section = section  # None: the next line's start (the usual case, stored as nothing)

    @property
    def raw(self) -> str:
        raw = self._raw
        return "## " + self.text if raw is None else raw

    @property
    def section(self) -> tuple[int, int]:
        """(line, index) where its section starts: the next line's start unless the line goes on after the id."""
        section = self._section
        return (self.id_line + 1, 0) if section is None else section

    @property
    def id_span(self) -> Span:
        return span_in_line(self.id_line, self.raw, self.at, self.at + len(self.text))

    @property
    def heading_span(self) -> Span:
        h = self.hashes
        if self.bare:
            return Span(self.line, h, self.line, h + 2)
        return span_in_line(self.line, self.raw, h, self.at + len(self.text))


# Lines that may be a heading (`##…`) or a fence (what pi-crew's fence test matches), found from the
# line break before them: a pattern that starts with a literal is searched at C speed. The heading
# search is a JavaScript multi-line regex, so a lone `\r`, U+2028 and U+2029 start a line too; the
# patterns that look for those are several times slower, so only a text that holds one uses them.
_CANDIDATE = re.compile(r"\n(?:##|[^\S\n]{0,3}(?:```|~~~))")
_HEADING_ONLY = re.compile(r"\n##")
# (the two for other line breaks are compiled on first use, through `re`'s own cache: most runs meet no such text)
_JS_CANDIDATE = r"\n(?:##|[^\S\n]{0,3}(?:```|~~~))|[\r\u2028\u2029]##"
_JS_HEADING_ONLY = r"[\n\r\u2028\u2029]##"
_FIRST_LINE = re.compile(r"##|[^\S\n]{0,3}(?:```|~~~)")
_BREAKS = re.compile("[\r\u2028\u2029]")  # what ends a line for JavaScript's `.` and `$`, besides `\n`
_BLANK_OR_SPACE = JS_SPACE_CHARS | {""}  # (`line[3:4]` of a line that ends after `## `)


def plain_breaks(text: str) -> bool:
    """Whether JavaScript sees the same lines as we do: no lone `\\r` (the `\\r` of a CRLF is dropped
    from its line), no U+2028 or U+2029. The usual file; it needs no search for the other breaks."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # (one-character tests are memchr)
        return False
    return text.isascii() or ("\u2028" not in text and "\u2029" not in text)


def _candidates(doc: Document, fences: bool) -> list[tuple[int, int]]:
    """(line, index) of every place in the body where a heading or a fence may start."""
    text = doc.text
    start = doc.body_offset
    candidates: list[tuple[int, int]] = []
    if start == 0 and _FIRST_LINE.match(text):
        candidates.append((0, 0))
    count = text.count
    last = start
    line_no = doc.frontmatter.body_start
    for m in re.compile(_JS_CANDIDATE if fences else _JS_HEADING_ONLY).finditer(text, start - 1 if start else 0):
        p = m.start() + 1
        line_no += count("\n", last, p)
        last = p
        if text[p - 1] == "\n":
            candidates.append((line_no, 0))
        else:  # after a lone `\r`, U+2028 or U+2029, inside a document line
            candidates.append((line_no, p - text.rfind("\n", 0, p) - 1))
    return candidates


def _candidate_lines(doc: Document, fences: bool) -> list[int]:
    """`_candidates` of a text whose only line breaks are `\\n`: every candidate starts its line."""
    text = doc.text
    start = doc.body_offset
    candidates: list[int] = []
    if start == 0 and _FIRST_LINE.match(text):
        candidates.append(0)
    count = text.count
    last = start
    line_no = doc.frontmatter.body_start
    for m in (_CANDIDATE if fences else _HEADING_ONLY).finditer(text, start - 1 if start else 0):
        p = m.start() + 1
        line_no += count("\n", last, p)
        last = p
        candidates.append(line_no)
    return candidates


def find_headings(doc: Document, plain: bool) -> list[Heading]:
    """pi-crew's headings (`^##\\s+(.+)` in JavaScript's multi-line mode), from one scan of the body text.

    ``plain``: the text has no line break but `\\n` (see `plain_breaks`), so every candidate starts its
    line and a heading's text runs to the end of its line: the simpler scan `_plain_headings` finds them.
    """
    headings: list[Heading] = []
    text = doc.text
    if doc.body_offset >= len(text):
        return headings
    fences = "`" in text or "~" in text  # (one-character tests are memchr; "```" is a slow search)
    if not fences and "##" not in text:
        return headings
    if plain:
        return _plain_headings(doc, _candidate_lines(doc, fences))
    lines = doc.lines
    n = len(lines)
    in_fence = False
    skip_to = (doc.frontmatter.body_start, 0)  # text before this was taken by a heading (as the global regex moves on)
    for i, h in _candidates(doc, fences):
        if (i, h) < skip_to:
            continue
        line = lines[i]
        if line[h : h + 2] != "##":
            in_fence = not in_fence
            continue
        k = h + 2
        if k < len(line) and line[k] not in JS_SPACE_CHARS:
            continue  # `##x`, `###`
        # `\s+` runs over spaces and line breaks, blank lines included: the text is the first non-blank run
        j = i
        rest = line[k:]
        k += len(rest) - len(rest.lstrip(JS_SPACE))
        while k >= len(lines[j]):
            j += 1
            if j == n:
                break
            nxt = lines[j]
            k = len(nxt) - len(nxt.lstrip(JS_SPACE))
        if j == n:
            break
        raw = lines[j]
        stop = _BREAKS.search(raw, k)
        end = stop.start() if stop is not None else len(raw)
        label = raw[k:end].strip(JS_SPACE)
        section = None if stop is None or not raw[end:].strip(JS_SPACE) else (j, end)  # (None: the next line)
        headings.append(Heading(i, j, label, j != i, in_fence, raw, k, h, section))
        skip_to = (j, end)
    return headings


def _plain_headings(doc: Document, candidates: list[int]) -> list[Heading]:
    """`find_headings` of a text whose only line breaks are `\\n`: a heading's text is the rest of its line
    (or, for a bare `##`, the next non-blank line) and its section starts on the next line."""
    headings: list[Heading] = []
    lines = doc.lines
    n = len(lines)
    in_fence = False
    skip_to = 0  # lines before this were taken by a bare `##` (as the global regex moves on)
    for i in candidates:
        if i < skip_to:
            continue
        line = lines[i]
        if line[:2] != "##":
            in_fence = not in_fence
            continue
        if len(line) > 2 and line[2] not in JS_SPACE_CHARS:
            continue  # `##x`, `###`
        if line[2:3] == " " and line[3:4] not in _BLANK_OR_SPACE and line[-1] not in JS_SPACE_CHARS:
            headings.append(Heading(i, i, line[3:], False, in_fence, None, 3))  # `## id` exactly: nothing to trim or keep
            continue
        label = line[2:].strip(JS_SPACE)
        if label:
            at = line.index(label, 2)
            plain = at == 3 and len(line) == 3 + len(label) and line[2] == " "  # (`## id`: nothing else to keep)
            headings.append(Heading(i, i, label, False, in_fence, None if plain else line, at))
            continue
        # `\s+` runs over the line break and blank lines: the text is the next non-blank line
        j = i + 1
        while j < n and not lines[j].strip(JS_SPACE):
            j += 1
        if j == n:
            break
        raw = lines[j]
        label = raw.strip(JS_SPACE)
        headings.append(Heading(i, j, label, True, in_fence, raw, raw.index(label)))
        skip_to = j + 1
    return headings
