"""Position maths in one place: lines, UTF-16 columns (what LSP counts) and spans.

Lines are split on ``\\n``; a trailing ``\\r`` belongs to the line ending, not to the line.
Every column handed out of this package is a UTF-16 code-unit offset.
"""

from __future__ import annotations

from collections import namedtuple


# What JavaScript's String.prototype.trim removes (pi-crew trims with it). Python's str.strip differs:
# it keeps U+FEFF (so a BOM line `\ufeff---` would not look like a role) and strips \x1c-\x1f and \x85.
JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# The same characters as a set, for one-character tests: `ch in JS_SPACE` searches a string of a wider kind
# (it converts an ASCII `ch` first, each time); a set lookup is one hash probe.
JS_SPACE_CHARS = frozenset(JS_SPACE)


# JS_SPACE as a regex class body, with ranges (a shorter pattern compiles faster at start-up).
JS_SPACE_CLASS = "\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def js_trim(text: str) -> str:
    return text.strip(JS_SPACE)


class Span(namedtuple("Span", ("line", "start", "end_line", "end"))):  # what typing.NamedTuple builds, without importing typing
    """A range in a document: 0-based lines, UTF-16 columns, end exclusive."""

    __slots__ = ()

    def as_list(self) -> list[int]:
        return [self.line, self.start, self.end_line, self.end]

    def contains(self, line: int, character: int) -> bool:
        if line < self.line or line > self.end_line:
            return False
        if line == self.line and character < self.start:
            return False
        if line == self.end_line and character > self.end:
            return False
        return True


# "surrogatepass": a lone surrogate (an editor may send `\ud800`, a JSON escape may make one) is one
# UTF-16 code unit like any other; the strict codec would raise on it.
def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def col16(line_text: str, index: int) -> int:
    """The UTF-16 column of the Python index ``index`` in ``line_text``."""
    if line_text.isascii():
        return index
    return len(line_text[:index].encode("utf-16-le", "surrogatepass")) // 2


def index_of_col16(line_text: str, column: int) -> int:
    """The Python index of the UTF-16 column ``column`` (clamped to the line)."""
    if line_text.isascii():
        return min(max(column, 0), len(line_text))
    units = 0
    for i, ch in enumerate(line_text):
        if units >= column:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text)


# NamedTuple's generated __new__ is a Python function; tuple.__new__ builds the same Span in C. Parsing
# makes tens of thousands of spans per thousand files, so the hot paths use this.
_tuple_new = tuple.__new__


def span_in_line(line_no: int, line_text: str, start: int, end: int) -> Span:
    """A span between two Python indices of one line."""
    if line_text.isascii():
        return _tuple_new(Span, (line_no, start, line_no, end))
    return _tuple_new(Span, (line_no, col16(line_text, start), line_no, col16(line_text, end)))


def whole_line(line_no: int, line_text: str) -> Span:
    """The span of a line's text without surrounding whitespace (or its start if blank)."""
    stripped = line_text.strip()
    if not stripped:
        return Span(line_no, 0, line_no, 0)
    start = line_text.index(stripped[0])
    return span_in_line(line_no, line_text, start, start + len(stripped))


def split_lines(text: str) -> list[str]:
    """Document lines as LSP sees them: split on ``\\n``, one trailing ``\\r`` dropped."""
    lines = text.split("\n")
    if "\r" in text:
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    return lines


def end_of(lines: list[str]) -> Span:
    """An empty span at the very end of the document."""
    last = len(lines) - 1
    col = utf16_len(lines[last])
    return Span(last, col, last, col)


def offset_at(text: str, line: int, character: int) -> int:
    """The Python offset in ``text`` of an LSP position (clamped)."""
    offset = 0
    for _ in range(line):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    nl = text.find("\n", offset)
    line_text = text[offset : nl if nl >= 0 else len(text)]
    if line_text.endswith("\r"):
        line_text = line_text[:-1]
    return offset + index_of_col16(line_text, character)
