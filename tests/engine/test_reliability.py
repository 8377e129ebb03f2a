"""Retry with backoff, deadletters, the adaptive plan in a real run, crash recovery (docs/runs.md, Reliability)."""

from __future__ import annotations

import json
import textwrap
import time

import pytest
from engine_helpers import PY, fast_options, steps, user_config

from crew_lsp.engine.config import RetryPolicy
from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.retry import retry_delay_ms, retryable


FLAKY = textwrap.dedent("""
    import pathlib, sys
    task, mode = sys.argv[1], sys.argv[2]
    sys.stdin.read()
    counter = pathlib.Path(sys.argv[3]) / task
    n = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    if mode == "flaky" and n < 3:
        print("temporary glitch", file=sys.stderr); sys.exit(1)
    if mode == "fatal":
        print("fatal", file=sys.stderr); sys.exit(1)
    print("ok after", n)
""")


def test_backoff_delays_grow_by_the_factor_with_bounded_jitter():
    policy = RetryPolicy(max_attempts=4, backoff_ms=100, jitter_ratio=0, factor=2)
    assert [retry_delay_ms(policy, n) for n in (1, 2, 3)] == [100, 200, 400]
    jittered = RetryPolicy(backoff_ms=1000, jitter_ratio=0.3, factor=2)
    assert all(700 <= retry_delay_ms(jittered, 1) <= 1300 for _ in range(50))
    globs = RetryPolicy(retryable_errors=["temporary*"])
    assert retryable(globs, "worker exited", "temporary glitch") and not retryable(globs, "fatal")
    assert retryable(RetryPolicy(), "anything")


async def test_retry_backs_off_until_success_and_an_unmatched_error_is_deadlettered_not_retryable(ws, tmp_path):
    counters = tmp_path / "counters"
    counters.mkdir()
    (tmp_path / "flaky.py").write_text(FLAKY)
    user_config({"reliability": {"autoRetry": True}})  # a project config may not switch retries on
    ws.config({"reliability": {"retryPolicy": {
        "maxAttempts": 3, "backoffMs": 100, "jitterRatio": 0, "exponentialFactor": 2, "retryableErrors": ["temporary*"]}}})
    ws.team("t", ["executor"], workflow="w", max_concurrency=2)
    ws.workflow("w", steps(("flaky", "executor", "", "x"), ("fatal", "executor", "", "y")))
    # the mode comes from the task id so one command serves both steps
    (tmp_path / "wrap.sh").write_text(f'#!/bin/sh\ncase "$1" in *flaky) MODE=flaky;; *) MODE=fatal;; esac\nexec {PY} {tmp_path / "flaky.py"} "$1" "$MODE" {counters}\n')
    (tmp_path / "wrap.sh").chmod(0o755)
    async with RunManager(ws.root, runtime="command", worker_command=f"{tmp_path / 'wrap.sh'} {{taskId}}", options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="g", team="t"))
    tasks = {t["stepId"]: t for t in final.to_json()["tasks"]}
    assert tasks["flaky"]["status"] == "completed" and len(tasks["flaky"]["attempts"]) == 3
    assert [a["error"] is None for a in tasks["flaky"]["attempts"]] == [False, False, True]
    assert tasks["fatal"]["status"] == "failed" and len(tasks["fatal"]["attempts"]) == 1
    events = ws.events(final.run_id)
    delays = [e["data"]["delayMs"] for e in events if e["type"] == "crew.task.retry_attempt"]
    assert delays == [100, 200]
    dead = [json.loads(line) for line in (ws.run_dir(final.run_id) / "deadletter.jsonl").read_text().splitlines()]
    # "fatal" matches no retryableErrors glob: never retried, and the deadletter says why
    assert len(dead) == 1 and dead[0]["taskId"] == "02_fatal" and dead[0]["reason"] == "not-retryable" and dead[0]["attempts"] == 1
    assert final.status == "failed"


async def test_max_retries_per_task_caps_max_attempts_and_the_deadletter_says_max_retries(ws, tmp_path):
    counters = tmp_path / "counters"
    counters.mkdir()
    (tmp_path / "flaky.py").write_text(FLAKY)
    user_config({"reliability": {"autoRetry": True}})
    ws.config({"limits": {"maxRetriesPerTask": 2}, "reliability": {"retryPolicy": {
        "maxAttempts": 5, "backoffMs": 100, "jitterRatio": 0, "retryableErrors": ["*"]}}})
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("fatal", "executor", "", "y")))
    command = f"{PY} {tmp_path / 'flaky.py'} {{taskId}} fatal {counters}"
    async with RunManager(ws.root, runtime="command", worker_command=command, options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="g", team="t"))
    assert len(final.tasks[0].stored["attempts"]) == 2  # maxAttempts 5, capped by limits.maxRetriesPerTask 2
    dead = [json.loads(line) for line in (ws.run_dir(final.run_id) / "deadletter.jsonl").read_text().splitlines()]
    assert [(d["reason"], d["attempts"]) for d in dead] == [("max-retries", 2)]


