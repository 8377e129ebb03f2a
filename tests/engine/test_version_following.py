"""Runs follow the pi-crew version the workspace is read as (docs/runs.md, Versions): the tools a
worker gets (role tool defaults, the tool policy, role permissions) and a role line's `thinking=`."""

from __future__ import annotations

import json

import pytest
from engine_helpers import FAKE_PI_BIN, fast_options

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.tool_policy import worker_tools
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index


def _agent(ws, name: str, tools: str | None = None) -> None:
    line = "" if tools is None else f"tools: {tools}\n"
    (ws.crew / "agents" / f"{name}.md").write_text(f"---\nname: {name}\ndescription: test agent {name}\n{line}---\nYou do {name} work.\n")


def _tools(ws, version: str, role: str, agent: str) -> list[str]:
    snap = Index.load(Workspace.discover(ws.root, pi_crew_version=version)).snapshot
    return worker_tools(snap.workspace.reading, role, snap.agent(agent))


def test_a_builtin_agent_gets_its_own_tools_at_0_2_and_its_roles_allowlist_from_0_8_1(ws):
    assert _tools(ws, "0.2", "explorer", "explorer") == ["read", "grep", "find", "ls"]
    assert _tools(ws, "0.10", "explorer", "explorer") == ["read", "grep", "find", "ls", "glob", "bash", "ask"]


def test_a_project_agent_keeps_its_own_tools_less_its_roles_exclusions(ws):
    _agent(ws, "poker", "read, edit, bash")
    assert _tools(ws, "0.2", "reviewer", "poker") == ["read", "edit", "bash"]
    assert _tools(ws, "0.10", "reviewer", "poker") == ["read", "bash"]  # reviewers never get edit or write


def test_a_project_agent_without_tools_gets_its_roles_allowlist(ws):
    _agent(ws, "looker")
    assert _tools(ws, "0.2", "planner", "looker") == []  # no --tools: every tool
    assert _tools(ws, "0.10", "planner", "looker") == ["read", "grep", "find", "ls", "glob", "ask"]


def test_tools_none_on_a_project_agent_gives_every_builtin_tool_but_the_roles_exclusions(ws):
    _agent(ws, "open", "none")
    assert _tools(ws, "0.10", "explorer", "open") == ["read", "grep", "find", "ls", "bash"]
    assert _tools(ws, "0.10", "executor", "open") == []  # no exclusions: no --tools at all


def test_an_unknown_role_is_read_only_from_0_9_46(ws):
    _agent(ws, "auditor")
    assert _tools(ws, "0.9.45", "auditor", "auditor") == []  # it may still write: every tool
    assert _tools(ws, "0.9.46", "auditor", "auditor") == ["read", "grep", "find", "ls", "bash"]


def test_the_writer_role_follows_its_tool_defaults_not_the_old_read_only_list(ws):
    _agent(ws, "scribe")
    assert _tools(ws, "0.10", "writer", "scribe") == ["read", "edit", "write", "ls", "ask"]


@pytest.mark.parametrize(("version", "model", "tools"), [
    ("0.2", "fake/fake-model", "read,grep,find,ls"),
    ("0.10", "fake/fake-model:high", "read,grep,find,ls,glob,bash,ask"),
])
async def test_the_pi_runtime_passes_the_versions_tools_and_the_role_lines_thinking(ws, monkeypatch, tmp_path, version, model, tools):
    record = tmp_path / "record"
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    monkeypatch.setenv("FAKE_PI_RECORD", str(record))
    (ws.crew / "teams" / "t.team.md").write_text(
        "---\nname: t\ndescription: one explorer\ndefaultWorkflow: w\n---\n- explorer: agent=explorer thinking=high look around\n")
    ws.workflow("w", "## look\nrole: explorer\nmodel: fake/fake-model\n\nLook at {goal}.\n")
    async with RunManager(ws.root, runtime="pi", pass_env=["FAKE_PI_RECORD"], options=fast_options(), pi_crew_version=version) as runs:
        final = await runs.wait(await runs.start(goal="the code", team="t"))
    assert final.status == "completed"
    argv = json.loads((record / "01_look.json").read_text())["argv"]
    assert argv[argv.index("--model") + 1] == model
    assert argv[argv.index("--tools") + 1] == tools


def test_crew_lsp_run_takes_the_version_to_run_as(ws, capsys):
    from crew_lsp.engine.cli import main

    (ws.crew / "teams" / "t.team.md").write_text(
        "---\nname: t\ndescription: one explorer\ndefaultWorkflow: w\n---\n- explorer: agent=explorer thinking=high look around\n")
    ws.workflow("w", "## look\nrole: explorer\n\nLook at {goal}.\n")
    assert main(["run", "--dry-run", "--pi-crew-version", "0.10", "--cwd", str(ws.root), "--team", "t", "--json", "the code"]) == 0
    run_id = json.loads(capsys.readouterr().out)["runId"]
    assert ws.manifest(run_id)["roles"]["explorer"]["thinking"] == "high"
    assert main(["plan", "--pi-crew-version", "ten", "--cwd", str(ws.root), "--team", "t", "the code"]) == 2
    assert "`ten` is not a version" in capsys.readouterr().err


def test_a_role_thinking_that_is_no_level_is_ignored(ws):
    from crew_lsp.engine.config import EngineConfig
    from crew_lsp.engine.plan import build_plan, load_snapshot

    (ws.crew / "teams" / "t.team.md").write_text(
        "---\nname: t\ndefaultWorkflow: w\n---\n- explorer: agent=explorer thinking=hard look\n- executor: agent=executor thinking=xhigh build\n")
    ws.workflow("w", "## look\nrole: explorer\n\nLook at {goal}.\n\n## build\nrole: executor\ndependsOn: look\n\nBuild {goal}.\n")
    roles = build_plan(load_snapshot(ws.root, "0.10"), EngineConfig(), goal="g", team="t").roles
    assert (roles["explorer"].thinking, roles["executor"].thinking) == (None, "xhigh")
