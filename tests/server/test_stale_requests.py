"""A request about a document that an edit overtakes before it is served.

Messages are read in order, but a request is served by a task that starts after the messages already
read: an edit that arrives right behind a request is applied first. Semantic tokens computed then
describe the edited text, while the client maps the answer onto the text it had when it asked and
then applies the edit to the tokens itself (VS Code does): a token would land twice shifted, past
the end of its line ("end character > line length"). Such a request is answered ContentModified
(LSP), which clients that declare `staleRequestSupport` retry.
"""

from __future__ import annotations

from raw_jsonrpc import RawServer

CONTENT_MODIFIED = -32801
TEAM = "---\nname: squad\ndescription: A squad\n---\n- lead: agent=scout map the code\n"
CAPABILITIES = {
    "general": {"staleRequestSupport": {"cancel": True, "retryOnContentModified": ["textDocument/semanticTokens/full"]}},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False},
        "semanticTokens": {"requests": {"full": True}, "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]},
    },
}


async def open_team(raw_server: RawServer, root) -> str:
    team = root / ".crew" / "teams" / "squad.team.md"
    team.parent.mkdir(parents=True)
    team.write_text(TEAM)
    raw_server.request("init", "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": CAPABILITIES})
    assert "capabilities" in (await raw_server.response("init"))["result"]
    raw_server.notify("initialized", {})
    uri = team.as_uri()
    raw_server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": TEAM}})
    return uri


def tokens_request(msg_id: str, uri: str) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/semanticTokens/full", "params": {"textDocument": {"uri": uri}}}


def insertion(uri: str, version: int, line: int, character: int, text: str) -> dict:
    position = {"line": line, "character": character}
    return {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": {"start": position, "end": position}, "text": text}]}}


def token_ends(data: list[int]) -> list[tuple[int, int]]:
    """(line, end column) of each token of the LSP relative encoding."""
    out, line, start = [], 0, 0
    for i in range(0, len(data), 5):
        delta_line, delta_start, length = data[i:i + 3]
        line += delta_line
        start = delta_start if delta_line else start + delta_start
        out.append((line, start + length))
    return out


async def test_semantic_tokens_overtaken_by_an_edit_are_answered_content_modified(raw_server, tmp_path):
    uri = await open_team(raw_server, tmp_path / "ws")
    raw_server.send(tokens_request("first", uri))
    assert (await raw_server.response("first"))["result"]["data"]  # the folder is loaded and the team served

    # the request and, right behind it, an edit before the role's tokens: both read in one go
    raw_server.send(tokens_request("overtaken", uri), insertion(uri, 2, 4, 2, "🎉 "))
    assert (await raw_server.error("overtaken"))["code"] == CONTENT_MODIFIED

    # asked again (what the client does), the tokens describe the edited text
    raw_server.send(tokens_request("again", uri))
    lines = (TEAM[:TEAM.index("lead")] + "🎉 " + TEAM[TEAM.index("lead"):]).split("\n")
    for line, end in token_ends((await raw_server.response("again"))["result"]["data"]):
        assert end <= len(lines[line].encode("utf-16-le")) // 2
    assert await raw_server.finish() == 0
    assert raw_server.not_answered_exactly_once() == {}
    assert not [m for m in raw_server.notifications("window/logMessage") if "internal error" in m["message"]]
