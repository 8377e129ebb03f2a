"""Real runs measured by the engine (docs/telemetry.md): what a MetricsListener on a RunManager
counts, the tokens the pi runtime reports, and the correlation ids every event and log line carries."""

from __future__ import annotations

import logging

from engine_helpers import FAKE_PI_BIN, PY, fast_options, steps

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.metrics_listener import MetricsListener, replay
from crew_lsp.engine.events import read_events
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import snapshot


def series(metrics: CrewMetrics, name: str) -> dict[tuple, dict]:
    """{sorted label items: series} of one metric of the snapshot."""
    (entry,) = [m for m in snapshot(metrics.registry) if m["name"] == name]
    return {tuple(sorted(s["labels"].items())): s for s in entry["series"]}


def fan_out(ws) -> None:
    """plan → (a, b, c) → merge: five tasks over three roles."""
    ws.team("fan", ["planner", "executor", "reviewer"], workflow="fan", max_concurrency=3)
    ws.workflow("fan", steps(("plan", "planner", "", "plan {goal}"), ("a", "executor", "plan", "do a"),
                             ("b", "executor", "plan", "do b"), ("c", "executor", "plan", "do c"),
                             ("merge", "reviewer", "a, b, c", "merge")))


ECHO = f"{PY} -c \"import sys; sys.stdin.read(); print('done')\""


async def test_a_fan_out_run_with_command_workers_counts_every_task_and_the_run_exactly(ws):
    fan_out(ws)
    metrics = CrewMetrics()
    async with RunManager(ws.root, runtime="command", worker_command=ECHO, options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        final = await runs.wait(await runs.start(goal="g", team="fan"))
    assert final.status == "completed"
    tasks = {k: s["value"] for k, s in series(metrics, "crew_tasks_total").items()}
    assert tasks == {(("role", "planner"), ("status", "completed")): 1,
                     (("role", "executor"), ("status", "completed")): 3,
                     (("role", "reviewer"), ("status", "completed")): 1}
    durations = {k: s["count"] for k, s in series(metrics, "crew_task_duration_seconds").items()}
    assert durations == {(("role", "planner"),): 1, (("role", "executor"),): 3, (("role", "reviewer"),): 1}
    assert {k: s["value"] for k, s in series(metrics, "crew_runs_total").items()} == {(("status", "completed"),): 1}
    assert series(metrics, "crew_run_duration_seconds")[(("team", "fan"),)]["count"] == 1


async def test_replaying_a_runs_events_gives_the_figures_the_live_listener_gave(ws):
    fan_out(ws)
    live = CrewMetrics()
    async with RunManager(ws.root, runtime="command", worker_command=ECHO, options=fast_options()) as runs:
        runs.add_listener(MetricsListener(live))
        final = await runs.wait(await runs.start(goal="g", team="fan"))
    replayed = replay(read_events(ws.run_dir(final.run_id) / "events.jsonl"))
    for name in ("crew_runs_total", "crew_tasks_total", "crew_task_duration_seconds", "crew_run_duration_seconds",
                 "crew_active_runs", "crew_heartbeat_level"):
        assert series(replayed, name) == series(live, name), name


async def test_a_pi_run_fills_the_token_histogram_per_role(ws, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    ws.team("t", ["explorer", "executor"], workflow="w", max_concurrency=2)
    ws.workflow("w", steps(("look", "explorer", "", "look"), ("do", "executor", "look", "FAKE_PI: tool=bash")))
    metrics = CrewMetrics()
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        final = await runs.wait(await runs.start(goal="g", team="t"))
    assert final.status == "completed"
    usage = {t["stepId"]: t["usage"] for t in final.to_json()["tasks"]}
    tokens = series(metrics, "crew_task_tokens")
    for step, role in (("look", "explorer"), ("do", "executor")):
        expected = usage[step]["input"] + usage[step]["output"]
        assert (tokens[(("role", role),)]["count"], tokens[(("role", role),)]["sum"]) == (1, expected)
    completed = [e for e in ws.events(final.run_id) if e["type"] == "task.completed"]
    assert all(e["data"]["usage"] == usage[e["taskId"].split("_", 1)[1]] for e in completed)


async def test_every_event_of_a_run_carries_its_trace_and_task_events_the_span_of_their_attempt(ws):
    fan_out(ws)
    async with RunManager(ws.root, runtime="command", worker_command=ECHO, options=fast_options()) as runs:
        run_id = (await runs.wait(await runs.start(goal="g", team="fan"))).run_id
    events = ws.events(run_id)
    assert {e["metadata"]["traceId"] for e in events} == {run_id}
    for e in events:
        if e["type"] in ("task.started", "task.completed"):
            assert e["metadata"]["spanId"] == f"{run_id}:{e['taskId']}:1"
        elif e.get("taskId") is None:
            assert "spanId" not in e["metadata"]


async def test_a_deadletter_event_carries_the_span_of_the_attempt_that_failed(ws, tmp_path):
    from engine_helpers import user_config

    user_config({"reliability": {"autoRetry": True}})
    ws.config({"reliability": {"retryPolicy": {"maxAttempts": 2, "backoffMs": 100, "jitterRatio": 0}}})
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("doomed", "executor", "", "x"), ("after", "executor", "doomed", "y")))
    failing = f"{PY} -c \"import sys; sys.stdin.read(); sys.exit(3)\""
    async with RunManager(ws.root, runtime="command", worker_command=failing, options=fast_options()) as runs:
        run_id = (await runs.wait(await runs.start(goal="g", team="t"))).run_id
    by_type = {e["type"]: e for e in ws.events(run_id)}
    assert by_type["crew.task.deadletter"]["metadata"]["spanId"] == f"{run_id}:01_doomed:2"
    # the task its failure skipped never ran: no attempt, no span (not the failed task's)
    assert "spanId" not in by_type["task.skipped"]["metadata"]


