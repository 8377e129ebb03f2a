"""Huge and binary files, cancellation mid-way, garbage requests: the server answers and stays up."""

from __future__ import annotations

import asyncio
import os

import pytest
from lsp_harness import AGENT, TEAM, WORKFLOW, start_session, stop_session
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

HUGE = ".crew/agents/huge.md"
BLOB = ".crew/agents/blob.md"


def _huge_text() -> str:
    line = "You write documentation carefully and completely, one section at a time. 🚀\n"
    return "---\nname: huge\ndescription: big\n---\n" + line * (10 * 1024 * 1024 // len(line.encode()) + 1)


@pytest.mark.parametrize("profile", ["vscode", "neovim"])
async def test_huge_and_binary_files_do_not_stall_the_server(tmp_path, profile):
    huge = _huge_text()
    blob = bytes(range(256)) * 4096 + b"\x00\xff\xfe"
    s = await start_session(tmp_path, profile, files={
        ".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM,
        ".crew/workflows/docs.workflow.md": WORKFLOW,
        ".crew/teams/broken.team.md": TEAM.replace("name: docs", "name: broken").replace("agent=scribe", "agent=scrib"),
        HUGE: huge,
    })
    s.path(BLOB).write_bytes(blob)
    try:
        await s.ready()
        assert len(huge.encode()) > 10 * 1024 * 1024
        # the server stays responsive (how fast is measured by bench/hostile.py, not asserted here)
        s.open(HUGE, huge)
        s.open(BLOB, blob.decode("utf-8", errors="replace"))
        s.open(".crew/teams/docs.team.md")
        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=s.uri(".crew/teams/docs.team.md")), position=T.Position(6, 19)))
        assert hover is not None and "agent `scribe`" in hover.contents.value
        # they are indexed (the agent names exist) but never checked: one CREW114 each, no features
        assert [d.code for d in await s.diagnostics(HUGE)] == ["CREW114"]
        assert [d.code for d in await s.diagnostics(BLOB)] == ["CREW114"]
        nothing = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=s.uri(HUGE)), position=T.Position(1, 7)))
        assert nothing is None
        # editing the huge document is answered too, and it stays unchecked
        s.change(HUGE, (5, 0), (5, 0), "more ")
        await s.barrier()
        assert [d.code for d in await s.diagnostics(HUGE)] == ["CREW114"]
    finally:
        await stop_session(s)


async def test_a_request_cancelled_mid_way(tmp_path):
    files = {f".crew/agents/a{i:04}.md": f"---\nname: a{i:04}\ndescription: agent {i}\n---\nDo {i}.\n" for i in range(3000)}
    files[".crew/teams/broken.team.md"] = "---\nname: broken\ndescription: b\n---\n- explorer: agent=scrib x\n"
    s = await start_session(tmp_path, "vscode", files=files)
    try:
        await s.ready()
        params = T.ExecuteCommandParams(command="crew.validateWorkspace", arguments=[{}])
        pending = asyncio.wrap_future(s.client.protocol.send_request(
            T.WORKSPACE_EXECUTE_COMMAND, params, msg_id="cancel-me"))
        # right behind the request: the server has just started walking ~3,000 files (about 50 ms)
        s.client.cancel_request(T.CancelParams(id="cancel-me"))
        with pytest.raises(JsonRpcException) as err:
            await pending
        assert err.value.code == -32800  # RequestCancelled
        # the server carries on: the same command completes when not cancelled
        result = await s.command("crew.validateWorkspace", {})
        assert result["scopes"]["project"]["files"] == 3001
    finally:
        await stop_session(s)


async def test_garbage_positions_and_unknown_documents_get_neutral_answers(session):
    uri = session.uri(".crew/teams/docs.team.md")
    session.open(".crew/teams/docs.team.md")
    ident = T.TextDocumentIdentifier(uri=uri)
    far = T.Position(100_000, 100_000)
    assert await session.client.text_document_hover_async(T.HoverParams(text_document=ident, position=far)) is None
    assert list(await session.client.text_document_definition_async(T.DefinitionParams(text_document=ident, position=far)) or []) == []
    result = await session.client.text_document_completion_async(T.CompletionParams(text_document=ident, position=far))
    assert result is None or isinstance(result.items, (list, tuple))
    inverted = T.Range(T.Position(9, 9), T.Position(0, 0))
    actions = await session.client.text_document_code_action_async(T.CodeActionParams(
        text_document=ident, range=inverted, context=T.CodeActionContext(diagnostics=[])))
    assert isinstance(actions, (list, tuple))
    # a change past the end of the document is clamped, never a crash
    session.change(".crew/teams/docs.team.md", (500, 0), (600, 3), "\n- extra: agent=scribe tail\n")
    # documents the server never saw, non-file URIs
    for other in ("file:///nowhere/at/all.team.md", "untitled:Untitled-1"):
        hover = await session.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=other), position=T.Position(0, 0)))
        assert hover is None
    session.client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri="file:///nowhere/x.md", version=3),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text="x")]))
    # still serving, and nothing was reported as an error
    symbols = await session.client.text_document_document_symbol_async(T.DocumentSymbolParams(text_document=ident))
    assert any(sym.name == "extra" for sym in symbols)
    assert not [m for m in session.client.log_messages if m.type == T.MessageType.Error]
    assert os.environ.get("PI_TEAMS_HOME")
