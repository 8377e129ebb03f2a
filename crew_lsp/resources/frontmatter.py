"""pi-crew's frontmatter line grammar (docs/formats.md, The frontmatter grammar), with a span for every key, value and item.

This is deliberately *not* YAML: it reproduces exactly what pi-crew reads, and records enough
(skipped lines, indentation, hidden or unclosed blocks) for the checks to explain the difference.
"""

from __future__ import annotations

from sys import intern

from crew_lsp.resources.record import Record
from crew_lsp.resources.text import JS_SPACE, JS_SPACE_CHARS, Span, js_trim, span_in_line, split_lines, utf16_len

BOM = "\ufeff"
DIGITS = "0123456789"


class Entry(Record):
    """One ``key: value`` line of a frontmatter block.

    Parsing keeps only the key, the value, the line and where its colon is; the spans (and the
    value's index, which CSV items need) are worked out when a check or a feature asks for them.
    """

    __slots__ = ("key", "value", "line", "_raw", "colon", "_vi")
    _fields = ("key", "value", "line", "key_span", "value_span", "raw", "value_index")

    def __init__(self, key: str, value: str, line: int, raw: str | None, colon: int):
        self.key = key
        self.value = value
        self.line = line
        self._raw = raw  # None: exactly `key: value` (most lines), rebuilt when asked rather than kept
        self.colon = colon  # Python index of the first `:` in ``raw``
        self._vi = -1

    @property
    def raw(self) -> str:
        """The line."""
        raw = self._raw
        return f"{self.key}: {self.value}" if raw is None else raw

    @property
    def value_index(self) -> int:
        """Python index of the value in ``raw`` (for item spans)."""
        vi = self._vi
        if vi < 0:
            colon, value = self.colon, self.value
            rest = self.raw[colon + 1 :]
            vi = self._vi = colon + 1 + (rest.find(value) if value else len(rest) - len(rest.lstrip(JS_SPACE)))
        return vi

    @property
    def key_span(self) -> Span:
        key = self.key
        k0 = self.raw.find(key) if key else self.colon
        return span_in_line(self.line, self.raw, k0, k0 + len(key))

    @property
    def value_span(self) -> Span:
        v0 = self.value_index
        return span_in_line(self.line, self.raw, v0, v0 + len(self.value))

    @property
    def indented(self) -> bool:
        raw = self._raw  # (None: exactly `key: value`, which starts with its key)
        return raw is not None and raw[:1] in JS_SPACE_CHARS


class Item(Record):
    """One item of a comma-separated value."""

    __slots__ = ("text", "span")

    def __init__(self, text: str, span: Span):
        self.text = text
        self.span = span


class Frontmatter(Record):
    __slots__ = ("present", "entries", "fields", "skipped", "comments", "close_line", "body_start", "hidden_by",
                 "hidden_prefix", "unclosed", "plain_values")
    _fields = ("present", "entries", "fields", "skipped", "comments", "close_line", "body_start", "hidden_by",
               "hidden_prefix", "unclosed")

    def __init__(self, present: bool = False, entries: list[Entry] | None = None, fields: dict[str, Entry] | None = None,
                 skipped: list[int] | None = None, comments: list[int] | None = None, close_line: int | None = None,
                 body_start: int = 0, hidden_by: str | None = None, hidden_prefix: Span | None = None, unclosed: bool = False):
        self.present = present
        self.entries = [] if entries is None else entries
        self.fields = {} if fields is None else fields
        # (most blocks have neither: they share one empty tuple)
        self.skipped: list[int] | tuple[()] = () if skipped is None else skipped  # lines without ':' (ignored by pi-crew)
        self.comments: list[int] | tuple[()] = () if comments is None else comments  # lines starting with '#'
        self.close_line = close_line
        self.body_start = body_start
        self.hidden_by = hidden_by  # "BOM" | "blank line" | "spaces": CREW101
        self.hidden_prefix = hidden_prefix  # what to delete so the block becomes frontmatter
        self.unclosed = unclosed  # starts with '---' but never closes: CREW102
        # every entry is a one-line `key: value` with a value that starts no YAML construct (not indented, not
        # empty, no `|`, `>` or `[` first): CREW104 has nothing to look at (False: not known)
        self.plain_values = False

    def get(self, key: str) -> str | None:
        entry = self.fields.get(key)
        return entry.value if entry is not None else None


