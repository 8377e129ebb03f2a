"""Editor features as pure functions of (resource, position, snapshot); no LSP types here.

Contract used by `crew_lsp.server` (positions are 0-based lines and UTF-16 columns):
- completion.complete(res, snap, line, character, snippets: bool) -> list[CompletionItem]
- hover.hover(res, snap, line, character) -> Hover | None
- navigation.definition(res, snap, line, character) -> list[Location]
- navigation.references(res, snap, line, character, include_declaration: bool) -> list[Location]
- rename.prepare_rename(res, snap, line, character) -> Span   (raises RenameRefused with a message)
- rename.rename(res, snap, line, character, new_name) -> WorkspaceEdit   (raises RenameRefused)
- symbols.document_symbols(res) -> list[Symbol];  symbols.workspace_symbols(snap, query) -> list[WorkspaceSymbol]
- lenses.code_lenses(res, snap) -> list[Lens]
- hints.inlay_hints(res, snap, start_line, end_line) -> list[Hint]
- structure.folding_ranges(res) -> list[Fold];  structure.document_links(res, snap) -> list[Link]
- tokens.TOKEN_TYPES, tokens.TOKEN_MODIFIERS, tokens.semantic_tokens(res) -> list[int] (LSP relative encoding)
- actions.code_actions(res, snap, diagnostics: list[Diagnostic], span: Span, only: list[str] | None) -> list[Action]
- actions.fix_all(res, snap, diagnostics: list[Diagnostic]) -> Action | None
- formatting.format_document(res) -> list[TextEdit]   (teams: canonical role lines; others: [])
"""
