"""workspace/executeCommand: built-in commands, argument validation, the registry and trust."""

from __future__ import annotations

import pytest
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

from crew_lsp.server import commands
from crew_lsp.server.settings import Settings


async def test_validate_workspace_counts_per_severity_and_code(session):
    result = await session.command("crew.validateWorkspace", {})
    assert result["scopes"]["project"] == {
        "files": 4,
        "severity": {"error": 1, "warning": 0, "information": 0, "hint": 0},
        "codes": {"CREW201": 1},
    }
    assert result["files"] == sum(scope["files"] for scope in result["scopes"].values())
    assert result["folders"] == [str(session.root.resolve())]
    # open documents count with their editor text
    session.open(".crew/teams/broken.team.md")
    session.change(".crew/teams/broken.team.md", (6, 16), (6, 21), "scribe")
    result = await session.command("crew.validateWorkspace")
    assert result["scopes"]["project"]["codes"] == {}


async def test_doctor_reports_roots_runtime_and_state(session):
    result = await session.command("crew.doctor", {})
    names = [c["name"] for c in result["checks"]]
    root = str(session.root.resolve())
    assert names[:2] == [f"roots of {root}", f"state writable in {root}"]
    assert "runtime resolution" in names and "worker command reachable" in names
    (entry,) = result["roots"]
    assert entry["crewRoot"] == str(session.root.resolve() / ".crew") and entry["crewRootExists"] is True
    assert result["runtime"]["runtime"] == "scaffold"
    assert result["ok"] is True


@pytest.mark.parametrize(("arguments", "message"), [
    ([{"bogus": 1}], "crew.doctor: argument `bogus` is not a known argument"),
    (["text"], "crew.doctor: the argument must be an object, got str"),
    ([{}, {}], "crew.doctor takes one argument object, got 2 arguments"),
])
async def test_invalid_arguments_are_invalid_params_naming_the_argument(session, arguments, message):
    with pytest.raises(JsonRpcException) as err:
        await session.client.workspace_execute_command_async(T.ExecuteCommandParams(command="crew.doctor", arguments=arguments))
    assert err.value.code == -32602
    assert message in err.value.message
    await session.command("crew.doctor", {})  # still serving


async def test_unknown_command(session):
    with pytest.raises(JsonRpcException) as err:
        await session.command("crew.nope", {})
    assert err.value.code == -32602 and "unknown command 'crew.nope'" in err.value.message


class _FakeServer:
    def __init__(self, trusted: bool = True):
        self.settings = Settings.model_validate({"trustedWorkspace": trusted})
        self.errors: list[str] = []

    def log_error(self, context, exc):
        self.errors.append(context)


async def test_registry_validates_with_the_argument_model_and_enforces_trust():
    calls = []
    real = commands.COMMANDS.get("crew.run")

    @commands.command("crew.run")
    async def run(ls, args: commands.RunArgs):
        calls.append(args)
        return {"runId": "r1"}

    try:
        assert "crew.run" in commands.COMMANDS
        with pytest.raises(JsonRpcException) as err:
            await commands.dispatch(_FakeServer(), "crew.run", [{"team": "docs"}])
        assert err.value.code == -32602 and "argument `goal` is required" in err.value.message
        with pytest.raises(JsonRpcException) as err:
            await commands.dispatch(_FakeServer(), "crew.run", [{"goal": "x", "runtime": "shell"}])
        assert "argument `runtime`" in err.value.message
        assert await commands.dispatch(_FakeServer(), "crew.run", [{"goal": "write docs", "team": "docs"}]) == {"runId": "r1"}
        assert calls[0].goal == "write docs" and calls[0].dryRun is False
        with pytest.raises(JsonRpcException) as err:
            await commands.dispatch(_FakeServer(trusted=False), "crew.run", [{"goal": "x"}])
        assert err.value.code == -32803 and "not trusted" in err.value.message
    finally:
        _restore("crew.run", real)


async def test_a_failing_handler_is_a_request_failed_error_with_redacted_message():
    real = commands.COMMANDS.get("crew.status")

    @commands.command("crew.status")
    def status(ls, args):
        raise RuntimeError("boom api_key=SECRET123")

    try:
        server = _FakeServer()
        with pytest.raises(JsonRpcException) as err:
            await commands.dispatch(server, "crew.status", [])
        assert err.value.code == -32803
        assert "SECRET123" not in err.value.message and "boom" in err.value.message
        assert server.errors == ["crew.status failed"]
    finally:
        _restore("crew.status", real)


def _restore(name: str, command: commands.Command | None) -> None:
    """Put back the handler a test replaced (the real ones are registered when run_commands is imported)."""
    if command is None:
        commands.COMMANDS.pop(name, None)
    else:
        commands.COMMANDS[name] = command


async def test_doctor_lists_agent_overrides_that_name_no_agent(tmp_path):
    from lsp_harness import start_session, stop_session

    config = tmp_path / "home" / ".pi" / "agent" / "pi-crew.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"agents": {"overrides": {"scrbe": {"thinking": "high"}}}}')
    s = await start_session(tmp_path, "vscode")
    try:
        await s.ready()
        result = await s.command("crew.doctor", {})
        drift = [c for c in result["checks"] if c["name"] == "config drift"]
        assert drift == [{"name": "config drift", "ok": False,
                          "detail": f"{config}:1: `agents.overrides.scrbe` names no agent — did you mean `scribe`?"}]
        assert result["ok"] is False
    finally:
        await stop_session(s)
