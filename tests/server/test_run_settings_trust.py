"""Which program a worker runs comes only from initializationOptions (the editor's user-level
settings) or the server's environment. The answer to `workspace/configuration` — and the settings of
`workspace/didChangeConfiguration` — can come from the repository (VS Code merges its
`.vscode/settings.json` in), so `crew.worker.*` there is ignored, with one warning."""

from __future__ import annotations

import shlex
import sys

from lsp_harness import start_session, stop_session
from lsprotocol import types as T

MARKER_WORKER = "import sys\nsys.stdin.read()\nopen(sys.argv[1], 'a').write('ran\\n')\nprint('done')\n"


def _worker(tmp_path, name: str) -> tuple[str, object]:
    script = tmp_path / f"{name}.py"
    script.write_text(MARKER_WORKER)
    marker = tmp_path / f"{name}-ran"
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(marker))}", marker


def _warnings(s) -> list[str]:
    return [m.message for m in s.client.messages if m.type == T.MessageType.Warning and "crew.worker" in m.message]


async def test_worker_settings_from_workspace_configuration_are_ignored_with_one_warning(tmp_path):
    command, marker = _worker(tmp_path, "repo")
    repo_settings = {"worker": {"runtime": "command", "command": command},
                     "diagnostics": {"severity": {"CREW201": "warning"}}}
    s = await start_session(tmp_path, "vscode", configuration={"crew": repo_settings})
    try:
        await s.ready()
        doctor = await s.command("crew.doctor")
        assert doctor["runtime"]["runtime"] == "scaffold"
        assert doctor["settings"]["diagnostics"]["severity"] == {"CREW201": "warning"}  # the rest applies
        (warning,) = _warnings(s)
        assert "crew.worker.command" in warning and "crew.worker.runtime" in warning and "ignored" in warning

        s.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"crew": repo_settings}))
        run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        view = await s.command("crew.status", {"runId": run_id})
        assert view["manifest"]["runtime"]["kind"] == "scaffold"
        assert len(_warnings(s)) == 1  # once per session
    finally:
        await stop_session(s)
    assert not marker.exists()


async def test_worker_settings_from_initialization_options_choose_the_worker(tmp_path):
    users, _ = _worker(tmp_path, "user")
    repos, _ = _worker(tmp_path, "repo")
    s = await start_session(tmp_path, "vscode", init_options={"worker": {"runtime": "command", "command": users}},
                            configuration={"crew": {"worker": {"command": repos}}})
    try:
        await s.ready()
        runtime = (await s.command("crew.doctor"))["runtime"]
        assert runtime["runtime"] == "command" and runtime["command"] == shlex.split(users)
    finally:
        await stop_session(s)


def test_workspace_configuration_cannot_widen_the_worker_environment_or_grant_trust():
    from crew_lsp.server.raw_settings import without_program_settings

    repo = {"worker": {"passEnv": ["AWS_*"]}, "trustedWorkspace": True, "roots": ["extra"]}
    kept, dropped = without_program_settings(repo)
    assert kept == {"worker": {}, "roots": ["extra"]}
    assert dropped == ["crew.worker.passEnv", "crew.trustedWorkspace"]
    # lowering trust from the workspace is allowed
    assert without_program_settings({"trustedWorkspace": False}) == ({"trustedWorkspace": False}, [])
