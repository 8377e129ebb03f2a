"""One test per language feature, through the real server, with exact expected results."""

from __future__ import annotations

import pytest
from lsp_harness import ROOT, start_session, stop_session
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

TEAM = ".crew/teams/docs.team.md"
BROKEN = ".crew/teams/broken.team.md"
AGENT = ".crew/agents/scribe.md"
WORKFLOW = ".crew/workflows/docs.workflow.md"


def R(a: int, b: int, c: int, d: int) -> T.Range:
    return T.Range(T.Position(a, b), T.Position(c, d))


def doc(session, rel: str) -> T.TextDocumentIdentifier:
    return T.TextDocumentIdentifier(uri=session.uri(rel))


async def test_completion_of_agent_names_replaces_the_token(session):
    session.open(TEAM)
    result = await session.client.text_document_completion_async(
        T.CompletionParams(text_document=doc(session, TEAM), position=T.Position(6, 22)))
    items = {i.label: i for i in result.items}
    builtin = sorted(p.stem for p in (ROOT / "agents").glob("*.md"))
    assert sorted(items) == sorted(builtin + ["scribe"])
    scribe = items["scribe"]
    assert scribe.kind == T.CompletionItemKind.Class
    assert scribe.text_edit == T.TextEdit(range=R(6, 16, 6, 22), new_text="scribe")


async def test_completion_offers_a_role_line_snippet_only_to_snippet_clients(tmp_path):
    for profile, snippets in (("vscode", True), ("neovim07", False)):
        s = await start_session(tmp_path / profile, profile)
        try:
            await s.ready()
            text = s.open(TEAM) + "\n"
            s.replace_all(TEAM, text)
            result = await s.client.text_document_completion_async(
                T.CompletionParams(text_document=doc(s, TEAM), position=T.Position(7, 0)))
            first = result.items[0]
            assert first.label == "- role: agent=…"
            if snippets:
                assert first.insert_text_format == T.InsertTextFormat.Snippet
                assert first.text_edit.new_text.startswith("- ${1:role}: agent=${2|analyst,")
            else:
                assert first.insert_text_format is None
                assert first.text_edit.new_text == "- role: agent="
        finally:
            await stop_session(s)


async def test_hover_on_an_agent_reference(session):
    session.open(TEAM)
    hover = await session.client.text_document_hover_async(
        T.HoverParams(text_document=doc(session, TEAM), position=T.Position(6, 19)))
    assert hover.range == R(6, 16, 6, 22)
    assert hover.contents.kind == T.MarkupKind.Markdown
    assert hover.contents.value == (
        "**agent `scribe`** (project)\n\nWrites the documentation\n\nevery tool\n\n"
        f"`{session.path(AGENT)}`")


async def test_definition_of_an_agent_reference(session):
    session.open(TEAM)
    result = await session.client.text_document_definition_async(
        T.DefinitionParams(text_document=doc(session, TEAM), position=T.Position(6, 19)))
    assert list(result) == [T.Location(uri=session.uri(AGENT), range=R(1, 6, 1, 12))]


async def test_references_of_an_agent(session):
    session.open(AGENT)
    result = await session.client.text_document_references_async(T.ReferenceParams(
        text_document=doc(session, AGENT), position=T.Position(1, 8), context=T.ReferenceContext(include_declaration=True)))
    assert sorted((loc.uri, loc.range.start.line, loc.range.start.character) for loc in result) == sorted([
        (session.uri(AGENT), 1, 6),
        (session.uri(TEAM), 6, 16),
    ])


async def test_rename_a_step_edits_heading_and_depends_on(session):
    session.open(WORKFLOW)
    prep = await session.client.text_document_prepare_rename_async(
        T.PrepareRenameParams(text_document=doc(session, WORKFLOW), position=T.Position(5, 4)))
    assert prep == R(5, 3, 5, 10)
    edit = await session.client.text_document_rename_async(T.RenameParams(
        text_document=doc(session, WORKFLOW), position=T.Position(5, 4), new_name="gather"))
    expected = [T.TextEdit(range=R(5, 3, 5, 10), new_text="gather"), T.TextEdit(range=R(13, 11, 13, 18), new_text="gather")]
    if edit.document_changes is not None:  # VS Code: versioned document changes
        (change,) = edit.document_changes
        assert change.text_document.uri == session.uri(WORKFLOW)
        assert change.text_document.version == 1
        assert list(change.edits) == expected
    else:
        assert {k: list(v) for k, v in edit.changes.items()} == {session.uri(WORKFLOW): expected}


async def test_prepare_rename_refuses_builtin_agents(session):
    session.open(TEAM)
    with pytest.raises(JsonRpcException) as err:
        await session.client.text_document_prepare_rename_async(
            T.PrepareRenameParams(text_document=doc(session, TEAM), position=T.Position(5, 20)))
    assert "builtin" in str(err.value)
    # the server is still there
    await session.barrier()


async def test_document_symbols_are_hierarchical(session):
    session.open(WORKFLOW)
    result = await session.client.text_document_document_symbol_async(
        T.DocumentSymbolParams(text_document=doc(session, WORKFLOW)))
    assert [(s.name, s.kind) for s in result] == [
        ("name", T.SymbolKind.Property), ("description", T.SymbolKind.Property),
        ("explore", T.SymbolKind.Function), ("write", T.SymbolKind.Function)]
    write = result[3]
    assert write.range == R(11, 0, 16, 26) and write.selection_range == R(11, 3, 11, 8)
    assert write.detail == "02_write · role scribe"
    assert [c.name for c in write.children] == ["role", "dependsOn", "reads"]


