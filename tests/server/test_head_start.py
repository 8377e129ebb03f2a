"""The head start (docs/architecture.md, Head start): `crew-lsp serve` reads `initialize` before its own
imports and starts a checker child for each folder it names; its diagnostics are published once the
server's own scan of the folder has the same key, and are exactly what the server's own check
publishes. Settings that change what the checker would find rule the child out or withdraw it."""

from __future__ import annotations

import json
import os

from lsp_harness import AGENT, BROKEN_TEAM, TEAM, WORKFLOW, start_session, stop_session

from crew_lsp.server.head_start import OFF_VARIABLE, folders_of, initialize_params, read_first_message
from crew_lsp.server.raw_settings import checker_options

BROKEN = ".crew/teams/broken.team.md"
FILES = {
    ".crew/agents/scribe.md": AGENT,
    ".crew/teams/docs.team.md": TEAM,
    BROKEN: BROKEN_TEAM,
    ".crew/workflows/docs.workflow.md": WORKFLOW,
    ".crew/agents/loner.md": "---\nname: loner\ndescription: Reads\nskills: no-such-skill\n---\nYou read.\n",
}
NO_CACHE = {"diagnostics": {"delayMs": 0, "cache": False}}
OFF = {OFF_VARIABLE: "1"}


def _message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


INITIALIZE = _message({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"rootUri": "file:///w/root", "workspaceFolders": [{"uri": "file:///w/a", "name": "a"}]}})


# ---------------------------------------------------------------- reading the first message

def _piped(*chunks: bytes, close: bool = False) -> int:
    read, write = os.pipe()
    for chunk in chunks:
        os.write(write, chunk)
    if close:
        os.close(write)
    return read


def test_the_head_start_loads_no_parser_before_it_starts_the_child():
    # (it runs before the server's imports: every module it loads delays the child and `initialize`)
    import subprocess
    import sys

    probe = "import json, sys, crew_lsp.server.head_start; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    loaded = json.loads(done.stdout)
    assert not [m for m in loaded if m.startswith(("crew_lsp.resources", "crew_lsp.checks", "crew_lsp.cache"))]


def test_the_first_message_is_read_whole_and_nothing_after_it_is_lost():
    later = _message({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    fd = _piped(INITIALIZE + later)
    try:
        read = read_first_message(fd)
    finally:
        os.close(fd)
    assert read.startswith(INITIALIZE) and (INITIALIZE + later).startswith(read)  # (what came with it is kept too)


def test_a_message_cut_short_or_a_closed_input_gives_what_arrived():
    for fd in (_piped(INITIALIZE[:40]), _piped(INITIALIZE[:40], close=True), _piped(close=True)):
        try:
            assert INITIALIZE.startswith(read_first_message(fd))
        finally:
            os.close(fd)


def test_only_a_complete_initialize_request_gives_params():
    assert initialize_params(INITIALIZE)["rootUri"] == "file:///w/root"
    for other in (INITIALIZE[:-1], b"", b"Content-Length: 2\r\n\r\n{}", b"Content-Length: x\r\n\r\n{}",
                  _message({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}), b"Content-Length: 3\r\n\r\n{{{",
                  _message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [1]})):
        assert initialize_params(other) is None


def test_the_folders_are_the_workspace_folders_else_the_root():
    assert folders_of({"rootUri": "file:///w/root", "workspaceFolders": [{"uri": "file:///w/a"}, {"uri": "file:///w/a"}]}) == ["/w/a"]
    assert folders_of({"rootUri": "file:///w/root", "workspaceFolders": None}) == ["/w/root"]
    assert folders_of({"rootPath": "/w/path"}) == ["/w/path"]
    assert folders_of({"workspaceFolders": [{"uri": "https://example.com/x"}, "nonsense"]}) == []