class Document(Record):
    """A parsed file: its frontmatter and where the body starts; its LSP lines are split on first use."""

    __slots__ = ("text", "_lines", "frontmatter", "crlf", "body_offset")
    _fields = ("text", "lines", "frontmatter", "crlf")

    def __init__(self, text: str, lines: list[str] | None, frontmatter: Frontmatter, crlf: bool, body_offset: int = 0):
        self.text = text
        self._lines = lines
        self.frontmatter = frontmatter
        self.crlf = crlf
        self.body_offset = body_offset  # Python offset of the line `frontmatter.body_start` (len(text) if none)

    @property
    def lines(self) -> list[str]:
        lines = self._lines
        if lines is None:
            lines = self._lines = split_lines(self.text)
        return lines

    def release_lines(self) -> None:
        """Forget the split lines (they are split again on the next use): an index of every file keeps only texts."""
        self._lines = None

    @property
    def newline(self) -> str:
        """The line ending inserted text should use: the document's own."""
        return "\r\n" if self.crlf else "\n"

    @property
    def body_lines(self) -> range:
        return range(self.frontmatter.body_start, len(self.lines))

    @property
    def body_text(self) -> str:
        """The body lines joined with ``\\n`` (``"\\n".join`` of the body lines, without splitting the file)."""
        body = self.text[self.body_offset :]
        if "\r" in body:
            body = body.replace("\r\n", "\n")
            if body.endswith("\r"):
                body = body[:-1]
        return body


def _closing_offset(text: str, start: int, crlf: bool) -> int:
    """Offset of the `\\n` that starts the closing `---`, or -1 (pi-crew's rule, on CRLF-normalised text).

    The block closes at the first `\\n---\\n`. Failing that, only the first `\\n---` counts, and only
    when it ends the file: a `----` line before a final `---`, or a final `---\\r`, leave the block
    open. ``start`` is just past the opening line, so line 1 can never close the block.
    """
    p = text.find("\n---\n", start)
    if crlf:
        q = text.find("\n---\r\n", start, p if p >= 0 else len(text))
        if q >= 0:
            p = q
    if p >= 0:
        return p
    p = text.find("\n---", start)
    return p if p >= 0 and p + 4 == len(text) else -1


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


def _add(fm: Frontmatter, attr: str, line: int) -> None:
    """Append to a list that starts as the shared empty tuple."""
    found = getattr(fm, attr)
    if found:
        found.append(line)
    else:
        setattr(fm, attr, [line])


class TextCache(dict):
    """What was worked out of a recurring text (a line, a list), by the text: bounded, emptied when full (a
    workspace's recurring texts fill it again at once). Lookups are the dict's own (`get`), on hot paths."""

    LONGEST = 256  # (a longer text is hardly written twice, and a hostile one must not stay in memory)
    SIZE = 4096

    def keep(self, text: str, found: object) -> None:
        if len(text) <= self.LONGEST:
            if len(self) >= self.SIZE:
                self.clear()
            self[text] = found


# A frontmatter line's reading by its text: most lines recur across the files of a workspace (`model: …`,
# `tools: …`, `thinking: high`), so each is read once. A `name` or `description` line is the file's own and
# is not kept.
_LINE_CACHE = TextCache()
_OWN_KEYS = frozenset(("name", "description"))
_YAML_STARTS = frozenset("|>[")


def _read_line(raw: str) -> tuple[str, str, bool, int, bool] | str:
    """A block line read: (key, value, whether the line is exactly `key: value`, index of its colon, whether
    `Frontmatter.plain_values` excludes it) for an entry, else the list it goes to (`comments`, `skipped`),
    or "" for a blank line."""
    before, colon, after = raw.partition(":")
    if not colon:
        stripped = raw.strip(JS_SPACE)
        found: tuple[str, str, bool, int, bool] | str = ("comments" if stripped[0] == "#" else "skipped") if stripped else ""
    else:
        key = before.strip(JS_SPACE)
        if key and key[0] == "#":  # the trimmed line starts with `#`
            found = "comments"
        else:
            value = after.strip(JS_SPACE)
            # `key: value` exactly (strip hands back the same string when it strips nothing): the line is kept as nothing
            plain = key is before and after[:1] == " " and len(after) == len(value) + 1
            # one string per distinct key and short value across the index (`name`, `model: gpt-5`, ...)
            key = intern(key)
            if len(value) < 48:
                value = intern(value)
            # (what CREW104 looks at: an indented line, an empty value, a block marker or a flow list)
            odd = not value or raw[0] in JS_SPACE_CHARS or value[0] in _YAML_STARTS
            found = (key, value, plain, len(before), odd)
            if key in _OWN_KEYS:
                return found
    _LINE_CACHE.keep(raw, found)
    return found