def test_deadletters_are_counted_from_every_runs_file_within_the_window(tmp_path):
    from crew_lsp.engine.deadletters import count_since
    from crew_lsp.engine.model import now_iso
    from crew_lsp.engine.state import RunStore

    store = RunStore(tmp_path / ".crew", tmp_path)
    for run_id, stamps in (("run_a", [now_iso(), "2020-01-01T00:00:00Z"]), ("run_b", [now_iso(), now_iso()])):
        folder = store.paths(run_id).deadletter.parent
        folder.mkdir(parents=True)
        lines = [json.dumps({"taskId": "t", "runId": run_id, "reason": "max-retries", "timestamp": s}) for s in stamps]
        store.paths(run_id).deadletter.write_text("\n".join(lines) + '\n{"torn')
    assert count_since(store, time.time() - 3600) == 3  # the 2020 entry is outside the hour, the torn line skipped


ASSESS = textwrap.dedent("""
    import json, sys
    prompt = sys.stdin.read()
    task = sys.argv[1]
    if task == "01_assess":
        if "{mode}" == "bad":
            print("I could not decide.")
        else:
            plan = {{"phases": [
                {{"name": "research", "tasks": [{{"role": "explorer", "title": "Map", "task": "map it"}},
                                               {{"role": "analyst", "title": "Think", "task": "think"}}]}},
                {{"name": "build", "tasks": [{{"role": "developer", "title": "Build", "task": "build it"}}]}},
                {{"name": "check", "tasks": [{{"role": "reviewer", "title": "Review", "task": "r"}},
                                            {{"role": "test-engineer", "title": "Test", "task": "t"}},
                                            {{"role": "writer", "title": "Write", "task": "w"}}]}}]}}
            print("Rationale.\\nADAPTIVE_PLAN_JSON_START\\n" + json.dumps(plan) + "\\nADAPTIVE_PLAN_JSON_END")
    else:
        assert "<dependency-context" in prompt
        print("done", task)
""")


@pytest.mark.parametrize("mode", ["good", "bad"])
async def test_adaptive_plan_injects_phases_after_assess(ws, tmp_path, mode):
    (tmp_path / "assess.py").write_text(ASSESS.format(mode=mode))
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {tmp_path / 'assess.py'} {{taskId}}",
                          options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="add a feature", team="implementation"))
    events = ws.events(final.run_id)
    if mode == "bad":
        assert final.status == "blocked" and "No valid adaptive plan" in final.manifest["reason"]
        assert any(e["type"] == "adaptive.plan_missing" for e in events)
        return
    assert final.status == "completed"
    ids = [t.id for t in final.tasks]
    assert ids == ["01_assess", "adaptive-01-explorer", "adaptive-02-analyst", "adaptive-03-executor",
                   "adaptive-04-reviewer", "adaptive-05-test-engineer", "adaptive-06-writer"]
    injected = [e for e in events if e["type"] == "adaptive.plan_injected"][0]
    assert [p["tasks"] for p in injected["data"]["phases"]] == [2, 1, 3] and injected["data"]["repaired"]
    tasks = ws.tasks(final.run_id)
    from crew_lsp.engine.model import parse_iso
    build_start = parse_iso(tasks["adaptive-03-executor"]["startedAt"])
    assert all(parse_iso(tasks[t]["finishedAt"]) <= build_start for t in ("adaptive-01-explorer", "adaptive-02-analyst"))
    assert tasks["adaptive-03-executor"]["agent"] == "executor" and tasks["adaptive-03-executor"]["phase"] == "build"


async def test_manual_retry_requeues_failed_and_what_it_blocked(ws, tmp_path, monkeypatch):
    from engine_helpers import FAKE_PI_BIN

    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    ws.team("t", ["explorer"], workflow="w", max_concurrency=2)
    ws.workflow("w", steps(("a", "explorer", "", f"FAKE_PI: fail=error once={tmp_path / 'a-failed'}"),
                           ("b", "explorer", "a", "next"), ("c", "explorer", "", "independent")))
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        first = await runs.wait(run_id)
        assert [t.status for t in first.tasks] == ["failed", "skipped", "completed"]
        retried = await runs.retry(run_id)
        assert retried["requeuedTaskIds"] == ["01_a", "02_b"]
        final = await runs.wait(run_id)
        assert final.status == "completed" and len(final.tasks[2].stored["attempts"]) == 1
        again = await runs.retry(run_id, "03_c")  # a completed task can be re-run on request
        assert again["requeuedTaskIds"] == ["03_c"]
        final = await runs.wait(run_id)
    assert final.status == "completed" and len(final.tasks[2].stored["attempts"]) == 2
    types = [e["type"] for e in ws.events(run_id)]
    assert types.count("task.retried") == 3 and types.count("crew.run.resumed") == 2
