"""LSP requests → the pure feature functions of `crew_lsp.language` (see its `__init__` contract).

Every handler reads one consistent snapshot (the owner folder's, taken once). A handler is registered
with `@on_document` (a request about one document) or `@feature` and its registration options
(`feature_registry.py`: exception-safe, cancellable, bound to the session by `register`). The
`crew_lsp.language` module of a feature is imported on its first request, not before `initialize` is
answered.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

from crew_lsp.resources.text import Span
from crew_lsp.server.convert import (
    COMPLETION_KINDS, FOLD_KINDS, SYMBOL_KINDS, overlaps, text_edit, to_range, to_span, workspace_edit,
)
from crew_lsp.server.errors import REQUEST_FAILED
from crew_lsp.server.feature_registry import Ctx, feature, on_document, register

if TYPE_CHECKING:
    from crew_lsp.server.session import Session

__all__ = ["register"]  # (this module's handlers register themselves when it is imported)

FIX_ALL_KIND = "source.fixAll.crew"
EXPORT_KIND = "source.crew.export"
COMPLETION_TRIGGERS = ["=", ":", ",", "{", " "]


def _semantic_tokens_legend() -> T.SemanticTokensLegend:
    from crew_lsp.language.tokens import TOKEN_MODIFIERS, TOKEN_TYPES

    return T.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS))


# ---------------------------------------------------------------- handlers

@on_document(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS, resolve_provider=False))
async def _completion(session: Session, ctx: Ctx, params: T.CompletionParams) -> T.CompletionList | None:
    from crew_lsp.language.completion import complete

    client = session.client
    pos = params.position
    items = complete(ctx.res, ctx.snap, pos.line, pos.character, client.snippets)
    out = []
    markdown = client.completion_markdown
    for it in items:
        if it.snippet and not client.snippets:
            continue
        item = T.CompletionItem(label=it.label, kind=COMPLETION_KINDS.get(it.kind, T.CompletionItemKind.Text))
        if it.detail:
            item.detail = it.detail
        if it.documentation:
            item.documentation = (T.MarkupContent(kind=T.MarkupKind.Markdown, value=it.documentation) if markdown
                                  else it.documentation)
        new_text = it.insert_text if it.insert_text is not None else it.label
        if it.replace is not None:
            item.text_edit = text_edit(it.replace, new_text)
        elif it.insert_text is not None:
            item.insert_text = it.insert_text
        if it.snippet:
            item.insert_text_format = T.InsertTextFormat.Snippet
        if it.sort_text:
            item.sort_text = it.sort_text
        out.append(item)
    return T.CompletionList(is_incomplete=False, items=out)


@on_document(T.TEXT_DOCUMENT_HOVER)
async def _hover(session: Session, ctx: Ctx, params: T.HoverParams) -> T.Hover | None:
    from crew_lsp.language.hover import hover

    pos = params.position
    found = hover(ctx.res, ctx.snap, pos.line, pos.character)
    if found is None:
        return None
    kind = T.MarkupKind.Markdown if session.client.hover_markdown else T.MarkupKind.PlainText
    return T.Hover(contents=T.MarkupContent(kind=kind, value=found.markdown), range=to_range(found.span))


def _locations(session: Session, found: list) -> list[T.Location]:
    seen = set()
    out = []
    for loc in found:
        key = (loc.path, tuple(loc.span))
        if key in seen:
            continue
        seen.add(key)
        out.append(T.Location(uri=session.uris.uri(loc.path), range=to_range(loc.span)))
    return out


@on_document(T.TEXT_DOCUMENT_DEFINITION, empty=list)
async def _definition(session: Session, ctx: Ctx, params: T.DefinitionParams) -> list[T.Location]:
    from crew_lsp.language.navigation import definition

    pos = params.position
    return _locations(session, definition(ctx.res, ctx.snap, pos.line, pos.character))


@on_document(T.TEXT_DOCUMENT_REFERENCES, empty=list)
async def _references(session: Session, ctx: Ctx, params: T.ReferenceParams) -> list[T.Location]:
    from crew_lsp.language.navigation import references

    pos = params.position
    include = bool(params.context.include_declaration) if params.context else True
    return _locations(session, references(ctx.res, ctx.snap, pos.line, pos.character, include))


def _refused(exc: Exception) -> JsonRpcException:
    return JsonRpcException(message=str(exc) or "This cannot be renamed.", code=REQUEST_FAILED)


@on_document(T.TEXT_DOCUMENT_PREPARE_RENAME)
async def _prepare_rename(session: Session, ctx: Ctx, params: T.PrepareRenameParams) -> T.Range | None:
    from crew_lsp.language.rename import prepare_rename
    from crew_lsp.language.types import RenameRefused

    pos = params.position
    try:
        span = prepare_rename(ctx.res, ctx.snap, pos.line, pos.character)
    except RenameRefused as exc:
        raise _refused(exc) from None
    return to_range(span) if span is not None else None


@on_document(T.TEXT_DOCUMENT_RENAME)
async def _rename(session: Session, ctx: Ctx, params: T.RenameParams) -> T.WorkspaceEdit | None:
    from crew_lsp.language.rename import rename
    from crew_lsp.language.types import RenameRefused

    pos = params.position
    try:
        edit = rename(ctx.res, ctx.snap, pos.line, pos.character, params.new_name)
    except RenameRefused as exc:
        raise _refused(exc) from None
    if edit is None:
        return None
    return workspace_edit(edit, session.uris, session.client, _versions(session))


def _versions(session: Session) -> dict[str, int]:
    return {path: doc.version for path, doc in session.docs.items()}


def _contain(outer: Span, inner: Span) -> Span:
    """The smallest span holding both (LSP wants selectionRange inside range)."""
    start = min((outer.line, outer.start), (inner.line, inner.start))
    end = max((outer.end_line, outer.end), (inner.end_line, inner.end))
    return Span(start[0], start[1], end[0], end[1])


def _doc_symbol(sym: Any) -> T.DocumentSymbol:
    full = _contain(sym.span, sym.selection)
    return T.DocumentSymbol(
        name=sym.name or " ", kind=SYMBOL_KINDS.get(sym.kind, T.SymbolKind.Key), range=to_range(full),
        selection_range=to_range(sym.selection), detail=sym.detail or None,
        children=[_doc_symbol(c) for c in sym.children] or None,
    )


@on_document(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL, empty=list)
async def _document_symbols(session: Session, ctx: Ctx, params: T.DocumentSymbolParams) -> list:
    from crew_lsp.language.symbols import document_symbols

    symbols = document_symbols(ctx.res)
    if session.client.hierarchical_symbols:
        return [_doc_symbol(s) for s in symbols]
    uri = session.uris.uri(ctx.path)
    flat: list[T.SymbolInformation] = []

    def walk(items: list, container: str | None) -> None:
        for s in items:
            flat.append(T.SymbolInformation(name=s.name or " ", kind=SYMBOL_KINDS.get(s.kind, T.SymbolKind.Key),
                                            location=T.Location(uri=uri, range=to_range(s.span)), container_name=container))
            walk(s.children, s.name)

    walk(symbols, None)
    return flat


@feature(T.WORKSPACE_SYMBOL, empty=list)
async def _workspace_symbols(session: Session, params: T.WorkspaceSymbolParams) -> list[T.SymbolInformation]:
    from crew_lsp.language.symbols import workspace_symbols

    out: list[T.SymbolInformation] = []
    seen: set[tuple[str, str]] = set()
    for folder in list(session.project.folders):
        if not await session.folder_ready(folder):
            continue
        for sym in workspace_symbols(folder.snapshot, params.query or ""):
            key = (sym.location.path, sym.name)
            if key in seen:
                continue
            seen.add(key)
            out.append(T.SymbolInformation(
                name=sym.name, kind=SYMBOL_KINDS.get(sym.kind, T.SymbolKind.File),
                location=T.Location(uri=session.uris.uri(sym.location.path), range=to_range(sym.location.span)),
                container_name=sym.scope,
            ))
        await asyncio.sleep(0)
    return out


# ---------------------------------------------------------------- code actions

def _kind_allowed(kind: str, only: list[str] | None) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


# the kinds are advertised to clients with code action literals only (capabilities.py); the others get none
@on_document(T.TEXT_DOCUMENT_CODE_ACTION,
             T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL_KIND, EXPORT_KIND], resolve_provider=False),
             empty=list)
async def _code_action(session: Session, ctx: Ctx, params: T.CodeActionParams) -> list[T.CodeAction]:
    from crew_lsp.language.actions import code_actions

    if not session.client.code_action_literals:
        return []
    checked = session.diagnostics.current(ctx.path)
    if checked is None:
        return []
    span = to_span(params.range)
    only = [str(getattr(k, "value", k)) for k in params.context.only] if params.context.only else None
    here = [d for d in checked.diags if overlaps(d.span, span)]
    by_index = {id(d): i for i, d in enumerate(checked.diags)}
    # the whole file's diagnostics: quick fixes are picked by range there, `source.fixAll.crew` takes them all
    found = code_actions(ctx.res, ctx.snap, checked.diags, span, only)
    converter = session.converter
    out: list[T.CodeAction] = []
    for action in found:
        if not _kind_allowed(action.kind, only):
            continue
        edit = workspace_edit(action.edit, session.uris, session.client, _versions(session))
        if edit is None:
            continue  # e.g. a file creation the client cannot apply
        pool = checked.diags if action.kind == FIX_ALL_KIND else here
        related = [converter.structure(checked.items[by_index[id(d)]], T.Diagnostic)
                   for d in pool if d.code in action.codes]
        out.append(T.CodeAction(title=action.title, kind=action.kind, diagnostics=related or None, edit=edit,
                                is_preferred=True if action.preferred else None))
    if only is not None and _kind_allowed(EXPORT_KIND, only) and ctx.res.kind in ("agent", "team", "workflow", "skill"):
        from crew_lsp.language.export import TARGETS

        # a command, not an edit: the files are worked out (and previewed) only when one is chosen
        out += [T.CodeAction(title=f"Export to {tool}", kind=EXPORT_KIND,
                             command=T.Command(title=f"Export to {tool}", command="crew.export",
                                               arguments=[{"target": target, "path": ctx.path}]))
                for target, tool in TARGETS.items()]
    return out


# ---------------------------------------------------------------- decorations

@on_document(T.TEXT_DOCUMENT_CODE_LENS, T.CodeLensOptions(resolve_provider=False), empty=list)
async def _code_lens(session: Session, ctx: Ctx, params: T.CodeLensParams) -> list[T.CodeLens]:
    from crew_lsp.language.lenses import code_lenses

    return [T.CodeLens(range=to_range(lens.span), command=T.Command(title=lens.title, command=lens.command,
                                                                      arguments=_lens_arguments(ctx, lens)))
            for lens in code_lenses(ctx.res, ctx.snap)]


def _lens_arguments(ctx: Ctx, lens: Any) -> list[Any] | None:
    """Run/plan lenses carry no goal: mark them (`fromLens`, see run_commands) and name their folder."""
    args = list(lens.arguments)
    if lens.command in ("crew.run", "crew.plan") and len(args) == 1 and isinstance(args[0], dict):
        args[0] = {**args[0], "fromLens": True, "folder": str(ctx.folder.path)}
    return args or None


@on_document(T.TEXT_DOCUMENT_INLAY_HINT, empty=list)
async def _inlay_hints(session: Session, ctx: Ctx, params: T.InlayHintParams) -> list[T.InlayHint]:
    from crew_lsp.language.hints import inlay_hints

    rng = params.range
    return [T.InlayHint(position=T.Position(hint.line, hint.character), label=hint.label,
                        padding_left=True, tooltip=hint.tooltip or None)
            for hint in inlay_hints(ctx.res, ctx.snap, rng.start.line, rng.end.line)]


@on_document(T.TEXT_DOCUMENT_FOLDING_RANGE, empty=list)
async def _folding(session: Session, ctx: Ctx, params: T.FoldingRangeParams) -> list[T.FoldingRange]:
    from crew_lsp.language.structure import folding_ranges

    out = [T.FoldingRange(start_line=f.start_line, end_line=f.end_line, kind=FOLD_KINDS.get(f.kind, T.FoldingRangeKind.Region))
           for f in folding_ranges(ctx.res) if f.end_line > f.start_line]
    limit = session.client.folding_limit
    return out[:limit] if isinstance(limit, int) and limit > 0 else out


@on_document(T.TEXT_DOCUMENT_DOCUMENT_LINK, T.DocumentLinkOptions(resolve_provider=False), empty=list)
async def _links(session: Session, ctx: Ctx, params: T.DocumentLinkParams) -> list[T.DocumentLink]:
    from crew_lsp.language.structure import document_links

    tooltips = session.client.link_tooltip
    return [T.DocumentLink(range=to_range(link.span), target=session.uris.uri(link.target),
                           tooltip=(link.tooltip or None) if tooltips else None)
            for link in document_links(ctx.res, ctx.snap)]


# exact: VS Code applies the edits made while it waited to the tokens it gets (tokens of the edited text
# would be shifted twice, past their line's end); on ContentModified it asks again
@on_document(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, _semantic_tokens_legend,
             empty=lambda: T.SemanticTokens(data=[]), exact=True)
async def _semantic_tokens(session: Session, ctx: Ctx, params: T.SemanticTokensParams) -> T.SemanticTokens:
    from crew_lsp.language.tokens import semantic_tokens

    return T.SemanticTokens(data=list(semantic_tokens(ctx.res, ctx.snap.workspace.reading)))


@on_document(T.TEXT_DOCUMENT_FORMATTING, empty=list)
async def _formatting(session: Session, ctx: Ctx, params: T.DocumentFormattingParams) -> list[T.TextEdit]:
    from crew_lsp.language.formatting import format_document

    return [text_edit(e.span, e.new_text) for e in format_document(ctx.res)]


# ---------------------------------------------------------------- pull diagnostics

@feature(T.TEXT_DOCUMENT_DIAGNOSTIC,
         T.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False, identifier="crew"),
         empty=lambda: T.RelatedFullDocumentDiagnosticReport(items=[]))
async def _pull_diagnostics(session: Session, params: T.DocumentDiagnosticParams) -> T.DocumentDiagnosticReport:
    path = session.uris.path(params.text_document.uri)
    folder = session.project.owner(path) if path else None
    if folder is not None:
        await session.folder_ready(folder)
    return session.diagnostics.report(path, params.previous_result_id)
