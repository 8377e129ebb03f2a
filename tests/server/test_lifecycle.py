"""Capabilities per client, dynamic watchers or polling, index progress, settings sources, shutdown."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

from lsp_harness import ROOT, server_config, start_session, stop_session, write_project
from lsprotocol import types as T
from pygls import uris
from pytest_lsp import client_capabilities

from crew_lsp.resources.discovery import Workspace, scan
from crew_lsp.server.head_start import OFF_VARIABLE

BROKEN = ".crew/teams/broken.team.md"


async def test_capabilities_follow_the_client(tmp_path):
    for profile in ("vscode", "neovim", "neovim07"):
        s = await start_session(tmp_path / profile, profile)
        try:
            caps = s.init.capabilities
            assert caps.position_encoding == T.PositionEncodingKind.Utf16  # even when the client prefers utf-8
            assert caps.text_document_sync.change == T.TextDocumentSyncKind.Incremental
            assert caps.text_document_sync.open_close is True
            assert {"crew.doctor", "crew.validateWorkspace"} <= set(caps.execute_command_provider.commands)
            assert caps.hover_provider and caps.definition_provider and caps.references_provider
            assert caps.workspace_symbol_provider and caps.document_symbol_provider
            assert caps.document_formatting_provider
            if profile == "vscode":
                assert caps.diagnostic_provider is None  # VS Code 1.65 has no pull: push only
                assert list(caps.code_action_provider.code_action_kinds) == ["quickfix", "source.fixAll.crew", "source.crew.export"]
                assert caps.rename_provider.prepare_provider is True
                assert caps.code_lens_provider is not None
                assert caps.inlay_hint_provider is None  # the client declares no inlay hints
                assert caps.semantic_tokens_provider.full is True
                assert caps.document_link_provider is not None and caps.folding_range_provider
            elif profile == "neovim":
                assert caps.diagnostic_provider.workspace_diagnostics is False
                assert caps.inlay_hint_provider
                assert caps.document_link_provider is None  # Neovim 0.11 declares no document links
            else:  # Neovim 0.7: no semantic tokens, no code lens, no pull, no folding
                assert caps.diagnostic_provider is None
                assert caps.semantic_tokens_provider is None
                assert caps.code_lens_provider is None
                assert caps.folding_range_provider is None
        finally:
            await stop_session(s)


IMPLEMENTED_COMMANDS = {
    "crew.run", "crew.cancel", "crew.resume", "crew.retry", "crew.status", "crew.events", "crew.plan",
    "crew.recommend", "crew.recover", "crew.exportDiagnostics", "crew.validateWorkspace", "crew.doctor",
    "crew.metrics", "crew.teams", "crew.export", "crew.guidance.update", "crew.guidance.remove", "crew.newSkill",
}


async def test_the_advertised_commands_are_exactly_the_implemented_ones(session):
    advertised = session.init.capabilities.execute_command_provider.commands
    assert sorted(advertised) == sorted(IMPLEMENTED_COMMANDS)


async def test_watchers_are_registered_dynamically_when_allowed(session):
    regs = session.client.registrations
    if session.profile == "vscode":
        (reg,) = [r for r in regs if r.method == T.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        globs = [w["globPattern"] for w in reg.register_options["watchers"]]
        assert "**/teams/*.team.md" in globs and "**/agents/*.md" in globs
    else:
        assert regs == []


def _glob_regex(glob: str) -> re.Pattern[str]:
    """LSP glob syntax: `**/` any folders (or none), `*` and `?` within one path segment."""
    out = ""
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


def _watched(path: Path, folder: Path, watchers: list[dict]) -> bool:
    for watcher in watchers:
        pattern = watcher["globPattern"]
        if isinstance(pattern, str):  # relative to the workspace folder
            base, glob = folder, pattern
        else:
            base, glob = Path(uris.to_fs_path(pattern["baseUri"])), pattern["pattern"]
        if base in path.parents and _glob_regex(glob).match(path.relative_to(base).as_posix()):
            return True
    return False


async def test_every_file_the_index_reads_is_watched(tmp_path, monkeypatch):
    # the workspace folder `ws` inside a repository: the crew root and the repo config lie above it
    repo, folder, home = tmp_path, tmp_path / "ws", tmp_path / "home"  # the harness's folder and PI_TEAMS_HOME
    extra = tmp_path / "shared-crew"
    files = {
        repo / ".crew/agents/scribe.md": "---\nname: scribe\n---\nWrite.\n",
        repo / ".crew/teams/docs.team.md": "---\nname: docs\n---\n- scribe: scribe\n",
        repo / ".crew/workflows/docs.workflow.md": "---\nname: docs\n---\n## write\nrole: scribe\n\nWrite.\n",
        repo / ".crew/config.json": "{}\n",
        repo / ".pi/pi-crew.json": "{}\n",
        repo / "AGENTS.md": "# Rules\n",
        folder / "skills/review/SKILL.md": "---\nname: review\ndescription: r\n---\nReview.\n",
        extra / "agents/helper.md": "---\nname: helper\n---\nHelp.\n",
        home / ".pi/agent/teams/mine.team.md": "---\nname: mine\n---\n- scribe: scribe\n",
        home / ".pi/agent/pi-crew.json": "{}\n",
        home / ".pi/agent/extensions/pi-crew/config.json": "{}\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (repo / ".git").mkdir()
    folder.mkdir(exist_ok=True)
    caps = client_capabilities("visual-studio-code")  # 1.65; relative patterns came with VS Code 1.75
    caps.workspace.did_change_watched_files.relative_pattern_support = True
    client = await server_config(home).start()
    try:
        await client.initialize_session(T.InitializeParams(
            capabilities=caps, root_uri=folder.as_uri(), workspace_folders=[T.WorkspaceFolder(uri=folder.as_uri(), name="ws")],
            initialization_options={"roots": [str(extra)]}))
        deadline = asyncio.get_running_loop().time() + 10
        while not client.registrations and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        (reg,) = [r for r in client.registrations if r.method == T.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        watchers = reg.register_options["watchers"]
    finally:
        await client.shutdown_session()
        await client.stop()
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    read = [Path(path) for _kind, _scope, path in scan(Workspace.discover(folder, [str(extra)]))]
    assert {p for p in files if p.suffix in (".md", ".json")} <= set(read)
    assert [p for p in read if not _watched(p, folder, watchers)] == []


async def test_without_watchers_the_server_notices_disk_changes_itself(tmp_path):
    s = await start_session(tmp_path, "neovim")  # Neovim 0.11 cannot register watchers dynamically
    try:
        await s.ready()
        mark = len(s.publishes)
        text = s.path(BROKEN).read_text().replace("agent=scrib ", "agent=scribe ")
        s.path(BROKEN).write_text(text)
        await s.until(lambda: s.publishes_for(BROKEN, mark), timeout=8, what="the poller to see the edit")
        assert s.pushed(BROKEN) == []
    finally:
        await stop_session(s)


async def test_indexing_a_large_workspace_reports_progress(tmp_path):
    files = {f".crew/agents/a{i:03}.md": f"---\nname: a{i:03}\ndescription: agent {i}\n---\nDo {i}.\n" for i in range(260)}
    files[BROKEN] = "---\nname: broken\ndescription: b\ndefaultWorkflow: fast-fix\n---\n- explorer: agent=scrib x\n"
    s = await start_session(tmp_path, "vscode", files=files)
    try:
        await s.ready()
        reports = list(s.client.progress_reports.values())
        assert len(reports) == 1
        kinds = [r.kind for r in reports[0]]
        assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
        assert reports[0][0].percentage == 0
        assert all(r.percentage is not None for r in reports[0] if r.kind == "report")
        assert reports[0][-2].percentage == 100
    finally:
        await stop_session(s)


async def test_settings_come_from_workspace_configuration(tmp_path):
    s = await start_session(tmp_path, "vscode",
                            configuration={"crew": {"diagnostics": {"severity": {"CREW201": "warning"}}}})
    try:
        await s.ready()
        (d,) = s.pushed(BROKEN)
        assert d.severity == T.DiagnosticSeverity.Warning
        # VS Code sends `settings: null` and expects the server to pull the section again
        s.client.set_configuration({"crew": {"diagnostics": {"severity": {"CREW201": "information"}}}})
        mark = len(s.publishes)
        s.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
        await s.until(lambda: s.publishes_for(BROKEN, mark), what="re-publish after configuration change")
        (d,) = s.pushed(BROKEN)
        assert d.severity == T.DiagnosticSeverity.Information
    finally:
        await stop_session(s)


async def test_invalid_settings_are_ignored_with_a_log_line(tmp_path):
    s = await start_session(tmp_path, "vscode", init_options={
        "diagnostics": {"delayMs": 0, "severity": {"CREW201": "loud"}}, "roots": "not-a-list"})
    try:
        await s.ready()
        (d,) = s.pushed(BROKEN)
        assert d.severity == T.DiagnosticSeverity.Error
        logs = [m.message for m in s.client.log_messages]
        assert any("crew.diagnostics.severity.CREW201 ignored" in m for m in logs)
        assert any("crew.roots ignored" in m for m in logs)
    finally:
        await stop_session(s)


async def test_clean_shutdown(tmp_path):
    s = await start_session(tmp_path, "vscode")
    await s.ready()
    await stop_session(s)
    assert s.client._server.returncode == 0


async def test_exit_without_shutdown_is_exit_code_1(tmp_path):
    s = await start_session(tmp_path, "vscode")
    await s.ready()
    s.client.exit(None)
    assert await asyncio.wait_for(s.client._server.wait(), 10) == 1
    await s.client.stop()


async def test_the_server_exits_when_the_editor_process_is_gone(tmp_path):
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    root = tmp_path / "ws"
    write_project(root)
    (tmp_path / "home").mkdir()
    client = await server_config(tmp_path / "home").start()
    await client.initialize_session(T.InitializeParams(
        process_id=gone.pid, capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        initialization_options={"diagnostics": {"delayMs": 0}}))
    try:
        code = await asyncio.wait_for(client._server.wait(), 10)
        assert code == 0
    finally:
        await client.stop()


async def test_tcp_transport(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write_project(tmp_path / "ws")
    env = dict(os.environ, PI_TEAMS_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "crew_lsp", "serve", "--tcp", f"127.0.0.1:{port}",
                                                env=env)
    try:
        for _ in range(100):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": (tmp_path / "ws").as_uri(), "capabilities": {}}}).encode()
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        reply = json.loads(await reader.readexactly(length))
        assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "crew-lsp"
        assert reply["result"]["capabilities"]["positionEncoding"] == "utf-16"
        writer.close()
    finally:
        proc.terminate()
        await proc.wait()


async def test_open_documents_are_published_first_at_cold_start(tmp_path):
    # many broken teams; the one the editor opens sorts last, yet its diagnostics come first (when the
    # server checks the folder itself: a head-start child's diagnostics all come in one batch, earlier)
    files = {f".crew/teams/t{i:03}.team.md": f"---\nname: t{i:03}\ndescription: d\ndefaultWorkflow: docs\n---\n"
             f"- explorer: agent=nobody{i} find\n" for i in range(300)}
    files[".crew/workflows/docs.workflow.md"] = "---\nname: docs\ndescription: d\n---\n\n## a\nrole: explorer\n\nDo {goal}.\n"
    opened = ".crew/teams/zzz.team.md"
    files[opened] = "---\nname: zzz\ndescription: d\ndefaultWorkflow: docs\n---\n- explorer: agent=nobody find\n"
    s = await start_session(tmp_path, "vscode", files=files, env={OFF_VARIABLE: "1"})  # `initialized` is sent: indexing has begun
    try:
        s.open(opened)
        await s.until(lambda: len([p for p in s.publishes if p.diagnostics]) > 1, what="the cold start's publishes")
        first = next(p for p in s.publishes if p.diagnostics)
        assert first.uri == s.uri(opened)
    finally:
        await stop_session(s)
