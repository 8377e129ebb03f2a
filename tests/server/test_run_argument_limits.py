"""Oversized command arguments (a 5 MB goal, a 100,000-character path…) are refused with an
InvalidParams error that names the argument and its limit, without echoing the value, before
anything is planned or created."""

from __future__ import annotations

import pytest
from lsp_harness import AGENT, TEAM, WORKFLOW
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException
from run_harness import start_run_session, stop_run_session

INVALID_PARAMS = -32602
FIVE_MB = "x" * 5_000_000
FILES = {".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM, ".crew/workflows/docs.workflow.md": WORKFLOW}


@pytest.fixture
async def s(tmp_path):
    session = await start_run_session(tmp_path, FILES)
    try:
        yield session
    finally:
        await stop_run_session(session)


async def test_oversized_arguments_are_invalid_params_naming_them(s):
    cases = [
        ("crew.run", {"goal": FIVE_MB}, "argument `goal`", "65536"),
        ("crew.run", {"goal": "g", "team": "t" * 201}, "argument `team`", "200"),
        ("crew.run", {"goal": "g", "cwd": "/" + "d" * 100_000}, "argument `cwd`", "4096"),
        ("crew.run", {"goal": "g", "folder": "/" + "d" * 100_000}, "argument `folder`", "4096"),
        ("crew.plan", {"goal": FIVE_MB}, "argument `goal`", "65536"),
        ("crew.recommend", {"goal": FIVE_MB}, "argument `goal`", "65536"),
        ("crew.status", {"runId": "r" * 201}, "argument `runId`", "200"),
        ("crew.retry", {"runId": "r", "taskId": "t" * 201}, "argument `taskId`", "200"),
        ("crew.cancel", {"runId": "r", "reason": FIVE_MB}, "argument `reason`", "2000"),
    ]
    for name, args, argument, limit in cases:
        with pytest.raises(JsonRpcException) as caught:
            await s.client.workspace_execute_command_async(T.ExecuteCommandParams(command=name, arguments=[args]))
        err = caught.value
        assert err.code == INVALID_PARAMS and argument in err.message and limit in err.message, (name, err.message)
        assert len(err.message) < 500, name  # the value is not echoed back
    assert (await s.command("crew.status", {}))["runs"] == []  # nothing was created


async def test_a_goal_at_the_limit_is_accepted(s):
    plan = await s.command("crew.plan", {"team": "docs", "goal": "g" * 65_536})
    assert plan["ok"] is True
