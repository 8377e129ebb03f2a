"""The Diagnostic record, fixes carried in `data`, and the per-file finishing touches."""

from __future__ import annotations

import re

from crew_lsp.checks.codes import CODES, Severity
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import Span

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` does not import typing)
if TYPE_CHECKING:
    from typing import Any


class Related(Record):
    __slots__ = ("path", "span", "message")

    def __init__(self, path: str, span: Span, message: str):
        self.path = path
        self.span = span
        self.message = message


class Diagnostic(Record):
    __slots__ = ("code", "severity", "span", "message", "data", "related", "unnecessary")

    def __init__(self, code: str, severity: Severity, span: Span, message: str, data: dict[str, Any] | None = None,
                 related: list[Related] | None = None, unnecessary: bool = False):
        self.code = code
        self.severity = severity
        self.span = span
        self.message = message
        self.data = data
        self.related = [] if related is None else related
        self.unnecessary = unnecessary

    def sort_key(self) -> tuple:
        return (self.span.line, self.span.start, self.code)


def diag(code: str, span: Span, message: str, *, severity: Severity | None = None, fixes: list[dict] | None = None,
         data: dict[str, Any] | None = None, related: list[Related] | None = None) -> Diagnostic:
    payload = dict(data or {})
    if fixes:
        payload["fixes"] = fixes
    return Diagnostic(code, severity if severity is not None else CODES[code][0], span, message, payload or None, related or [])


def edit(span: Span, new_text: str) -> list:
    return [span.line, span.start, span.end_line, span.end, new_text]


def fix(title: str, *edits: list, preferred: bool = False) -> dict:
    """A quick fix: edits are [line, char, endLine, endChar, newText] in the diagnostic's file."""
    out: dict[str, Any] = {"title": title, "edits": list(edits)}
    if preferred:
        out["isPreferred"] = True
    return out


def create_fix(title: str, path: str, text: str) -> dict:
    return {"title": title, "create": {"path": path, "text": text}}


_DISABLE = re.compile(r"crew-lsp:\s*disable=([A-Za-z0-9_, ]+)")

SEVERITY_NAMES = {"error": Severity.ERROR, "warning": Severity.WARNING, "information": Severity.INFORMATION,
                  "info": Severity.INFORMATION, "hint": Severity.HINT}


def suppressed_codes(text: str) -> set[str]:
    """Codes silenced by `# crew-lsp: disable=…` (frontmatter) or `<!-- crew-lsp: disable=… -->`."""
    if "crew-lsp:" not in text:
        return set()
    codes: set[str] = set()
    for m in _DISABLE.finditer(text):
        codes.update(c.strip().upper() for c in m.group(1).split(",") if c.strip())
    return codes


# A hostile file (a 5,000-step cycle, thousands of unknown keys) would list a diagnostic per line: the
# editor and the CLI get the most severe MAX_PER_FILE, then one CREW001 saying how many more there are.
MAX_PER_FILE = 1_000
TRUNCATED = "CREW001"


def finish(diags: list[Diagnostic], text: str, overrides: dict[str, str] | None = None) -> list[Diagnostic]:
    """Apply suppression comments and per-code severity settings; cap the count; sort by position."""
    if not diags:
        return []
    silenced = suppressed_codes(text)
    out: list[Diagnostic] = []
    for d in diags:
        if d.code in silenced:
            continue
        if overrides and d.code in overrides:
            level = overrides[d.code].lower()
            if level == "off":
                continue
            if level in SEVERITY_NAMES:
                d.severity = SEVERITY_NAMES[level]
        out.append(d)
    if len(out) > MAX_PER_FILE:
        out = _capped(out, silenced, overrides)
    out.sort(key=Diagnostic.sort_key)
    return out


def _capped(diags: list[Diagnostic], silenced: set[str], overrides: dict[str, str] | None) -> list[Diagnostic]:
    diags.sort(key=lambda d: (d.severity, d.sort_key()))
    kept, hidden = diags[:MAX_PER_FILE], diags[MAX_PER_FILE:]
    level = (overrides or {}).get(TRUNCATED, "").lower()
    if TRUNCATED in silenced or level == "off":
        return kept
    severity = SEVERITY_NAMES.get(level, hidden[0].severity)  # by default as severe as the worst it hides
    kept.append(Diagnostic(TRUNCATED, severity, Span(0, 0, 0, 0),
                           f"{len(hidden):,} more problems in this file are not shown: at most {MAX_PER_FILE:,} are listed per file, the most severe first."))
    return kept
