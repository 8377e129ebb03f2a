"""pi-crew's frontmatter line grammar (formats §2), with a span for every key, value and item.

This is deliberately *not* YAML: it reproduces exactly what pi-crew reads, and records enough
(skipped lines, indentation, hidden or unclosed blocks) for the checks to explain the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crew_lsp.resources.text import JS_SPACE, Span, js_trim, span_in_line, split_lines, utf16_len

BOM = "\ufeff"
DIGITS = "0123456789"


@dataclass(slots=True)
class Entry:
    """One ``key: value`` line of a frontmatter block."""

    key: str
    value: str
    line: int
    key_span: Span
    value_span: Span
    raw: str
    value_index: int  # Python index of the value in ``raw`` (for item spans)

    @property
    def indented(self) -> bool:
        return bool(self.raw) and self.raw[0] in JS_SPACE


@dataclass(slots=True)
class Item:
    """One item of a comma-separated value."""

    text: str
    span: Span


@dataclass(slots=True)
class Frontmatter:
    present: bool = False
    entries: list[Entry] = field(default_factory=list)
    fields: dict[str, Entry] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)  # lines without ':' (ignored by pi-crew)
    comments: list[int] = field(default_factory=list)  # lines starting with '#'
    close_line: int | None = None
    body_start: int = 0
    hidden_by: str | None = None  # "BOM" | "blank line" | "spaces": CREW101
    hidden_prefix: Span | None = None  # what to delete so the block becomes frontmatter
    unclosed: bool = False  # starts with '---' but never closes: CREW102

    def get(self, key: str) -> str | None:
        entry = self.fields.get(key)
        return entry.value if entry is not None else None


@dataclass(slots=True)
class Document:
    """A parsed file: its LSP lines, its frontmatter and where the body starts."""

    text: str
    lines: list[str]
    frontmatter: Frontmatter
    crlf: bool

    @property
    def body_lines(self) -> range:
        return range(self.frontmatter.body_start, len(self.lines))


def _closing_line(lines: list[str]) -> int | None:
    # pi-crew searches for "\n---" from offset 4, so line 1 can never close the block.
    for i in range(2, len(lines)):
        if lines[i] == "---":
            return i
    return None


def _hidden_frontmatter(text: str) -> tuple[str, Span] | None:
    """A block that would be frontmatter but for a BOM, blank lines or spaces before it.

    Returns the reason and the span of what must be removed (from 0:0 to the real ``---``).
    """
    stripped = text.lstrip(BOM + " \t\r\n")
    if len(stripped) == len(text) or not stripped.startswith(("---\n", "---\r\n")):
        return None
    prefix = text[: len(text) - len(stripped)]
    if prefix.startswith(BOM):
        reason = "BOM"
    elif "\n" in prefix:
        reason = "blank line"
    else:
        reason = "spaces"
    end_line = prefix.count("\n")
    end_col = utf16_len(prefix.rsplit("\n", 1)[-1])
    return reason, Span(0, 0, end_line, end_col)


def parse_entry(line_no: int, raw: str) -> Entry | None:
    colon = raw.find(":")
    if colon < 0:
        return None
    key = js_trim(raw[:colon])
    k0 = raw.find(key) if key else colon
    rest = raw[colon + 1 :]
    value = js_trim(rest)
    v0 = colon + 1 + (rest.find(value) if value else len(rest) - len(rest.lstrip(JS_SPACE)))
    key_span = span_in_line(line_no, raw, k0, k0 + len(key))
    value_span = span_in_line(line_no, raw, v0, v0 + len(value))
    return Entry(key, value, line_no, key_span, value_span, raw, v0)


def parse_document(text: str) -> Document:
    """Split a file into lines and read its frontmatter exactly as pi-crew does."""
    lines = split_lines(text)
    fm = Frontmatter()
    crlf = "\r\n" in text
    if text.startswith("---\n") or text.startswith("---\r\n"):
        close = _closing_line(lines)
        if close is None:
            fm.unclosed = True
        else:
            fm.present = True
            fm.close_line = close
            fm.body_start = close + 1
            for i in range(1, close):
                raw = lines[i]
                stripped = js_trim(raw)
                if not stripped:
                    continue
                if stripped[0] == "#":
                    fm.comments.append(i)
                    continue
                entry = parse_entry(i, raw)
                if entry is None:
                    fm.skipped.append(i)
                    continue
                fm.entries.append(entry)
                fm.fields[entry.key] = entry
    else:
        hidden = _hidden_frontmatter(text)
        if hidden is not None:
            fm.hidden_by, fm.hidden_prefix = hidden
    return Document(text, lines, fm, crlf)


def _csv_pieces(value: str) -> list[str]:
    """The raw pieces between commas outside double quotes (an unclosed quote runs to the end)."""
    if '"' not in value:
        return value.split(",")
    pieces: list[str] = []
    start = 0
    in_quotes = False
    for i, ch in enumerate(value):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "," and not in_quotes:
            pieces.append(value[start:i])
            start = i + 1
    pieces.append(value[start:])
    return pieces


def split_csv(entry_value: str, line_no: int, raw: str, value_index: int) -> list[Item]:
    """pi-crew's CSV: commas outside double quotes split, quotes removed, trimmed, de-duplicated."""
    items: list[Item] = []
    seen: set[str] = set()
    start = value_index
    for piece in _csv_pieces(entry_value):
        text = js_trim(piece.replace('"', "")) if '"' in piece else js_trim(piece)
        if text and text not in seen:
            seen.add(text)
            a = start + len(piece) - len(piece.lstrip(JS_SPACE))
            b = start + len(piece.rstrip(JS_SPACE))
            items.append(Item(text, span_in_line(line_no, raw, a, b)))
        start += len(piece) + 1
    return items


def csv_items(entry: Entry | None) -> list[Item]:
    if entry is None:
        return []
    return split_csv(entry.value, entry.line, entry.raw, entry.value_index)


def leading_int(value: str) -> int | None:
    """``parseInt``-like: optional sign and leading digits (``6abc`` → 6); None if none."""
    s = js_trim(value)
    i = 1 if s[:1] in ("+", "-") else 0
    j = i
    while j < len(s) and s[j] in DIGITS:  # ASCII only, as parseInt (str.isdigit also takes `¹`)
        j += 1
    if j == i:
        return None
    return int(s[:j])


def is_positive_int(value: str) -> bool:
    """Exactly ASCII digits with a value above zero (what the fields that take a count expect)."""
    return bool(value) and all(c in DIGITS for c in value) and int(value) > 0


def parse_bool(value: str | None) -> bool | None:
    if value == "true":
        return True
    if value == "false":
        return False
    return None
