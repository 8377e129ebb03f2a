"""Workspace config files cannot make crew-lsp run anything by themselves: the keys that would (start a
run again, retry a worker, choose a runtime) are ignored in `<crewRoot>/config.json` and
`<repoRoot>/.pi/pi-crew.json` alike, and apply only from the user's own config files."""

from __future__ import annotations

import json

from engine_helpers import user_config

from crew_lsp.engine.config import load_config
from crew_lsp.resources.discovery import Workspace as Discovered

SWITCHES = {"reliability": {"autoRecover": True, "autoRetry": True, "deadletterThreshold": 7,
                            "retryPolicy": {"maxAttempts": 5}}}


def _repo_config(ws, data: dict) -> None:
    (ws.root / ".pi").mkdir(exist_ok=True)
    (ws.root / ".pi" / "pi-crew.json").write_text(json.dumps(data))


def test_project_config_cannot_switch_on_auto_recover_or_auto_retry(ws):
    ws.config(SWITCHES)
    cfg = load_config(Discovered.discover(ws.root))
    assert cfg.auto_retry is False
    assert {"reliability.autoRecover", "reliability.autoRetry"} <= set(cfg.ignored)
    # what only tunes a retry the user switched on still applies from the project
    assert cfg.deadletter_threshold == 7 and cfg.retry.max_attempts == 5


def test_repo_pi_crew_json_is_sanitised_like_the_project_config(ws):
    _repo_config(ws, {**SWITCHES, "executeWorkers": True, "runtime": {"mode": "child-process", "maxTurns": 9}})
    cfg = load_config(Discovered.discover(ws.root))
    assert cfg.auto_retry is False
    assert {"reliability.autoRecover", "reliability.autoRetry", "executeWorkers", "runtime.mode"} <= set(cfg.ignored)
    assert cfg.deadletter_threshold == 7


def test_user_config_still_switches_on_auto_retry(ws):
    user_config({"reliability": {"autoRetry": True}})
    ws.config({"reliability": {"autoRetry": False}})  # a project may always switch it off... but it is ignored
    cfg = load_config(Discovered.discover(ws.root))
    assert cfg.auto_retry is True and "reliability.autoRetry" in cfg.ignored


# pi-crew 0.5.5 on: the merge order is reversed, so the user's files win over the project's
# (versions.md's own probe: user 2, project 6 gives 2; `.crew` 3, `.pi` 5 gives 3).


def test_from_0_5_5_the_user_config_wins_over_the_project_config(ws):
    from crew_lsp.resources.config_versions import config_rules

    user_config({"limits": {"maxTaskDepth": 2}})
    ws.config({"limits": {"maxTaskDepth": 6}})
    assert load_config(Discovered.discover(ws.root)).max_task_depth == 6
    assert load_config(Discovered.discover(ws.root), config_rules((0, 5, 5))).max_task_depth == 2


def test_from_0_5_5_the_crew_config_wins_over_pi_crew_json(ws):
    from crew_lsp.resources.config_versions import config_rules

    ws.config({"limits": {"maxTaskDepth": 3}})
    _repo_config(ws, {"limits": {"maxTaskDepth": 5}})
    assert load_config(Discovered.discover(ws.root)).max_task_depth == 5
    assert load_config(Discovered.discover(ws.root), config_rules((0, 10, 1))).max_task_depth == 3


def test_at_0_10_1_a_project_may_not_loosen_a_guard(ws):
    from crew_lsp.resources.config_versions import config_rules

    ws.config({"limits": {"allowUnboundedConcurrency": True, "maxConcurrentWorkers": 12}})
    assert load_config(Discovered.discover(ws.root)).allow_unbounded is True
    cfg = load_config(Discovered.discover(ws.root), config_rules((0, 10, 1)))
    assert cfg.allow_unbounded is False and "limits.allowUnboundedConcurrency" in cfg.ignored
