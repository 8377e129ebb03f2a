"""The run commands on the server (docs/editor.md, Commands): argument errors, result shapes, code lenses end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsp_harness import AGENT, BROKEN_TEAM, TEAM, WORKFLOW
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException
from run_harness import start_run_session, stop_run_session

FILES = {".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM,
         ".crew/teams/broken.team.md": BROKEN_TEAM, ".crew/workflows/docs.workflow.md": WORKFLOW}
INVALID_PARAMS, REQUEST_FAILED = -32602, -32803


@pytest.fixture
async def s(tmp_path):
    session = await start_run_session(tmp_path, FILES)
    try:
        yield session
    finally:
        await stop_run_session(session)


async def _error(s, name: str, args) -> JsonRpcException:
    with pytest.raises(JsonRpcException) as err:
        await s.client.workspace_execute_command_async(T.ExecuteCommandParams(command=name, arguments=[args]))
    return err.value


async def test_bad_arguments_are_invalid_params_naming_the_argument(s):
    cases = [
        ("crew.run", {"team": "docs"}, "crew.run: argument `goal` is required"),
        ("crew.run", {"goal": "   "}, "argument `goal`: Value error, must not be blank"),
        ("crew.run", {"goal": "x", "runtime": "shell"}, "argument `runtime`"),
        ("crew.run", {"goal": "x", "dryRun": "maybe"}, "argument `dryRun`"),
        ("crew.run", {"goal": "x", "bogus": 1}, "argument `bogus` is not a known argument"),
        ("crew.run", {"goal": "x", "team": "nope"}, "argument `team`: unknown team 'nope'"),
        ("crew.run", {"goal": "x", "workflow": "nope"}, "argument `workflow`: unknown workflow 'nope'"),
        ("crew.run", {"goal": "x", "agent": "nobody"}, "argument `agent`: unknown or disabled agent 'nobody'"),
        ("crew.run", {"goal": "x", "runtime": "command"}, "argument `runtime`: runtime 'command' needs"),
        ("crew.run", {"goal": "x", "cwd": "/definitely/not/here"}, "argument `cwd`: /definitely/not/here is not inside"),
        ("crew.plan", {"team": "docs"}, "crew.plan: argument `goal` is required"),
        ("crew.status", {"runId": "../etc"}, "argument `runId`"),
        ("crew.status", {"runId": "team_20990101000000_0000000000000000"}, "argument `runId`: unknown run"),
        ("crew.events", {"runId": "r1", "limit": 0}, "argument `limit`"),
        ("crew.events", {"runId": "r1", "sinceSeq": -1}, "argument `sinceSeq`"),
        ("crew.events", {}, "argument `runId` is required"),
        ("crew.cancel", {"runId": "nope"}, "argument `runId`: unknown run nope"),
        ("crew.retry", {"runId": "nope", "taskId": "a/b"}, "argument `taskId`"),
        ("crew.recover", {"runId": "nope"}, "argument `accept` is required"),
        ("crew.recommend", {}, "argument `goal` is required"),
        ("crew.exportDiagnostics", {"runId": "nope"}, "argument `runId`: unknown run nope"),
    ]
    for name, args, message in cases:
        err = await _error(s, name, args)
        assert err.code == INVALID_PARAMS and message in err.message, (name, args, err.message)
    # a run the engine refuses: RequestFailed with the blocking diagnostics
    err = await _error(s, "crew.run", {"goal": "x", "team": "broken"})
    assert err.code == REQUEST_FAILED and "cannot start" in err.message
    assert any(d["code"] == "CREW201" for d in err.data["diagnostics"])
    assert (await s.command("crew.status", {}))["runs"] == []  # nothing was created


async def test_untrusted_workspace_refuses_runs(tmp_path):
    s = await start_run_session(tmp_path, FILES, init_options={"trustedWorkspace": False})
    try:
        err = await _error(s, "crew.run", {"goal": "x", "team": "docs"})
        assert err.code == REQUEST_FAILED and "not trusted" in err.message
        assert (await s.command("crew.plan", {"goal": "x", "team": "docs"}))["ok"] is True  # runs nothing
    finally:
        await stop_run_session(s)


async def test_status_events_plan_recommend_and_export_shapes(s):
    run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs", "dryRun": True}))["runId"]
    view = await s.run_until(run_id)
    assert {"runId", "manifest", "status", "tasks", "progress", "active", "interrupted"} <= set(view)
    assert view["manifest"]["goal"] == "write the docs" and view["manifest"]["runtime"]["kind"] == "scaffold"
    assert [(t["id"], t["role"], t["status"]) for t in view["tasks"]] == [
        ("01_explore", "explorer", "completed"), ("02_write", "scribe", "completed")]
    assert view["progress"]["message"] == "Phase 4/4 finish: 100% (2/2)"

    listed = await s.command("crew.status", {"folder": s.root.as_uri()})
    (entry,) = listed["runs"]
    assert entry["runId"] == run_id and entry["status"] == "completed"
    assert entry["folder"] == str(s.root.resolve())
    assert set(listed["health"]) == {"activeRuns", "levels", "worst", "lastRun"}

    page = await s.command("crew.events", {"runId": run_id, "limit": 3})
    assert set(page) == {"events", "nextSeq", "total"} and len(page["events"]) == 3
    assert page["events"][0]["type"] == "run.created" and page["nextSeq"] == 3
    rest = await s.command("crew.events", {"runId": run_id, "sinceSeq": page["nextSeq"]})
    assert len(page["events"]) + len(rest["events"]) == page["total"]
    assert any(e["type"] == "run.completed" for e in rest["events"])

    plan = await s.command("crew.plan", {"team": "docs", "goal": "write the docs"})
    assert plan["ok"] is True and plan["team"] == "docs" and plan["workflow"] == "docs"
    assert [(t["id"], t["role"], t["agent"], t["dependsOn"], t["wave"]) for t in plan["tasks"]] == [
        ("01_explore", "explorer", "explorer", [], 1), ("02_write", "scribe", "scribe", ["explore"], 2)]
    assert plan["waves"] == [["01_explore"], ["02_write"]]
    blocked = await s.command("crew.plan", {"team": "broken", "goal": "x"})
    assert blocked["ok"] is False and any(d["code"] == "CREW201" for d in blocked["diagnostics"])

    rec = await s.command("crew.recommend", {"goal": "fix a small typo in the README"})
    assert rec["team"] == "fast-fix" and rec["workflow"] == "fast-fix"
    assert "typo" in rec["matches"]["triggers"] and "'typo'" in rec["reason"]
    rec = await s.command("crew.recommend", {"goal": "review the pull request before merge"})
    assert rec["team"] == "review" and rec["score"] > 0
    rec = await s.command("crew.recommend", {"goal": "zzz qqq"})
    assert rec["team"] == "default" and rec["score"] == 0 and "nothing in the goal matches" in rec["reason"]

    exported = await s.command("crew.exportDiagnostics", {"runId": run_id})
    bundle = json.loads(Path(exported["path"]).read_text())
    assert exported["runId"] == run_id and bundle["manifest"]["runId"] == run_id

    direct = (await s.command("crew.run", {"agent": "scribe", "goal": "a README", "runtime": "scaffold"}))["runId"]
    view = await s.run_until(direct)
    assert view["manifest"]["team"] == "direct-scribe" and [t["role"] for t in view["tasks"]] == ["scribe"]

    err = await _error(s, "crew.recover", {"runId": run_id, "accept": True})
    assert err.code == REQUEST_FAILED and "not interrupted" in err.message
    retried = await s.command("crew.retry", {"runId": run_id, "taskId": "02_write"})
    assert retried == {"runId": run_id, "requeuedTaskIds": ["02_write"]}
    assert (await s.run_until(run_id))["status"] == "completed"


async def test_code_lenses_run_and_plan_end_to_end(s):
    rel = ".crew/workflows/docs.workflow.md"
    s.open(rel)
    lenses = await s.client.text_document_code_lens_async(T.CodeLensParams(text_document=T.TextDocumentIdentifier(uri=s.uri(rel))))
    by_title = {lens.command.title: lens.command for lens in lenses}
    assert set(by_title) == {"Run with broken", "Run with docs", "Preview plan"}
    run_lens = by_title["Run with docs"]
    assert list(run_lens.arguments) == [{"team": "docs", "workflow": "docs", "fromLens": True, "folder": str(s.root.resolve())}]

    # exactly what an editor does on a click: the lens' own command and arguments, no goal
    run_id = (await s.command(run_lens.command, *run_lens.arguments))["runId"]
    view = await s.run_until(run_id)
    assert view["status"] == "completed" and view["manifest"]["goal"] == "docs/docs run from the editor"
    plan = await s.command(by_title["Preview plan"].command, *by_title["Preview plan"].arguments)
    assert plan["ok"] is False  # the lens previews with `broken`, the first team running the workflow
    assert any(d["code"] == "CREW201" for d in plan["diagnostics"])

    team_rel = ".crew/teams/docs.team.md"
    s.open(team_rel)
    (team_lens,) = await s.client.text_document_code_lens_async(
        T.CodeLensParams(text_document=T.TextDocumentIdentifier(uri=s.uri(team_rel))))
    assert team_lens.command.title == "Run team"
    run_id = (await s.command(team_lens.command.command, *team_lens.command.arguments))["runId"]
    view = await s.run_until(run_id)
    assert (view["manifest"]["team"], view["manifest"]["workflow"]) == ("docs", "docs")
    assert view["manifest"]["goal"] == "docs/docs run from the editor"
    # a client that prompts for a goal adds it to the lens arguments
    run_id = (await s.command("crew.run", {**team_lens.command.arguments[0], "goal": "only the API"}))["runId"]
    assert (await s.run_until(run_id))["manifest"]["goal"] == "only the API"