async def test_workspace_symbols(session):
    result = await session.client.workspace_symbol_async(T.WorkspaceSymbolParams(query="scribe"))
    found = [(s.name, s.kind, s.container_name, s.location.uri) for s in result if s.name == "scribe"]
    assert found == [("scribe", T.SymbolKind.Class, "project", session.uri(AGENT))]


async def test_code_action_quick_fix_and_create_file(session):
    session.open(BROKEN)
    diags = await session.diagnostics(BROKEN)
    actions = await session.client.text_document_code_action_async(T.CodeActionParams(
        text_document=doc(session, BROKEN), range=R(6, 18, 6, 18),
        context=T.CodeActionContext(diagnostics=diags)))
    titles = [a.title for a in actions]
    assert titles == ["Change to `scribe`", "Create agent `scrib`"]
    fix = actions[0]
    assert fix.kind == T.CodeActionKind.QuickFix and fix.is_preferred is True
    assert [d.code for d in fix.diagnostics] == ["CREW201"]
    edits = (list(fix.edit.document_changes[0].edits) if fix.edit.document_changes is not None
             else list(fix.edit.changes[session.uri(BROKEN)]))
    assert edits == [T.TextEdit(range=R(6, 16, 6, 21), new_text="scribe")]
    create = actions[1].edit.document_changes
    assert isinstance(create[0], T.CreateFile) and create[0].uri == session.uri(".crew/agents/scrib.md")
    assert create[1].edits[0].new_text.startswith("---\nname: scrib\n")
    # applying the fix (as the editor would) clears the diagnostic
    session.change(BROKEN, (6, 16), (6, 21), "scribe")
    assert await session.diagnostics(BROKEN) == []


async def test_source_fix_all(session):
    session.open(BROKEN)
    actions = await session.client.text_document_code_action_async(T.CodeActionParams(
        text_document=doc(session, BROKEN), range=R(0, 0, 0, 0),
        context=T.CodeActionContext(diagnostics=[], only=["source.fixAll.crew"])))
    assert [(a.title, a.kind) for a in actions] == [("Fix all crew problems", "source.fixAll.crew")]
    edit = actions[0].edit
    edits = (list(edit.document_changes[0].edits) if edit.document_changes is not None
             else list(edit.changes[session.uri(BROKEN)]))
    assert edits == [T.TextEdit(range=R(6, 16, 6, 21), new_text="scribe")]


async def test_code_lenses_on_a_workflow(session):
    session.open(WORKFLOW)
    lenses = await session.client.text_document_code_lens_async(T.CodeLensParams(text_document=doc(session, WORKFLOW)))
    # the server marks goal-less lens commands (`fromLens`) and names their folder (see run_commands)
    lens_args = {"fromLens": True, "folder": str(session.root.resolve())}
    assert [(lens.command.title, lens.command.command, list(lens.command.arguments)) for lens in lenses] == [
        ("Run with broken", "crew.run", [{"team": "broken", "workflow": "docs", **lens_args}]),
        ("Run with docs", "crew.run", [{"team": "docs", "workflow": "docs", **lens_args}]),
        ("Preview plan", "crew.plan", [{"workflow": "docs", "team": "broken", **lens_args}]),
    ]
    assert all(lens.range == R(1, 6, 1, 10) for lens in lenses)


async def test_inlay_hints_on_role_lines(session):
    session.open(TEAM)
    hints = await session.client.text_document_inlay_hint_async(
        T.InlayHintParams(text_document=doc(session, TEAM), range=R(0, 0, 7, 0)))
    assert [(h.position.line, h.position.character, h.label, h.padding_left) for h in hints] == [
        (5, 41, "→ explorer (builtin)", True), (6, 37, "→ scribe (project)", True)]


async def test_folding_ranges(session):
    session.open(WORKFLOW)
    folds = await session.client.text_document_folding_range_async(T.FoldingRangeParams(text_document=doc(session, WORKFLOW)))
    assert [(f.start_line, f.end_line) for f in folds] == [(0, 3), (5, 9), (11, 16)]


async def test_document_links(session):
    session.open(TEAM)
    links = await session.client.text_document_document_link_async(T.DocumentLinkParams(text_document=doc(session, TEAM)))
    assert [(link.range, link.target) for link in links] == [
        (R(3, 17, 3, 21), session.uri(WORKFLOW)),
        (R(5, 18, 5, 26), (ROOT / "agents" / "explorer.md").as_uri()),
        (R(6, 16, 6, 22), session.uri(AGENT)),
    ]


async def test_semantic_tokens(session):
    session.open(TEAM)
    legend = session.init.capabilities.semantic_tokens_provider
    tokens = await session.client.text_document_semantic_tokens_full_async(
        T.SemanticTokensParams(text_document=doc(session, TEAM)))
    data = list(tokens.data)
    assert len(data) % 5 == 0 and data
    # first token: `name` on line 1, a property (a frontmatter key)
    assert data[:4] == [1, 0, 4, 3]
    if legend is not None:
        assert legend.legend.token_types[data[3]] == "property"


async def test_formatting_normalises_role_lines(session):
    session.open(TEAM)
    session.change(TEAM, (6, 0), (6, 37), "-   scribe :agent=scribe    write the docs")
    edits = await session.client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=doc(session, TEAM), options=T.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert list(edits) == [T.TextEdit(range=R(6, 0, 6, 42), new_text="- scribe: agent=scribe write the docs")]


async def test_features_answer_nothing_for_files_that_are_no_resource(session):
    session.open("README.md", "# hello\n")
    hover = await session.client.text_document_hover_async(
        T.HoverParams(text_document=doc(session, "README.md"), position=T.Position(0, 2)))
    assert hover is None
    symbols = await session.client.text_document_document_symbol_async(
        T.DocumentSymbolParams(text_document=doc(session, "README.md")))
    assert list(symbols or []) == []
