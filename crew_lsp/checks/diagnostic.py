"""The Diagnostic record, fixes carried in `data`, and the per-file finishing touches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crew_lsp.checks.codes import CODES, Severity
from crew_lsp.resources.text import Span


@dataclass(slots=True)
class Related:
    path: str
    span: Span
    message: str


@dataclass(slots=True)
class Diagnostic:
    code: str
    severity: Severity
    span: Span
    message: str
    data: dict[str, Any] | None = None
    related: list[Related] = field(default_factory=list)
    unnecessary: bool = False

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


def finish(diags: list[Diagnostic], text: str, overrides: dict[str, str] | None = None) -> list[Diagnostic]:
    """Apply suppression comments and per-code severity settings; sort by position."""
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
    out.sort(key=Diagnostic.sort_key)
    return out