def test_only_settings_that_leave_the_checker_as_it_is_allow_a_head_start():
    assert checker_options({}) == (True, "auto")
    assert checker_options({"diagnostics": {"cache": False, "delayMs": 5}, "piCrewVersion": " 0.10 ", "roots": []}) == (False, "0.10")
    for ruled_out in ({"roots": ["/elsewhere"]}, {"diagnostics": {"severity": {"CREW201": "off"}}},
                      {"diagnostics": {"cache": "yes"}}, {"diagnostics": "all"}, {"piCrewVersion": 10}):
        assert checker_options(ruled_out) is None


# ---------------------------------------------------------------- in the server

def _by_child(s) -> bool:
    return any("checked in a child process" in m.message for m in s.client.log_messages)


def _shown(s) -> dict[str, list]:
    return {uri.split("/ws/", 1)[1]: [(d.code, d.severity, d.range.start.line, d.message) for d in diags]
            for uri, diags in s.client.diagnostics.items() if diags}


async def _shown_once_settled(tmp_path, env: dict[str, str], child: bool = False, **kwargs) -> tuple[dict[str, list], bool]:
    """What the editor shows once the cold start settled, and whether a child checked the folder
    (``child``: it should, and its report, which follows its last publish, is waited for)."""
    s = await start_session(tmp_path, "vscode", files=FILES, env=env, **kwargs)
    try:
        await s.ready()
        await s.until(lambda: s.publishes_for(".crew/agents/loner.md"), what="the loner's diagnostics")
        if child:
            await s.until(lambda: _by_child(s), what="the child's report")
        await s.barrier()
        return _shown(s), _by_child(s)
    finally:
        await stop_session(s)


async def test_the_head_start_publishes_exactly_what_the_server_check_publishes(tmp_path):
    in_server, child_used = await _shown_once_settled(tmp_path / "a", OFF, init_options=NO_CACHE)
    assert not child_used
    early, child_used = await _shown_once_settled(tmp_path / "b", {}, child=True, init_options=NO_CACHE)
    assert child_used
    assert early == in_server
    assert {BROKEN, ".crew/agents/loner.md"} <= set(early)


async def test_severity_options_rule_the_head_start_out(tmp_path):
    options = {"diagnostics": {"delayMs": 0, "cache": False, "severity": {"CREW201": "hint"}}}
    shown, child_used = await _shown_once_settled(tmp_path, {}, init_options=options)
    assert not child_used
    assert [severity for code, severity, _line, _message in shown[BROKEN] if code == "CREW201"] == [4]


async def test_a_configuration_answer_that_sets_severities_withdraws_the_head_start(tmp_path):
    answer = {"crew": {"diagnostics": {"severity": {"CREW201": "hint"}}}}
    shown, _child_used = await _shown_once_settled(tmp_path, {}, init_options=NO_CACHE, configuration=answer)
    assert [severity for code, severity, _line, _message in shown[BROKEN] if code == "CREW201"] == [4]


async def test_a_document_opened_at_once_shows_its_editor_text_not_the_disk_check(tmp_path):
    s = await start_session(tmp_path, "vscode", files=FILES, init_options=NO_CACHE)
    try:
        s.open(BROKEN, BROKEN_TEAM.replace("agent=scrib ", "agent=scribe "))  # fixed in the editor, not on disk
        await s.until(lambda: s.publishes_for(".crew/agents/loner.md"), what="the folder's diagnostics")
        await s.hovers(BROKEN, 0, 0)  # (answered once the folder is loaded: the server checks open documents then)
        assert await s.diagnostics(BROKEN) == []
    finally:
        await stop_session(s)


async def test_a_head_start_child_that_fails_leaves_the_check_to_the_server(tmp_path):
    # (the checker refuses a worker count that is not a number; the server does not read it)
    s = await start_session(tmp_path, "vscode", files=FILES, init_options=NO_CACHE, env={"CREW_LSP_JOBS": "many"})
    try:
        await s.until(lambda: any("in a child process failed" in m.message for m in s.client.log_messages),
                      what="the child to fail")
        await s.ready()
        assert [d.code for d in await s.diagnostics(BROKEN)] == ["CREW201"]
        assert not _by_child(s)
    finally:
        await stop_session(s)
