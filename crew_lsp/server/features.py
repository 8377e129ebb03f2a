"""LSP requests → the pure feature functions of `crew_lsp.language` (see its `__init__` contract).

Every handler reads one consistent snapshot (the owner folder's, taken once), is exception-safe
(a failure is logged redacted and answers the neutral result) and is async so `$/cancelRequest`
can stop the slow ones. A feature is advertised only when its module exists and the client
declared support for it.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from typing import TYPE_CHECKING, Any, Callable

from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

from crew_lsp.resources.text import Span
from crew_lsp.server.convert import (
    COMPLETION_KINDS, FOLD_KINDS, SYMBOL_KINDS, overlaps, text_edit, to_range, to_span, workspace_edit,
)

if TYPE_CHECKING:
    from crew_lsp.resources.index import Snapshot
    from crew_lsp.resources.model import Resource
    from crew_lsp.server.app import CrewServer
    from crew_lsp.server.project import Folder

FIX_ALL_KIND = "source.fixAll.crew"
COMPLETION_TRIGGERS = ["=", ":", ",", "{", " "]
REQUEST_FAILED = -32803


def lang(name: str) -> Any:
    return importlib.import_module(f"crew_lsp.language.{name}")


class Ctx:
    __slots__ = ("folder", "res", "snap", "path")

    def __init__(self, folder: Folder, res: Resource, snap: Snapshot, path: str):
        self.folder, self.res, self.snap, self.path = folder, res, snap, path


async def context(ls: CrewServer, uri: str) -> Ctx | None:
    """The resource behind a URI and the snapshot to answer from; None for anything else."""
    path = ls.uris.path(uri)
    if path is None:
        return None
    folder = ls.project.owner(path)
    if folder is None or not await ls.folder_ready(folder):
        return None
    if path in folder.skipped:
        return None  # too large or binary: no features, no diagnostics
    snap = folder.snapshot
    res = snap.resources.get(path)
    if res is None:
        return None
    return Ctx(folder, res, snap, path)


def handler(method: str, default: Callable[[], Any] = lambda: None):
    """Exception-safe request handler: logs (redacted) and answers `default()` on failure."""

    def deco(fn):
        @functools.wraps(fn)
        async def wrapper(ls: CrewServer, params: Any) -> Any:
            try:
                return await fn(ls, params)
            except (JsonRpcException, asyncio.CancelledError):
                raise
            except Exception as exc:
                ls.log_error(f"{method} failed", exc)
                return default()

        wrapper.crew_method = method  # type: ignore[attr-defined]
        return wrapper

    return deco


# ---------------------------------------------------------------- advertising

def advertise(ls: CrewServer, caps: T.ServerCapabilities) -> None:
    mods, flags = ls.modules, ls.flags
    if "completion" in mods:
        caps.completion_provider = T.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS, resolve_provider=False)
    if "hover" in mods:
        caps.hover_provider = True
    if "navigation" in mods:
        caps.definition_provider = True
        caps.references_provider = True
    if "rename" in mods:
        caps.rename_provider = T.RenameOptions(prepare_provider=True) if flags.prepare_rename else True
    if "symbols" in mods:
        caps.document_symbol_provider = True
        caps.workspace_symbol_provider = True
    if "actions" in mods:
        caps.code_action_provider = (
            T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False)
            if flags.code_action_literals else True
        )
    if "lenses" in mods and flags.code_lens:
        caps.code_lens_provider = T.CodeLensOptions(resolve_provider=False)
    if "hints" in mods and flags.inlay_hints:
        caps.inlay_hint_provider = True
    if "structure" in mods:
        if flags.folding:
            caps.folding_range_provider = True
        if flags.document_links:
            caps.document_link_provider = T.DocumentLinkOptions(resolve_provider=False)
    if "tokens" in mods and flags.semantic_tokens:
        try:
            tokens = lang("tokens")
            caps.semantic_tokens_provider = T.SemanticTokensOptions(
                legend=T.SemanticTokensLegend(token_types=list(tokens.TOKEN_TYPES), token_modifiers=list(tokens.TOKEN_MODIFIERS)),
                full=True,
            )
        except Exception as exc:
            ls.log_error("semantic tokens unavailable", exc)
    if "formatting" in mods:
        caps.document_formatting_provider = True


# ---------------------------------------------------------------- handlers

def register(server: CrewServer) -> None:
    for fn in (_completion, _hover, _definition, _references, _prepare_rename, _rename, _document_symbols,
               _workspace_symbols, _code_action, _code_lens, _inlay_hints, _folding, _links, _semantic_tokens,
               _formatting, _pull_diagnostics):
        server.feature(fn.crew_method)(fn)


@handler(T.TEXT_DOCUMENT_COMPLETION)
async def _completion(ls: CrewServer, params: T.CompletionParams) -> T.CompletionList | None:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return None
    pos = params.position
    items = lang("completion").complete(ctx.res, ctx.snap, pos.line, pos.character, ls.flags.snippets)
    out = []
    markdown = ls.flags.completion_markdown
    for it in items:
        if it.snippet and not ls.flags.snippets:
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


@handler(T.TEXT_DOCUMENT_HOVER)
async def _hover(ls: CrewServer, params: T.HoverParams) -> T.Hover | None:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return None
    pos = params.position
    found = lang("hover").hover(ctx.res, ctx.snap, pos.line, pos.character)
    if found is None:
        return None
    kind = T.MarkupKind.Markdown if ls.flags.hover_markdown else T.MarkupKind.PlainText
    return T.Hover(contents=T.MarkupContent(kind=kind, value=found.markdown), range=to_range(found.span))


def _locations(ls: CrewServer, found: list) -> list[T.Location]:
    seen = set()
    out = []
    for loc in found:
        key = (loc.path, tuple(loc.span))
        if key in seen:
            continue
        seen.add(key)
        out.append(T.Location(uri=ls.uris.uri(loc.path), range=to_range(loc.span)))
    return out


@handler(T.TEXT_DOCUMENT_DEFINITION, list)
async def _definition(ls: CrewServer, params: T.DefinitionParams) -> list[T.Location]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    pos = params.position
    return _locations(ls, lang("navigation").definition(ctx.res, ctx.snap, pos.line, pos.character))


@handler(T.TEXT_DOCUMENT_REFERENCES, list)
async def _references(ls: CrewServer, params: T.ReferenceParams) -> list[T.Location]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    pos = params.position
    include = bool(params.context.include_declaration) if params.context else True
    return _locations(ls, lang("navigation").references(ctx.res, ctx.snap, pos.line, pos.character, include))


def _refused(exc: Exception) -> JsonRpcException:
    return JsonRpcException(message=str(exc) or "This cannot be renamed.", code=REQUEST_FAILED)


@handler(T.TEXT_DOCUMENT_PREPARE_RENAME)
async def _prepare_rename(ls: CrewServer, params: T.PrepareRenameParams) -> T.Range | None:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return None
    from crew_lsp.language.types import RenameRefused

    pos = params.position
    try:
        span = lang("rename").prepare_rename(ctx.res, ctx.snap, pos.line, pos.character)
    except RenameRefused as exc:
        raise _refused(exc) from None
    return to_range(span) if span is not None else None


@handler(T.TEXT_DOCUMENT_RENAME)
async def _rename(ls: CrewServer, params: T.RenameParams) -> T.WorkspaceEdit | None:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return None
    from crew_lsp.language.types import RenameRefused

    pos = params.position
    try:
        edit = lang("rename").rename(ctx.res, ctx.snap, pos.line, pos.character, params.new_name)
    except RenameRefused as exc:
        raise _refused(exc) from None
    if edit is None:
        return None
    return workspace_edit(edit, ls.uris, ls.edit_style, _versions(ls))


def _versions(ls: CrewServer) -> dict[str, int]:
    return {path: doc.version for path, doc in ls.docs.items()}


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


@handler(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL, list)
async def _document_symbols(ls: CrewServer, params: T.DocumentSymbolParams) -> list:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    symbols = lang("symbols").document_symbols(ctx.res)
    if ls.flags.hierarchical_symbols:
        return [_doc_symbol(s) for s in symbols]
    uri = ls.uris.uri(ctx.path)
    flat: list[T.SymbolInformation] = []

    def walk(items: list, container: str | None) -> None:
        for s in items:
            flat.append(T.SymbolInformation(name=s.name or " ", kind=SYMBOL_KINDS.get(s.kind, T.SymbolKind.Key),
                                            location=T.Location(uri=uri, range=to_range(s.span)), container_name=container))
            walk(s.children, s.name)

    walk(symbols, None)
    return flat


@handler(T.WORKSPACE_SYMBOL, list)
async def _workspace_symbols(ls: CrewServer, params: T.WorkspaceSymbolParams) -> list[T.SymbolInformation]:
    symbols = lang("symbols")
    out: list[T.SymbolInformation] = []
    seen: set[tuple[str, str]] = set()
    for folder in list(ls.project.folders):
        if not await ls.folder_ready(folder):
            continue
        for sym in symbols.workspace_symbols(folder.snapshot, params.query or ""):
            key = (sym.location.path, sym.name)
            if key in seen:
                continue
            seen.add(key)
            out.append(T.SymbolInformation(
                name=sym.name, kind=SYMBOL_KINDS.get(sym.kind, T.SymbolKind.File),
                location=T.Location(uri=ls.uris.uri(sym.location.path), range=to_range(sym.location.span)),
                container_name=sym.scope,
            ))
        await asyncio.sleep(0)
    return out


# ---------------------------------------------------------------- code actions

def _kind_allowed(kind: str, only: list[str] | None) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


@handler(T.TEXT_DOCUMENT_CODE_ACTION, list)
async def _code_action(ls: CrewServer, params: T.CodeActionParams) -> list[T.CodeAction]:
    if not ls.flags.code_action_literals:
        return []
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    checked = ls.publisher.current(ctx.path)
    if checked is None:
        return []
    span = to_span(params.range)
    only = [str(getattr(k, "value", k)) for k in params.context.only] if params.context.only else None
    here = [d for d in checked.diags if overlaps(d.span, span)]
    by_index = {id(d): i for i, d in enumerate(checked.diags)}
    # the whole file's diagnostics: quick fixes are picked by range there, `source.fixAll.crew` takes them all
    found = lang("actions").code_actions(ctx.res, ctx.snap, checked.diags, span, only)
    converter = ls.protocol._converter
    out: list[T.CodeAction] = []
    for action in found:
        if not _kind_allowed(action.kind, only):
            continue
        edit = workspace_edit(action.edit, ls.uris, ls.edit_style, _versions(ls))
        if edit is None:
            continue  # e.g. a file creation the client cannot apply
        pool = checked.diags if action.kind == FIX_ALL_KIND else here
        related = [converter.structure(checked.items[by_index[id(d)]], T.Diagnostic)
                   for d in pool if d.code in action.codes]
        out.append(T.CodeAction(title=action.title, kind=action.kind, diagnostics=related or None, edit=edit,
                                is_preferred=True if action.preferred else None))
    return out


# ---------------------------------------------------------------- decorations

@handler(T.TEXT_DOCUMENT_CODE_LENS, list)
async def _code_lens(ls: CrewServer, params: T.CodeLensParams) -> list[T.CodeLens]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    return [T.CodeLens(range=to_range(lens.span), command=T.Command(title=lens.title, command=lens.command,
                                                                      arguments=_lens_arguments(ctx, lens)))
            for lens in lang("lenses").code_lenses(ctx.res, ctx.snap)]


def _lens_arguments(ctx: Ctx, lens: Any) -> list[Any] | None:
    """Run/plan lenses carry no goal: mark them (`fromLens`, see run_commands) and name their folder."""
    args = list(lens.arguments)
    if lens.command in ("crew.run", "crew.plan") and len(args) == 1 and isinstance(args[0], dict):
        args[0] = {**args[0], "fromLens": True, "folder": str(ctx.folder.path)}
    return args or None


@handler(T.TEXT_DOCUMENT_INLAY_HINT, list)
async def _inlay_hints(ls: CrewServer, params: T.InlayHintParams) -> list[T.InlayHint]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    rng = params.range
    out = []
    for hint in lang("hints").inlay_hints(ctx.res, ctx.snap, rng.start.line, rng.end.line):
        out.append(T.InlayHint(position=T.Position(hint.line, hint.character), label=hint.label,
                               padding_left=True, tooltip=hint.tooltip or None))
    return out


@handler(T.TEXT_DOCUMENT_FOLDING_RANGE, list)
async def _folding(ls: CrewServer, params: T.FoldingRangeParams) -> list[T.FoldingRange]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    out = [T.FoldingRange(start_line=f.start_line, end_line=f.end_line, kind=FOLD_KINDS.get(f.kind, T.FoldingRangeKind.Region))
           for f in lang("structure").folding_ranges(ctx.res) if f.end_line > f.start_line]
    limit = ls.flags.folding_limit
    return out[:limit] if isinstance(limit, int) and limit > 0 else out


@handler(T.TEXT_DOCUMENT_DOCUMENT_LINK, list)
async def _links(ls: CrewServer, params: T.DocumentLinkParams) -> list[T.DocumentLink]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    tooltips = ls.flags.link_tooltip
    return [T.DocumentLink(range=to_range(link.span), target=ls.uris.uri(link.target),
                           tooltip=(link.tooltip or None) if tooltips else None)
            for link in lang("structure").document_links(ctx.res, ctx.snap)]


@handler(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL)
async def _semantic_tokens(ls: CrewServer, params: T.SemanticTokensParams) -> T.SemanticTokens | None:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return T.SemanticTokens(data=[])
    return T.SemanticTokens(data=list(lang("tokens").semantic_tokens(ctx.res)))


@handler(T.TEXT_DOCUMENT_FORMATTING, list)
async def _formatting(ls: CrewServer, params: T.DocumentFormattingParams) -> list[T.TextEdit]:
    ctx = await context(ls, params.text_document.uri)
    if ctx is None:
        return []
    return [text_edit(e.span, e.new_text) for e in lang("formatting").format_document(ctx.res)]


# ---------------------------------------------------------------- pull diagnostics

@handler(T.TEXT_DOCUMENT_DIAGNOSTIC, lambda: T.RelatedFullDocumentDiagnosticReport(items=[]))
async def _pull_diagnostics(ls: CrewServer, params: T.DocumentDiagnosticParams) -> T.DocumentDiagnosticReport:
    path = ls.uris.path(params.text_document.uri)
    folder = ls.project.owner(path) if path else None
    if folder is not None:
        await ls.folder_ready(folder)
    return ls.publisher.report(path, params.previous_result_id)

