"""Right after `initialized` the server validates its settings and opens the workspace folders without
blocking its event loop: what the client sends meanwhile is handled in order, once the folders are open
(a document opened at once belongs to its workspace folder), and every request is answered once."""

from __future__ import annotations

from pathlib import Path

from raw_jsonrpc import RawServer

TEAM = "---\nname: docs\ndescription: d\n---\n- explorer: agent=nobody find\n"


def workspace(root: Path) -> Path:
    team = root / ".crew" / "teams" / "docs.team.md"
    team.parent.mkdir(parents=True)
    team.write_text(TEAM)
    return team


async def test_a_document_opened_and_asked_about_right_after_initialized_is_served_by_its_workspace_folder(
        raw_server: RawServer, tmp_path):
    team = workspace(tmp_path / "ws")
    raw_server.initialize(root=tmp_path / "ws")
    await raw_server.response("init")
    uri = team.as_uri()
    raw_server.request_ids.append("symbols")
    raw_server.send(  # in one write: the server reads them all before it can open anything
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": TEAM}}},
        {"jsonrpc": "2.0", "id": "symbols", "method": "workspace/symbol", "params": {"query": "docs"}},
    )
    symbols = (await raw_server.response("symbols"))["result"]
    assert [s["name"] for s in symbols if s["location"]["uri"] == uri] == ["docs"]  # the folder's index answered
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}
    # (the last set: a head-start child may have published the file's disk state before it was opened)
    published = [p for p in raw_server.notifications("textDocument/publishDiagnostics") if p["uri"] == uri][-1]
    assert "CREW201" in [d["code"] for d in published["diagnostics"]]  # agent=nobody


async def test_messages_sent_while_the_workspace_opens_are_each_answered_once_and_in_order(raw_server: RawServer, tmp_path):
    workspace(tmp_path / "ws")
    raw_server.initialize(root=tmp_path / "ws")
    await raw_server.response("init")
    elsewhere = {"textDocument": {"uri": "file:///nowhere/a.team.md"}, "position": {"line": 0, "character": 0}}
    raw_server.request_ids += ["outside", "settings", "down"]
    raw_server.send(
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": "outside", "method": "textDocument/hover", "params": elsewhere},
        {"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
         "params": {"settings": {"crew": {"diagnostics": {"severity": {"CREW201": "hint"}}}}}},
        {"jsonrpc": "2.0", "id": "settings", "method": "workspace/executeCommand",
         "params": {"command": "crew.doctor", "arguments": [{}]}},
        {"jsonrpc": "2.0", "id": "down", "method": "shutdown"},
    )
    doctor = (await raw_server.response("settings"))["result"]
    assert doctor["settings"]["diagnostics"]["severity"] == {"CREW201": "hint"}  # the change came after the opening
    assert "result" in await raw_server.response("down")
    raw_server.notify("exit")
    assert await raw_server.wait_exit() == 0
    assert raw_server.not_answered_exactly_once() == {}
    ids = [m["id"] for m in raw_server.received if "method" not in m and m.get("id") in ("outside", "settings", "down")]
    assert ids == ["outside", "settings", "down"]


async def test_a_repeated_initialized_notification_loses_no_message(raw_server: RawServer, tmp_path):
    team = workspace(tmp_path / "ws")
    raw_server.initialize(root=tmp_path / "ws")
    await raw_server.response("init")
    raw_server.request_ids.append("symbols")
    raw_server.send(
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": team.as_uri(), "languageId": "markdown", "version": 1, "text": TEAM}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": "symbols", "method": "workspace/symbol", "params": {"query": "docs"}},
    )
    symbols = (await raw_server.response("symbols"))["result"]
    assert [s["name"] for s in symbols if s["location"]["uri"] == team.as_uri()] == ["docs"]
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}


async def test_a_request_about_a_loose_file_is_answered_while_a_request_about_the_folder_waits_for_it(
        raw_server: RawServer, tmp_path):
    team = workspace(tmp_path / "ws")
    raw_server.initialize(root=tmp_path / "ws")
    await raw_server.response("init")
    name = {"line": 1, "character": 1}  # (on the `name` key)
    raw_server.request_ids += ["inside", "outside"]
    raw_server.send(
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": "inside", "method": "textDocument/hover",
         "params": {"textDocument": {"uri": team.as_uri()}, "position": name}},
        {"jsonrpc": "2.0", "id": "outside", "method": "textDocument/hover",
         "params": {"textDocument": {"uri": "file:///nowhere/a.team.md"}, "position": name}},
    )
    inside = await raw_server.response("inside")
    assert inside["result"] is not None  # (answered by the folder's index, once it was open)
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}
    # answered before the folder was even opened (its version is logged once the settings are read,
    # after a tenth of a second of imports), not after the request waiting for the folder
    order = [m.get("id") if "method" not in m else "opened" for m in raw_server.received
             if m.get("id") in ("inside", "outside") or "is read as" in str((m.get("params") or {}).get("message"))]
    assert order == ["outside", "opened", "inside"]


async def test_a_request_about_a_loose_file_waits_for_a_notification_sent_before_it(raw_server: RawServer, tmp_path):
    workspace(tmp_path / "ws")
    (tmp_path / "other" / ".git").mkdir(parents=True)  # (another repository, not a workspace folder)
    (tmp_path / "other" / ".crew" / "teams").mkdir(parents=True)
    raw_server.initialize(root=tmp_path / "ws")
    await raw_server.response("init")
    loose = (tmp_path / "other" / ".crew" / "teams" / "a.team.md").as_uri()  # (not on disk: only the opened document has it)
    raw_server.request_ids.append("loose")
    raw_server.send(
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": loose, "languageId": "markdown", "version": 1, "text": TEAM}}},
        {"jsonrpc": "2.0", "id": "loose", "method": "textDocument/hover",
         "params": {"textDocument": {"uri": loose}, "position": {"line": 1, "character": 1}}},
    )
    hover = (await raw_server.response("loose"))["result"]
    assert "The team's name" in hover["contents"]["value"]  # it saw the document opened before it
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}
