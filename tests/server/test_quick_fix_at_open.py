"""Ctrl+. right after a file opens, the way VS Code 1.100 (vscode-languageclient 9) asks for it.

VS Code pulls a document's diagnostics as it opens it and, when Ctrl+. is pressed, sends
`textDocument/codeAction` with the diagnostics it holds under the cursor. A change of the document's
problems while the request runs makes the quick-fix widget start over, so right after the open the
server must neither publish the document's problems again nor make the client pull them again, and
the first request must bring the fix.

(VS Code also drops an answer, saying "No code actions available", when the code action providers of
the document change while it waits: the built-in Markdown extension, activated by the first Markdown
file opened, registers its own a few seconds later. That is the editor's doing, not the server's.)
"""

from __future__ import annotations

import asyncio

import pytest_asyncio
from lsp_harness import start_session, stop_session
from lsprotocol import types as T
from pytest_lsp import client_capabilities

BROKEN = ".crew/teams/broken.team.md"


def vscode_1_100() -> T.ClientCapabilities:
    """pytest-lsp's VS Code capabilities plus what vscode-languageclient 9 declares on top: document pull
    diagnostics with refresh, and stale requests retried on ContentModified."""
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = T.DiagnosticClientCapabilities(dynamic_registration=True, related_document_support=False)
    caps.workspace.diagnostics = T.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    caps.general.stale_request_support = T.StaleRequestSupportOptions(
        cancel=True, retry_on_content_modified=["textDocument/semanticTokens/full"])
    return caps


@pytest_asyncio.fixture
async def vscode(tmp_path):
    s = await start_session(tmp_path, "vscode", capabilities=vscode_1_100())
    try:
        await s.ready()  # the index is loaded: the closed broken team's problem is in the Problems panel
        yield s
    finally:
        await stop_session(s)


async def test_the_first_quick_fix_request_after_opening_brings_the_fix(vscode):
    uri = vscode.uri(BROKEN)
    assert [d.code for d in vscode.pushed(BROKEN)] == ["CREW201"]  # pushed while closed
    published_before, refreshes_before = len(vscode.publishes), vscode.client.refreshes

    vscode.open(BROKEN)
    report = await vscode.client.text_document_diagnostic_async(
        T.DocumentDiagnosticParams(text_document=T.TextDocumentIdentifier(uri=uri), identifier="crew"))
    [problem] = report.items
    actions = await vscode.client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=T.Range(problem.range.start, problem.range.start),
        context=T.CodeActionContext(diagnostics=[problem], trigger_kind=T.CodeActionTriggerKind.Invoked)))

    fix = next(a for a in actions if a.title == "Change to `scribe`")
    assert fix.kind == T.CodeActionKind.QuickFix and list(fix.diagnostics) == [problem]

    await vscode.barrier()
    # the pushed set is cleared once (the pulled one replaces it); nothing else tells the client to look again
    assert [(p.uri, list(p.diagnostics)) for p in vscode.publishes[published_before:]] == [(uri, [])]
    assert vscode.client.refreshes == refreshes_before


async def test_a_quick_fix_request_sent_with_the_open_brings_the_fix(vscode):
    # VS Code asks for the code actions at the cursor as the editor opens, before its first pull is
    # answered, with the diagnostics it holds then: those pushed while the file was closed
    uri = vscode.uri(BROKEN)
    [pushed] = vscode.pushed(BROKEN)
    vscode.open(BROKEN)
    actions, report = await asyncio.gather(
        vscode.client.text_document_code_action_async(T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), range=T.Range(pushed.range.end, pushed.range.end),
            context=T.CodeActionContext(diagnostics=[pushed], trigger_kind=T.CodeActionTriggerKind.Automatic))),
        vscode.client.text_document_diagnostic_async(
            T.DocumentDiagnosticParams(text_document=T.TextDocumentIdentifier(uri=uri), identifier="crew")))

    assert "Change to `scribe`" in [a.title for a in actions]
    assert list(report.items) == [pushed]  # what was pushed and what is pulled are the same problem
