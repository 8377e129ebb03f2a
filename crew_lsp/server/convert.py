"""Core types ↔ LSP: spans ↔ ranges, paths ↔ file URIs, diagnostics and feature results.

Positions are UTF-16 columns on both sides (the server only offers `utf-16`), so a span maps onto
a range one to one. Diagnostics on the publishing hot path are built as plain dicts (no cattrs);
everything else is built as lsprotocol objects.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T
from pygls.uris import from_fs_path

from crew_lsp.resources.text import Span
from crew_lsp.server.uri_path import uri_to_path

if TYPE_CHECKING:
    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.server.profile import ClientProfile

SOURCE = "crew"


# ---------------------------------------------------------------- paths and URIs

class Uris:
    """path ↔ URI, remembering the exact URI a client used for a path (symlinks, encodings)."""

    def __init__(self) -> None:
        self._to_path: dict[str, str | None] = {}
        self._to_uri: dict[str, str] = {}

    def path(self, uri: str) -> str | None:
        try:
            return self._to_path[uri]
        except KeyError:
            pass
        path = uri_to_path(uri)
        if len(self._to_path) > 100_000:
            self._to_path.clear()
        self._to_path[uri] = path
        if path is not None:
            self._to_uri.setdefault(path, uri)
        return path

    def remember(self, uri: str) -> str | None:
        """Record the URI a client uses for a document; later results use that same spelling."""
        path = self.path(uri)
        if path is not None:
            self._to_uri[path] = uri
        return path

    def uri(self, path: str) -> str:
        try:
            return self._to_uri[path]
        except KeyError:
            uri = from_fs_path(path) or ("file://" + path)
            self._to_uri[path] = uri
            return uri


# ---------------------------------------------------------------- positions

def range_dict(span: Span) -> dict[str, Any]:
    return {"start": {"line": span.line, "character": span.start},
            "end": {"line": span.end_line, "character": span.end}}


def to_range(span: Span) -> T.Range:
    return T.Range(T.Position(span.line, span.start), T.Position(span.end_line, span.end))


def to_span(rng: T.Range) -> Span:
    return Span(rng.start.line, rng.start.character, rng.end.line, rng.end.character)


def overlaps(a: Span, b: Span) -> bool:
    """Touching counts: a cursor at either end of a diagnostic belongs to it."""
    return (a.line, a.start) <= (b.end_line, b.end) and (b.line, b.start) <= (a.end_line, a.end)


# ---------------------------------------------------------------- diagnostics

def _code_url(code: str) -> str:
    from crew_lsp.checks.codes import doc_url  # the checks load with the first index, not to answer `initialize`

    return doc_url(code)


def diagnostic_dict(d: Diagnostic, client: ClientProfile, uris: Uris) -> dict[str, Any]:
    """A diagnostic as LSP JSON (codeDescription and data always: clients that predate them ignore them)."""
    out: dict[str, Any] = {
        "range": range_dict(d.span),
        "severity": int(d.severity),
        "code": d.code,
        "source": SOURCE,
        "message": d.message,
        "codeDescription": {"href": _code_url(d.code)},
    }
    if d.data:
        out["data"] = d.data
    if d.related and client.related_information:
        out["relatedInformation"] = [
            {"location": {"uri": uris.uri(r.path), "range": range_dict(r.span)}, "message": r.message}
            for r in d.related
        ]
    if d.unnecessary and client.unnecessary_tag:
        out["tags"] = [1]
    return out


def dumps(value: Any) -> str:
    """Compact ASCII JSON (anything else escaped, lone surrogates too): sent as it is (diagnostics.py)."""
    return json.dumps(value, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


# ---------------------------------------------------------------- edits

def text_edit(span: Span, new_text: str) -> T.TextEdit:
    return T.TextEdit(range=to_range(span), new_text=new_text)


def workspace_edit(edit: Any, uris: Uris, client: ClientProfile, versions: dict[str, int] | None = None) -> T.WorkspaceEdit | None:
    """A crew_lsp.language.types.WorkspaceEdit as LSP; None when the client cannot apply it."""
    versions = versions or {}
    creates = list(getattr(edit, "creates", []) or [])
    if creates and not client.can_create:
        return None
    if client.document_changes or creates:
        changes: list[Any] = []
        for path, text in creates:
            uri = uris.uri(path)
            changes.append(T.CreateFile(uri=uri, options=T.CreateFileOptions(ignore_if_exists=True)))
            if text:
                changes.append(T.TextDocumentEdit(
                    text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                    edits=[T.TextEdit(range=T.Range(T.Position(0, 0), T.Position(0, 0)), new_text=text)],
                ))
        for path, edits in edit.changes.items():
            changes.append(T.TextDocumentEdit(
                text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uris.uri(path), version=versions.get(path)),
                edits=[text_edit(e.span, e.new_text) for e in edits],
            ))
        return T.WorkspaceEdit(document_changes=changes)
    return T.WorkspaceEdit(changes={uris.uri(p): [text_edit(e.span, e.new_text) for e in es] for p, es in edit.changes.items()})


# ---------------------------------------------------------------- kinds

COMPLETION_KINDS = {
    "key": T.CompletionItemKind.Property,
    "value": T.CompletionItemKind.Value,
    "agent": T.CompletionItemKind.Class,
    "role": T.CompletionItemKind.Field,
    "step": T.CompletionItemKind.Function,
    "skill": T.CompletionItemKind.Module,
    "model": T.CompletionItemKind.Constant,
    "workflow": T.CompletionItemKind.Module,
    "team": T.CompletionItemKind.Module,
    "snippet": T.CompletionItemKind.Snippet,
    "placeholder": T.CompletionItemKind.Variable,
    "keyword": T.CompletionItemKind.Keyword,
    "enum": T.CompletionItemKind.EnumMember,
}

SYMBOL_KINDS = {
    "field": T.SymbolKind.Property,
    "key": T.SymbolKind.Property,
    "role": T.SymbolKind.Field,
    "step": T.SymbolKind.Function,
    "agent": T.SymbolKind.Class,
    "team": T.SymbolKind.Module,
    "workflow": T.SymbolKind.Namespace,
    "skill": T.SymbolKind.Package,
    "config": T.SymbolKind.File,
    "section": T.SymbolKind.Namespace,
}

FOLD_KINDS = {"comment": T.FoldingRangeKind.Comment, "imports": T.FoldingRangeKind.Imports,
              "region": T.FoldingRangeKind.Region}
