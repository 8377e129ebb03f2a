"""`want` markers: the expectations of a golden fixture, written next to the text they are about.

The syntax is documented in golden/README.md. In short, a markdown file holds marker lines such as

    - executor: agent=exector
    <!-- want CREW201 at "exector" "unknown agent" fix "Change to `executor`" -->

which state one expected diagnostic on the nearest line above that is not a marker. Files that cannot
hold comments (JSON) have a sidecar `<file>.want` whose lines are `line <N>: want …` with N counted
from 1. Markers are removed whole (with their line ending) before checking, so every other line keeps
its number and columns; ranges are computed on that stripped text.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from crew_lsp.resources.text import utf16_len
from crew_lsp.resources.versions import BASELINE, NEWEST, Version, parse_version

SIDECAR = ".want"
SEVERITIES = ("error", "warning", "information", "hint")

_SELECTOR = r"(?:@(?P<versions><?\d+\.\d+(?:\.\d+)?))?"  # `want@0.9.15` (from that version on), `want@<0.9.15` (before it)
_INLINE = re.compile(r"^[ \t]*<!--[ \t]*want" + _SELECTOR + r"\b(?P<body>.*?)-->[ \t]*\r?$")
_SIDECAR_LINE = re.compile(r"^line[ \t]+(?P<line>\d+)[ \t]*:[ \t]*want" + _SELECTOR + r"\b(?P<body>.*)$")
_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z0-9_]+)|(?P<bad>\S+))')


class MarkerError(ValueError):
    """A marker that cannot be read or does not fit the text it is next to."""


@dataclass(frozen=True)
class Want:
    """One expected diagnostic, as a marker states it."""

    path: str  # relative to the fixture folder, with `/`
    line: int  # 0-based line of the stripped text the marker is about
    code: str
    severity: str | None  # None: the code's own severity
    at: str  # the text the range covers
    within: str | None  # a longer piece of the line that holds `at` exactly once, when `at` alone is ambiguous
    fragments: tuple[str, ...]  # pieces of the message
    fix: str | None  # a piece of the first quick fix's title; None: the diagnostic offers no fix
    versions: str | None = None  # `0.9.15`: checked as that pi-crew version or a later one; `<0.9.15`: before it; None: always

    @property
    def bound(self) -> Version | None:
        """The version the selector names (None without a selector)."""
        return parse_version(self.versions.lstrip("<")) if self.versions else None

    def applies(self, version: Version) -> bool:
        """Whether the diagnostic is expected when the workspace is read as ``version``."""
        bound = self.bound
        if bound is None:
            return True
        return version < bound if self.versions.startswith("<") else version >= bound  # type: ignore[union-attr]


@dataclass
class Pinned:
    """A `Want` with its range resolved on the stripped text."""

    want: Want
    range: list[int]  # [line, character, endLine, endCharacter], UTF-16 columns


def parse_body(body: str, path: str, line: int, versions: str | None = None) -> Want:
    """Read what follows `want` in a marker: `CODE [severity] at "text" [in "context"] "fragment"… [fix "title"]`."""
    tokens: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(body.strip()):
        if m.group("bad"):
            raise MarkerError(f"{path}:{line + 1}: unexpected {m.group('bad')!r} in marker")
        if m.group("string"):
            tokens.append(("string", json.loads(m.group("string"))))
        elif m.group("word"):
            tokens.append(("word", m.group("word")))

    def fail(why: str) -> MarkerError:
        return MarkerError(f"{path}:{line + 1}: {why} in marker `want{body}`")

    def take_string(after: str) -> str:
        if not tokens or tokens[0][0] != "string":
            raise fail(f'expected a quoted string after `{after}`')
        return tokens.pop(0)[1]

    if not tokens or tokens[0][0] != "word" or not re.fullmatch(r"CREW\d{3}", tokens[0][1]):
        raise fail("expected a code such as CREW201 first")
    code = tokens.pop(0)[1]
    severity = None
    if tokens and tokens[0] in {("word", s) for s in SEVERITIES}:
        severity = tokens.pop(0)[1]
    if tokens[:1] != [("word", "at")]:
        raise fail('expected `at "<text the range covers>"`')
    tokens.pop(0)
    at = take_string("at")
    within = None
    if tokens[:1] == [("word", "in")]:
        tokens.pop(0)
        within = take_string("in")
    fragments = []
    while tokens and tokens[0][0] == "string":
        fragments.append(tokens.pop(0)[1])
    fix = None
    if tokens[:1] == [("word", "fix")]:
        tokens.pop(0)
        fix = take_string("fix")
    if tokens:
        raise fail(f"unexpected {tokens[0][1]!r}")
    if not fragments:
        raise fail("expected at least one quoted piece of the message")
    return Want(path, line, code, severity, at, within, tuple(fragments), fix, versions)


def strip_inline(text: str, path: str) -> tuple[str, list[Want]]:
    """Remove the marker lines of ``text``; return the stripped text and the markers, each pointed at its line.

    A marker line goes with its line ending. When the file ends with markers that have no line ending,
    the line ending before them goes too, so a fixture can end without a newline.
    """
    kept: list[str] = []
    wants: list[Want] = []
    ends_in_open_marker = False
    for raw in text.splitlines(keepends=True):
        m = _INLINE.match(raw.rstrip("\n"))
        if m is None:
            kept.append(raw)
            ends_in_open_marker = False
            continue
        if not kept:
            raise MarkerError(f"{path}:1: a marker needs a line above it to be about")
        wants.append(parse_body(m.group("body"), path, len(kept) - 1, m.group("versions")))
        ends_in_open_marker = not raw.endswith("\n")
    if ends_in_open_marker:
        last = kept[-1]
        kept[-1] = last[:-2] if last.endswith("\r\n") else last[:-1]
    return "".join(kept), wants


def read_sidecar(text: str, path: str) -> list[Want]:
    """The markers of a `<file>.want` sidecar, about ``path``."""
    wants = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = _SIDECAR_LINE.match(raw.strip())
        if m is None:
            raise MarkerError(f"{path}{SIDECAR}:{n}: expected `line <N>: want …`, got {raw!r}")
        wants.append(parse_body(m.group("body"), path, int(m.group("line")) - 1, m.group("versions")))
    return wants


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return line, utf16_len(text[start:offset])


def pin(want: Want, text: str) -> Pinned:
    """Resolve the range a marker states on the stripped ``text`` of its file.

    `at "T"`: the first `T` that starts on the marked line (`at ""`: the line's start, an empty range).
    `at "T" in "C"`: the first `C` that starts on
    the marked line must hold `T` exactly once (an empty `T` is the start of `C`). Either may run onto
    the following lines through `\\n`.
    """
    lines = text.split("\n")
    where = f"{want.path}:{want.line + 1}"
    if want.line >= len(lines):
        raise MarkerError(f"{where}: the file has only {len(lines)} lines")
    line_start = sum(len(s) + 1 for s in lines[: want.line])
    line_end = line_start + len(lines[want.line])
    if want.at == "" and want.within is None:
        return Pinned(want, [want.line, 0, want.line, 0])  # `at ""`: the start of the line
    anchor = want.within if want.within is not None else want.at
    found = text.find(anchor, line_start)
    if found < 0 or found > line_end:
        raise MarkerError(f"{where}: {anchor!r} does not start on this line: {lines[want.line]!r}")
    start = found
    if want.within is not None and want.at:
        inner = want.within.find(want.at)
        if inner < 0 or want.within.find(want.at, inner + 1) >= 0:
            raise MarkerError(f"{where}: {want.at!r} must occur exactly once in {want.within!r}")
        start += inner
    return Pinned(want, [*_position(text, start), *_position(text, start + len(want.at))])


def _marked_files(fixture: Path):
    """``(relative path, stripped text, markers)`` of every text file of ``fixture``, sidecars included."""
    for file in sorted(p for p in fixture.rglob("*") if p.is_file() and not p.name.endswith(SIDECAR)):
        rel = file.relative_to(fixture).as_posix()
        data = file.read_bytes()
        if holds_markers(data):
            stripped, wants = strip_inline(data.decode("utf-8"), rel)
        else:  # a binary or non-UTF-8 file: only a sidecar speaks about it
            stripped, wants = data.decode("utf-8", errors="replace"), []
        sidecar = file.with_name(file.name + SIDECAR)
        if sidecar.is_file():
            wants += read_sidecar(sidecar.read_text(encoding="utf-8"), rel)
        yield rel, stripped, wants
    orphans = [p for p in fixture.rglob(f"*{SIDECAR}") if not p.with_name(p.name[: -len(SIDECAR)]).is_file()]
    if orphans:
        raise MarkerError(f"sidecar without its file: {orphans[0].relative_to(fixture)}")


def holds_markers(data: bytes) -> bool:
    """Whether a file can carry inline markers: UTF-8 text without NUL bytes."""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_wants(fixture: Path) -> list[Want]:
    """Every expectation the files of ``fixture`` state."""
    return [w for _, _, wants in _marked_files(fixture) for w in wants]


def fixture_versions(wants: list[Want]) -> list[Version]:
    """The pi-crew versions a fixture is checked as: 0.2.0, and when a marker names a version, that
    version and the newest known too (so each versioned rule is seen before, from and at the newest)."""
    bounds = {w.bound for w in wants if w.bound is not None}
    return sorted({BASELINE.version, *bounds, NEWEST} if bounds else {BASELINE.version})


def materialise(fixture: Path, dst: Path, version: Version | None = None) -> tuple[Path, list[Pinned]]:
    """Write ``fixture`` to ``dst`` without its markers and sidecars; return the copy and every
    expectation (those for ``version`` only, when given)."""
    pinned: list[Pinned] = []
    files = list(_marked_files(fixture))
    shutil.copytree(fixture, dst, ignore=shutil.ignore_patterns(f"*{SIDECAR}"))
    for rel, stripped, wants in files:
        if wants and holds_markers((fixture / rel).read_bytes()):
            (dst / rel).write_bytes(stripped.encode("utf-8"))
        pinned += [pin(w, stripped) for w in wants if version is None or w.applies(version)]
    (dst / ".crew").mkdir(exist_ok=True)  # stops the repo-root walk at the fixture
    return dst, pinned


def _invisible(c: str) -> bool:
    """Characters a reader cannot see in a marker (a BOM, control and format characters, odd spaces)."""
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or (unicodedata.category(c) == "Zs" and c != " ")


def format_body(code: str, severity: str | None, at: str, within: str | None, fragments, fix: str | None) -> str:
    """The marker text after `want` (the inverse of `parse_body`)."""

    def q(s: str) -> str:
        quoted = json.dumps(s, ensure_ascii=False)
        return "".join(f"\\u{ord(c):04x}" if _invisible(c) else c for c in quoted)

    parts = [code] + ([severity] if severity else []) + ["at", q(at)]
    if within is not None:
        parts += ["in", q(within)]
    parts += [q(f) for f in fragments]
    if fix is not None:
        parts += ["fix", q(fix)]
    return " ".join(parts)


def locate(text: str, rng: list[int]) -> tuple[str, str | None]:
    """The shortest `at`/`in` pair that pins ``rng`` on ``text``; raises MarkerError when there is none."""
    lines = text.split("\n")
    line, start_col, end_line, end_col = rng
    if line >= len(lines) or end_line >= len(lines):
        raise MarkerError(f"range {rng} lies past the end of the text")

    def offset(ln: int, col: int) -> int:
        base = sum(len(s) + 1 for s in lines[:ln])
        units = 0
        for i, ch in enumerate(lines[ln]):
            if units >= col:
                return base + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return base + len(lines[ln])

    s, e = offset(line, start_col), offset(end_line, end_col)
    line_start = offset(line, 0)
    covered = text[s:e]
    if covered and text.find(covered, line_start) == s or not covered and s == line_start:
        return covered, None
    limit = len(text)
    for grow in range(1, limit + 1):
        for left in range(0, grow + 1):
            right = grow - left
            a, b = s - left, e + right
            if a < line_start or b > limit:
                continue
            context = text[a:b]
            if covered and (context.find(covered) != left or context.find(covered, left + 1) >= 0):
                continue
            if not covered and left:
                continue
            if text.find(context, line_start) == a:
                return covered, context
    raise MarkerError(f"range {rng} cannot be pinned by text on its line")
