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
