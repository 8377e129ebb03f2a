"""LSP lifecycle rules over raw JSON-RPC on stdio: every request gets exactly one response.

Before `initialize`: requests are answered ServerNotInitialized, notifications dropped (except `exit`).
A second `initialize` and any request after `shutdown` are InvalidRequest. Params that do not deserialise
are InvalidParams naming the problem; a notification with bad params is dropped with a log line.
`exit` ends the process with 0 after `shutdown`, 1 without.
"""

from __future__ import annotations

from raw_jsonrpc import RawServer

SERVER_NOT_INITIALIZED, INVALID_REQUEST, INVALID_PARAMS = -32002, -32600, -32602
HOVER = {"textDocument": {"uri": "file:///nowhere/a.team.md"}, "position": {"line": 0, "character": 0}}
OPEN = {"textDocument": {"uri": "file:///nowhere/a.team.md", "languageId": "markdown", "version": 1, "text": "x"}}


async def initialized(raw_server: RawServer) -> RawServer:
    raw_server.initialize()
    assert "capabilities" in (await raw_server.response("init"))["result"]
    raw_server.notify("initialized", {})
    return raw_server


async def test_requests_before_initialize_are_answered_server_not_initialized(raw_server):
    raw_server.request(1, "textDocument/hover", HOVER)
    raw_server.request(2, "shutdown")
    raw_server.request(4, "textDocument/hover", None)  # the lifecycle comes first, bad params or not
    raw_server.notify("textDocument/didOpen", OPEN)  # dropped: no answer, no effect
    for msg_id in (1, 2, 4):
        assert (await raw_server.error(msg_id))["code"] == SERVER_NOT_INITIALIZED
    await initialized(raw_server)
    raw_server.request(3, "textDocument/hover", HOVER)  # the same request, once initialized, is served
    assert (await raw_server.response(3))["result"] is None
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}
    assert "textDocument/didOpen dropped: the server is not initialized" in raw_server.stderr


async def test_exit_before_initialize_ends_the_process_with_1(raw_server):
    raw_server.notify("exit")
    assert await raw_server.wait_exit() == 1
    assert raw_server.received == []


async def test_a_second_initialize_is_an_invalid_request(raw_server):
    await initialized(raw_server)
    raw_server.initialize(msg_id=2)
    error = await raw_server.error(2)
    assert error["code"] == INVALID_REQUEST and "already initialized" in error["message"]
    raw_server.request(3, "textDocument/hover", HOVER)  # the first session carries on
    assert (await raw_server.response(3))["result"] is None
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}


async def test_requests_after_shutdown_are_invalid_requests_and_exit_ends_with_0(raw_server):
    await initialized(raw_server)
    raw_server.request(1, "shutdown")
    raw_server.request(2, "textDocument/hover", HOVER)
    raw_server.request(3, "shutdown")
    raw_server.initialize(msg_id=4)
    raw_server.request(5, "textDocument/hover", None)
    raw_server.notify("textDocument/didOpen", OPEN)  # dropped
    assert (await raw_server.response(1))["result"] is None
    for msg_id in (2, 3, 4, 5):
        error = await raw_server.error(msg_id)
        assert error["code"] == INVALID_REQUEST and "shut down" in error["message"]
    raw_server.notify("exit")
    assert await raw_server.wait_exit() == 0
    assert raw_server.not_answered_exactly_once() == {}


async def test_request_params_that_do_not_deserialise_are_invalid_params_naming_the_problem(raw_server):
    raw_server.request("bad-init", "initialize", {"processId": None})
    error = await raw_server.error("bad-init")
    assert error["code"] == INVALID_PARAMS and "params.capabilities" in error["message"]
    await initialized(raw_server)  # a failed initialize leaves the server uninitialized
    raw_server.request(1, "textDocument/hover", {"textDocument": {"uri": "file:///nowhere/a.team.md"}})
    raw_server.request(2, "textDocument/hover", {**HOVER, "position": {"line": -1, "character": 0}})
    raw_server.request(3, "textDocument/hover", None)
    raw_server.request(4, "textDocument/hover")
    raw_server.request(5, "textDocument/hover", {**HOVER, "textDocument": 5})
    raw_server.request(6, "textDocument/hover", {**HOVER, "position": {"line": "one", "character": 0}})
    expected = {
        1: "required field missing at params.position",
        2: "Position.line should be in range",
        3: "expected HoverParams at params",
        4: "required field missing at params",
        5: "at params.textDocument",
        6: "expected int at params.position.line",
    }
    for msg_id, problem in expected.items():
        error = await raw_server.error(msg_id)
        assert error["code"] == INVALID_PARAMS
        assert error["message"].startswith("invalid params for textDocument/hover: ")
        assert problem in error["message"], error["message"]
    empty_range = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    many = [{"range": empty_range}] * 20  # diagnostics without their `message`
    raw_server.request(7, "textDocument/codeAction", {
        "textDocument": HOVER["textDocument"], "range": empty_range, "context": {"diagnostics": many}})
    error = await raw_server.error(7)  # a bounded message, however many problems
    assert error["code"] == INVALID_PARAMS and error["message"].endswith("; and 12 more"), error["message"]
    assert error["message"].count("required field missing at params.context.diagnostics[") == 8
    raw_server.request(8, "textDocument/hover", HOVER)  # still serving
    assert (await raw_server.response(8))["result"] is None
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}


async def test_a_notification_with_bad_params_is_dropped_with_a_log_line(raw_server):
    await initialized(raw_server)
    raw_server.notify("textDocument/didOpen", None)
    raw_server.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere/a.team.md"}})
    raw_server.request(1, "textDocument/hover", HOVER)  # answered after both notifications were handled
    assert (await raw_server.response(1))["result"] is None
    logs = [p["message"] for p in raw_server.notifications("window/logMessage")]
    assert any("textDocument/didOpen dropped: invalid params" in m for m in logs), logs
    assert any("textDocument/didChange dropped: invalid params" in m and "params.contentChanges" in m
               for m in logs), logs
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}


async def test_a_request_that_is_not_json_rpc_2_is_an_invalid_request(raw_server):
    await initialized(raw_server)
    raw_server.send({"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover", "params": HOVER})
    raw_server.send([{"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": HOVER}])  # LSP has no batches
    raw_server.send({"id": 3, "method": "textDocument/hover", "params": HOVER})
    raw_server.send({"jsonrpc": "1.0", "id": 4, "method": "textDocument/hover", "params": HOVER})
    assert (await raw_server.error(4))["code"] == INVALID_REQUEST  # answered in order: the others are in too
    assert (await raw_server.error(3))["code"] == INVALID_REQUEST
    # no usable id (a list, a batch): answered with a null id
    assert [m["error"]["code"] for m in raw_server.responses(None)] == [INVALID_REQUEST, INVALID_REQUEST]
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {None: 2}