async def test_engine_log_lines_carry_the_runs_trace_id(ws, caplog):
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("only", "executor", "", "x")))

    def broken(update):
        if update.event is not None and update.event.type == "task.completed":
            raise RuntimeError("listener bug")

    with caplog.at_level(logging.ERROR, logger="crew_lsp.engine"):
        async with RunManager(ws.root, options=fast_options()) as runs:
            runs.add_listener(broken)
            run_id = (await runs.wait(await runs.start(goal="g", team="t"))).run_id
    (record,) = [r for r in caplog.records if r.getMessage() == "run listener failed"]
    assert record.traceId == run_id


async def test_a_resumed_run_is_filed_under_its_team(ws):
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("only", "executor", "", "x")))
    failing = f"{PY} -c \"import sys; sys.stdin.read(); sys.exit(1)\""
    async with RunManager(ws.root, runtime="command", worker_command=failing, options=fast_options()) as runs:
        run_id = (await runs.wait(await runs.start(goal="g", team="t"))).run_id
    metrics = CrewMetrics()  # a new session: it never saw run.created
    async with RunManager(ws.root, runtime="command", worker_command=ECHO, options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        await runs.resume(run_id)
        assert (await runs.wait(run_id)).status == "completed"
    assert list(series(metrics, "crew_run_duration_seconds")) == [(("team", "t"),)]


async def test_the_heartbeat_watcher_reports_every_tick_so_the_staleness_gauge_moves_without_a_level_change(ws, tmp_path):
    """A worker that prints once and then stays silent: its staleness grows tick after tick while its
    level stays healthy."""
    gate = tmp_path / "gate"
    script = tmp_path / "quiet.py"
    script.write_text(
        "import pathlib, sys, time\nsys.stdin.read()\nprint('hello', flush=True)\n"
        f"deadline = time.time() + 30\nwhile not pathlib.Path({str(gate)!r}).exists() and time.time() < deadline:\n"
        "    time.sleep(0.02)\nprint('done')\n")
    ws.config({"observability": {"pollIntervalMs": 1000}})
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("quiet", "executor", "", "x")))
    metrics = CrewMetrics()
    seen: list[float] = []

    def watch(update):
        if update.heartbeats is not None:
            seen.append(series(metrics, "crew_heartbeat_max_staleness_seconds")[()]["value"])
            if len(seen) == 2:
                gate.write_text("go")

    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {script}",
                          options=fast_options(watch_heartbeats=True)) as runs:
        runs.add_listener(MetricsListener(metrics))
        runs.add_listener(watch)
        final = await runs.wait(await runs.start(goal="g", team="t"))
    assert final.status == "completed"
    assert len(seen) >= 2 and seen[1] > seen[0] > 0
    assert series(metrics, "crew_heartbeat_level")[(("level", "healthy"),)]["value"] == 0