def forget_lines() -> None:
    """Empty the caches of block lines and lists read (they fill again as files are parsed)."""
    _LINE_CACHE.clear()
    _CSV_CACHE.clear()


def parse_document(text: str) -> Document:
    """Read a file's frontmatter exactly as pi-crew does (only the block's lines are looked at)."""
    fm = Frontmatter()
    crlf = "\r" in text and "\r\n" in text  # a one-character test first: it is a memchr
    body_offset = 0
    if text.startswith("---\n") or text.startswith("---\r\n"):
        first = text.index("\n")
        close_at = _closing_offset(text, first + 1, crlf)
        if close_at < 0:
            fm.unclosed = True
        else:
            block = text[first + 1 : close_at]
            raws = block.split("\n")
            if "\r" in block:
                raws = [r[:-1] if r.endswith("\r") else r for r in raws]
            entries = fm.entries
            fields = fm.fields
            cache_get = _LINE_CACHE.get
            plain_values = True
            i = 0
            for raw in raws:
                i += 1
                found = cache_get(raw)
                if found is None:
                    found = _read_line(raw)
                if found.__class__ is tuple:
                    key, value, plain, colon, odd = found
                    if odd:
                        plain_values = False
                    entry = Entry(key, value, i, None if plain else raw, colon)
                    entries.append(entry)
                    fields[key] = entry
                elif found:  # the name of the list the line goes to
                    _add(fm, found, i)
            fm.plain_values = plain_values
            close = i + 1
            fm.present = True
            fm.close_line = close
            fm.body_start = close + 1
            nl = text.find("\n", close_at + 1)
            body_offset = nl + 1 if nl >= 0 else len(text)
    else:
        hidden = _hidden_frontmatter(text)
        if hidden is not None:
            fm.hidden_by, fm.hidden_prefix = hidden
    return Document(text, None, fm, crlf, body_offset)


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


# `csv_texts` by value: the same lists (`read, grep, bash`, a step's `dependsOn`, a role's skills) recur
# across files and are asked for again by the checks.
_CSV_CACHE = TextCache()


def csv_texts(value: str) -> list[str]:
    """The item texts of ``split_csv`` (same order, same de-duplication), without spans (a new list each time).

    Each text is interned: the same tool, skill and model names fill the lists of thousands of files.
    """
    found = _CSV_CACHE.get(value)
    if found is None:
        if '"' in value:
            texts = [intern(p.replace('"', "").strip(JS_SPACE)) for p in _csv_pieces(value)]
        else:
            texts = [intern(p.strip(JS_SPACE)) for p in value.split(",")]
        if "" in texts:
            texts = [t for t in texts if t]
        if len(texts) > 1 and len(set(texts)) < len(texts):
            texts = list(dict.fromkeys(texts))
        _CSV_CACHE.keep(value, tuple(texts))
        return texts
    return list(found)


def comma_items(entry: Entry) -> list[Item]:
    """The items of a value split on `,` only: quotes are kept, duplicates too, empty items dropped."""
    items: list[Item] = []
    start = entry.value_index
    for piece in entry.value.split(","):
        text = js_trim(piece)
        if text:
            a = start + len(piece) - len(piece.lstrip(JS_SPACE))
            items.append(Item(text, span_in_line(entry.line, entry.raw, a, a + len(text))))
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
    return value.isascii() and value.isdigit() and int(value) > 0  # ASCII digits only (isdigit alone takes `¹`)


def parse_bool(value: str | None) -> bool | None:
    if value == "true":
        return True
    if value == "false":
        return False
    return None
