"""Diagnostics ↔ the cache's compact JSON, exact both ways, and nothing a reader must trust.

A file's diagnostics are ``[path, [diagnostic, ...]]``; a diagnostic is
``[code, severity, line, start, end_line, end, message, data, related, unnecessary]`` with `data` a JSON
object or null and `related` a list of ``[path, line, start, end_line, end, message]``. Decoding checks
every field's type (a cache file is read like any untrusted input): one wrong field and the whole file
is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from crew_lsp.checks.codes import CODES, Severity
from crew_lsp.checks.diagnostic import Diagnostic, Related
from crew_lsp.resources.text import Span

_SEVERITIES = {int(s): s for s in Severity}


class Unstorable(Exception):
    """The diagnostics hold a value JSON cannot carry exactly."""


def json_default(value: object) -> object:
    """`data` as JSON: sets as sorted lists (as the server sends them); anything else JSON lacks is refused."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise Unstorable(type(value).__name__)


def encode(found: Mapping[str, list[Diagnostic]]) -> list[list]:
    """The files with diagnostics, in path order."""
    out = []
    for path in sorted(found):
        diags = found[path]
        if diags:
            out.append([path, [[d.code, int(d.severity), *d.span, d.message, d.data or None,
                                [[r.path, *r.span, r.message] for r in d.related] or None, 1 if d.unnecessary else 0]
                               for d in diags]])
    return out


def _span(values: list) -> Span | None:
    return Span(*values) if all(type(v) is int and v >= 0 for v in values) else None


def decode(files: object) -> dict[str, list[Diagnostic]] | None:
    """The diagnostics of a cache file's `files`; None when anything is out of shape."""
    if type(files) is not list:
        return None
    out: dict[str, list[Diagnostic]] = {}
    for item in files:
        if type(item) is not list or len(item) != 2 or type(item[0]) is not str or type(item[1]) is not list or not item[1]:
            return None
        path, raw = item
        diags = []
        for d in raw:
            if type(d) is not list or len(d) != 10:
                return None
            code, severity, line, start, end_line, end, message, data, related, unnecessary = d
            span = _span([line, start, end_line, end])
            if (span is None or type(code) is not str or code not in CODES or severity not in _SEVERITIES or type(severity) is not int
                    or type(message) is not str or (data is not None and type(data) is not dict) or unnecessary not in (0, 1)
                    or type(unnecessary) is not int):
                return None
            links = []
            if related is not None:
                if type(related) is not list:
                    return None
                for r in related:
                    if type(r) is not list or len(r) != 6 or type(r[0]) is not str or type(r[5]) is not str:
                        return None
                    where = _span(r[1:5])
                    if where is None:
                        return None
                    links.append(Related(r[0], where, r[5]))
            diags.append(Diagnostic(code, _SEVERITIES[severity], span, message, data, links, bool(unnecessary)))
        out[path] = diags
    return out


def redaction_changes(files: list[list]) -> bool:
    """Whether the project's redaction would change any text of these diagnostics (then they are not stored:
    the cache holds what the checks said, exactly, or nothing).

    The paths and messages are tested as one text, one per line: no rule matches across a line break
    except a private key block, which then matches too, so the joined text changes whenever one of them
    would (at worst a block spanning two messages keeps a folder out of the cache). `data` objects are
    tested one by one: their keys can hold a secret's name.
    """
    from crew_lsp.telemetry.redact import redact, redact_text

    texts = []
    for path, diags in files:
        texts.append(path)
        for d in diags:
            texts.append(d[6])
            if d[7] is not None and redact(d[7]) != d[7]:
                return True
            for r in d[8] or ():
                texts += (r[0], r[5])
    joined = "\n".join(texts)
    return redact_text(joined) != joined
