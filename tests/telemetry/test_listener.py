"""The engine's events become metrics the moment they happen: real runs with MetricsListener (docs/telemetry.md)."""

from __future__ import annotations

import json
import textwrap

from engine_helpers import PY, fast_options, steps, user_config

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.metrics_listener import MetricsListener
from crew_lsp.engine.views import HeartbeatChange, HeartbeatTick
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import exposition, snapshot


def values(metrics: CrewMetrics, name: str) -> dict[tuple, float]:
    """{sorted label items: value or count} of one metric of the snapshot."""
    (entry,) = [m for m in snapshot(metrics.registry) if m["name"] == name]
    return {tuple(sorted(s["labels"].items())): s.get("value", s.get("count")) for s in entry["series"]}


def fan_out(ws) -> None:
    """plan → (a, b) → review: 4 tasks over 3 roles."""
    ws.team("fan", ["planner", "executor", "reviewer"], workflow="fan")
    ws.workflow("fan", steps(("plan", "planner", "", "plan {goal}"), ("a", "executor", "plan", "do a"),
                             ("b", "executor", "plan", "do b"), ("review", "reviewer", "a, b", "review")))


async def test_a_finished_run_of_four_tasks_counts_one_completed_run_and_four_tasks_with_their_durations(ws):
    fan_out(ws)
    metrics = CrewMetrics()
    async with RunManager(ws.root, options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        final = await runs.wait(await runs.start(goal="g", team="fan"))
    assert final.status == "completed"
    assert values(metrics, "crew_runs_total") == {(("status", "completed"),): 1}
    assert values(metrics, "crew_run_duration_seconds") == {(("team", "fan"),): 1}
    assert values(metrics, "crew_tasks_total") == {
        (("role", "planner"), ("status", "completed")): 1,
        (("role", "executor"), ("status", "completed")): 2,
        (("role", "reviewer"), ("status", "completed")): 1,
    }
    assert sum(values(metrics, "crew_tasks_total").values()) == 4
    assert values(metrics, "crew_task_duration_seconds") == {(("role", "planner"),): 1, (("role", "executor"),): 2,
                                                             (("role", "reviewer"),): 1}
    assert values(metrics, "crew_task_tokens") == {}  # the scaffold reports no model usage
    assert values(metrics, "crew_active_runs") == {(): 0}
    assert set(values(metrics, "crew_heartbeat_level").values()) == {0}  # nothing runs any more
    text = exposition(metrics.registry)
    assert 'crew_runs_total{status="completed"} 1.0' in text
    assert "crew_run_duration_seconds_count{team=\"fan\"} 1.0" in text
    assert final.run_id not in text  # ids are never labels


async def test_the_active_run_gauge_and_the_heartbeat_levels_follow_the_run_while_it_executes(ws, tmp_path):
    """A command worker that waits for a file: while it runs, the run is active and its task counts
    as healthy; once it ends, both go back to zero."""
    gate = tmp_path / "gate"
    (tmp_path / "wait.py").write_text(textwrap.dedent(f"""
        import pathlib, sys, time
        sys.stdin.read()
        deadline = time.time() + 30
        while not pathlib.Path({str(gate)!r}).exists() and time.time() < deadline:
            time.sleep(0.02)
        print("done")
    """))
    ws.team("solo", ["executor"], workflow="one")
    ws.workflow("one", steps(("only", "executor", "", "x")))
    metrics = CrewMetrics()
    seen = []

    def watch(update):
        if update.event is not None and update.event.type == "task.started":
            seen.append((values(metrics, "crew_active_runs")[()], values(metrics, "crew_heartbeat_level")[(("level", "healthy"),)]))
            gate.write_text("go")

    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {tmp_path / 'wait.py'}",
                          options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        runs.add_listener(watch)  # after the metrics listener: it sees the figures that event produced
        final = await runs.wait(await runs.start(goal="g", team="solo"))
    assert final.status == "completed"
    assert seen == [(1, 1)]
    assert values(metrics, "crew_active_runs") == {(): 0}
    assert values(metrics, "crew_heartbeat_level")[(("level", "healthy"),)] == 0


FLAKY = textwrap.dedent("""
    import pathlib, sys
    task, counters = sys.argv[1], pathlib.Path(sys.argv[2])
    sys.stdin.read()
    counter = counters / task
    n = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    if task.endswith("flaky") and n < 3:
        print("temporary glitch", file=sys.stderr); sys.exit(1)
    if task.endswith("doomed"):
        print("temporary glitch, again", file=sys.stderr); sys.exit(1)
    print("ok after", n)
""")


async def test_a_retried_task_counts_its_retry_attempts_and_a_deadletter_counts_once(ws, tmp_path):
    counters = tmp_path / "counters"
    counters.mkdir()
    (tmp_path / "flaky.py").write_text(FLAKY)
    user_config({"reliability": {"autoRetry": True}})
    ws.config({"reliability": {"retryPolicy": {"maxAttempts": 3, "backoffMs": 10, "jitterRatio": 0, "exponentialFactor": 1}}})
    ws.team("t", ["executor"], workflow="w", max_concurrency=2)
    ws.workflow("w", steps(("flaky", "executor", "", "x"), ("doomed", "executor", "", "y")))
    metrics = CrewMetrics()
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {tmp_path / 'flaky.py'} {{taskId}} {counters}",
                          options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        final = await runs.wait(await runs.start(goal="g", team="t"))
    tasks = {t["stepId"]: t for t in final.to_json()["tasks"]}
    assert (tasks["flaky"]["status"], len(tasks["flaky"]["attempts"])) == ("completed", 3)
    assert (tasks["doomed"]["status"], len(tasks["doomed"]["attempts"])) == ("failed", 3)
    # two failed attempts of each task were retried; the last failure of `doomed` was not
    assert values(metrics, "crew_task_retry_attempts_total") == {(): 4}
    deadletters = (ws.run_dir(final.run_id) / "deadletter.jsonl").read_text().splitlines()
    assert [json.loads(line)["reason"] for line in deadletters] == ["max-retries"]
    assert values(metrics, "crew_task_deadletter_total") == {(("reason", "max-retries"),): 1}
    # each task ends once, whatever its attempts; the duration is that of its last attempt
    assert values(metrics, "crew_tasks_total") == {(("role", "executor"), ("status", "completed")): 1,
                                                   (("role", "executor"), ("status", "failed")): 1}
    assert values(metrics, "crew_task_duration_seconds") == {(("role", "executor"),): 2}
    assert values(metrics, "crew_runs_total") == {(("status", "failed"),): 1}


def updates_of(run_id: str):
    """RunUpdates as the recorder builds them; their view() is never needed by the listener (it raises)."""
    from crew_lsp.engine.model import RunEvent
    from crew_lsp.engine.recorder import RunUpdate
    from crew_lsp.engine.views import Progress

    seq = iter(range(1, 1000))
    progress = Progress(2, 0, 0, {}, 2, 0)

    def no_view() -> dict:
        raise AssertionError("the metrics listener must not build the run's view")

    def update(kind=None, task_id=None, data=None, *, time="2030-01-01T00:00:00.000Z", heartbeat=None, heartbeats=None,
               final=False):
        event = RunEvent(time, kind, run_id, next(seq), task_id, None, data) if kind else None
        return RunUpdate(run_id, "running", event, progress, no_view, final, heartbeat, heartbeats)

    return update


def test_heartbeat_level_changes_move_running_tasks_between_levels_and_the_run_end_clears_them():
    metrics = CrewMetrics()
    listen = MetricsListener(metrics)
    update = updates_of("run_1")
    for task in ("01_a", "02_b"):
        listen(update("task.started", task, {"status": "running", "previous": "queued", "role": "executor"}))
    levels = lambda: {k[0][1]: v for k, v in values(metrics, "crew_heartbeat_level").items()}  # noqa: E731
    assert levels() == {"healthy": 2, "warn": 0, "stale": 0, "dead": 0}
    listen(update(heartbeat=HeartbeatChange("01_a", "stale", 61_000)))
    listen(update(heartbeat=HeartbeatChange("02_b", "warn", 31_000)))
    assert levels() == {"healthy": 0, "warn": 1, "stale": 1, "dead": 0}
    assert values(metrics, "crew_heartbeat_max_staleness_seconds") == {(): 61.0}
    listen(update("task.completed", "01_a", {"status": "completed", "previous": "running", "role": "executor"}))
    assert levels() == {"healthy": 0, "warn": 1, "stale": 0, "dead": 0}
    assert values(metrics, "crew_heartbeat_max_staleness_seconds") == {(): 31.0}
    listen(update(final=True))
    assert levels() == {"healthy": 0, "warn": 0, "stale": 0, "dead": 0}


def test_a_watcher_tick_keeps_the_largest_staleness_exact_between_level_changes():
    metrics = CrewMetrics()
    listen = MetricsListener(metrics)
    update = updates_of("run_1")
    for task in ("01_a", "02_b"):
        listen(update("task.started", task, {"status": "running", "previous": "queued", "role": "executor"}))
    listen(update(heartbeats=HeartbeatTick((HeartbeatChange("01_a", "healthy", 4_000),
                                            HeartbeatChange("02_b", "healthy", 12_500)))))
    assert values(metrics, "crew_heartbeat_max_staleness_seconds") == {(): 12.5}
    listen(update(heartbeats=HeartbeatTick((HeartbeatChange("01_a", "healthy", 9_000),
                                            HeartbeatChange("02_b", "healthy", 1_000)))))
    assert values(metrics, "crew_heartbeat_max_staleness_seconds") == {(): 9.0}
    assert values(metrics, "crew_heartbeat_level")[(("level", "healthy"),)] == 2


def test_tokens_and_duration_come_from_the_task_events():
    metrics = CrewMetrics()
    listen = MetricsListener(metrics)
    update = updates_of("run_1")
    listen(update("task.started", "01_a", {"status": "running", "role": "writer"}, time="2030-01-01T00:00:00.000Z"))
    listen(update("task.completed", "01_a", {"status": "completed", "role": "writer", "usage": {"input": 1000, "output": 250}},
                  time="2030-01-01T00:00:02.500Z"))
    (duration,) = [m for m in snapshot(metrics.registry) if m["name"] == "crew_task_duration_seconds"][0]["series"]
    (tokens,) = [m for m in snapshot(metrics.registry) if m["name"] == "crew_task_tokens"][0]["series"]
    assert (duration["count"], duration["sum"]) == (1, 2.5)
    assert (tokens["count"], tokens["sum"]) == (1, 1250)


def test_task_metric_events_set_the_gauge_and_damaged_pairs_are_ignored():
    metrics = CrewMetrics()
    listen = MetricsListener(metrics)
    update = updates_of("run_1")
    listen(update("crew.task.metric", "01_a", {"metrics": {"coverage": 80, "tests": 40}}))
    listen(update("crew.task.metric", "01_a", {"metrics": {"coverage": 81.5}}))
    # a planted or damaged events.jsonl: nothing a metric line could not have said reaches the registry
    listen(update("crew.task.metric", "01_a", {"metrics": {"bad name": 1, "flag": True, "text": "1", "api_key": 3}}))
    listen(update("crew.task.metric", "01_a", {"metrics": ["coverage", 1]}))
    assert values(metrics, "crew_task_metric") == {(("name", "coverage"),): 81.5, (("name", "tests"),): 40.0}
