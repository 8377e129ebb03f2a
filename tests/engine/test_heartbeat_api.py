"""Heartbeat levels and the watcher (docs/runs.md, Heartbeats), and the manager used without a task
group (how an asyncio server calls it) with a listener and a cancel from another process."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import anyio
import pytest
from engine_helpers import FAKE_PI_BIN, PY, fast_options, steps

from crew_lsp.engine.heartbeat import HeartbeatWatcher, Thresholds, level
from crew_lsp.engine.manager import RunManager, RunStateError
from crew_lsp.engine.model import TaskState

NOW = datetime(2025, 1, 1, 0, 10, 0, tzinfo=timezone.utc).timestamp()


def _hb(seconds_ago: float | None = None, **extra) -> dict:
    seen = datetime.fromtimestamp(NOW - (seconds_ago or 0), tz=timezone.utc).isoformat().replace("+00:00", "Z")
    return {"workerId": "w", "pid": None, "lastSeenAt": seen, "alive": True, **extra}


def test_levels_are_strictly_above_each_threshold_and_a_live_pid_is_never_dead():
    assert level(_hb(1), NOW) == "healthy"
    assert level(_hb(30.001), NOW) == "warn"
    assert level(_hb(60.001), NOW) == "stale"
    assert level(_hb(300.001), NOW) == "dead"
    assert level(_hb(30), NOW) == "healthy"  # strict >
    assert level(None, NOW) == "dead"
    assert level(_hb(1, alive=False), NOW) == "dead"
    assert level(_hb(1, lastSeenAt="bad"), NOW) == "dead"
    assert level(_hb(-60), NOW) == "healthy"  # a future lastSeenAt
    assert level(_hb(400), NOW, alive_check=lambda pid: True) == "stale"  # the worker pid still lives


def test_watcher_notifies_dead_once_and_deadletters_after_the_threshold_ticks():
    running = TaskState(id="t1", step_id="t1", role="r", agent="r", depends_on=[], status="running",
                        heartbeat=_hb(600))
    queued = TaskState(id="t2", step_id="t2", role="r", agent="r", depends_on=[])
    watcher = HeartbeatWatcher(deadletter_threshold=3, alive_check=lambda pid: False)
    actions = []
    for tick in (0, 5, 10):
        actions += [a for a in watcher.tick([running, queued], NOW + tick) if a[2] != "level"]
    assert [(a[0], a[2]) for a in actions] == [("t1", "dead"), ("t1", "deadletter")]


def test_configured_thresholds_follow_heartbeat_stale_ms():
    assert Thresholds.configured(60_000) == Thresholds(30_000, 60_000, 300_000)  # the defaults
    assert Thresholds.configured(2_000) == Thresholds(1_000, 2_000, 300_000)  # below 30 s: warn is half
    assert Thresholds.configured(600_000) == Thresholds(30_000, 600_000, 1_200_000)  # dead stays after stale
    assert level(_hb(1.5), NOW, Thresholds.configured(2_000)) == "warn"


SILENT_WORKER = """
import pathlib, sys, time
sys.stdin.read()
print("thinking", flush=True)
while not pathlib.Path(sys.argv[1]).exists():
    time.sleep(0.05)
print("done", flush=True)
"""


async def test_only_worker_output_refreshes_a_heartbeat_so_a_silent_worker_ages(ws, tmp_path):
    (tmp_path / "silent.py").write_text(SILENT_WORKER)
    wake = tmp_path / "wake"
    ws.team("t", ["explorer"], workflow="w")
    ws.workflow("w", steps(("quiet", "explorer", "", "think")))
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {tmp_path / 'silent.py'} {wake}",
                          options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        with anyio.fail_after(20):  # a hang guard: a timer touching the beat would keep it young forever
            while True:
                (task,) = (await runs.status(run_id)).tasks
                if task.status == "running" and (task.staleness_ms or 0) > 1_000:
                    break
                await anyio.sleep(0.05)
        assert task.heartbeat_level == "healthy"  # default thresholds: warn only after 30 s
        wake.touch()
        final = await runs.wait(run_id)
    (done,) = final.tasks
    assert done.status == "completed" and done.stored["heartbeat"]["alive"] is False




async def test_runs_of_a_manager_given_a_task_group_are_tasks_of_that_group(ws):
    seen: list[str] = []
    async with anyio.create_task_group() as tg:  # the server style: the run service owns the group
        runs = RunManager(ws.root, task_group=tg)
        unsubscribe = runs.add_listener(lambda u: seen.append(u.event.type) if u.event else None)
        run_id = await runs.start(goal="g", team="fast-fix")
        assert runs.is_active(run_id)
    # leaving the group waited for the run: it was one of the group's tasks
    unsubscribe()
    assert not runs.is_active(run_id) and (await runs.status(run_id)).status == "completed"
    assert seen[0] == "run.created" and seen[-1] == "run.completed"
    assert seen.count("task.completed") == 3
    with pytest.raises(RunStateError):
        await runs.status("team_00000000000000_0000000000000000")
    with pytest.raises(RunStateError):
        await runs.recover(run_id, accept=True)


async def test_a_manager_without_a_task_group_refuses_to_start_a_run_and_writes_nothing(ws):
    runs = RunManager(ws.root)
    with pytest.raises(RuntimeError, match="task group"):
        await runs.start(goal="g", team="fast-fix")
    assert await runs.list_runs() == [] and not (ws.crew / "state").exists()


async def test_cancel_a_run_owned_by_another_process(ws, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    ws.team("t", ["explorer"], workflow="w")
    ws.workflow("w", steps(("slow", "explorer", "", "FAKE_PI: sleep=30"), ("next", "explorer", "slow", "x")))
    cli = [sys.executable, "-c", "import sys; from crew_lsp.engine.cli import main; sys.exit(main(sys.argv[1:]))"]
    proc = subprocess.Popen(cli + ["run", "--team", "t", "--runtime", "pi", "--cwd", str(ws.root), "--json", "g"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        with anyio.fail_after(15):
            while True:
                found = list((ws.crew / "state" / "runs").glob("*/tasks.json")) if (ws.crew / "state").exists() else []
                if found:
                    tasks = json.loads(found[0].read_text())["tasks"]
                    if tasks[0]["status"] == "running" and (tasks[0].get("checkpoint") or {}).get("childPid"):
                        run_id = found[0].parent.name
                        break
                await anyio.sleep(0.05)
        async with RunManager(ws.root, runtime="pi") as runs:  # the worker is the user's, on resume too
            with pytest.raises(RunStateError, match="active in process"):
                await runs.resume(run_id)
            result = await runs.cancel(run_id, "from elsewhere")
        assert result["status"] == "cancelled" and sorted(result["cancelledTaskIds"]) == ["01_slow", "02_next"]
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 1 and json.loads(out)["status"] == "cancelled"
        assert ws.manifest(run_id)["reason"] == "from elsewhere"
    finally:
        if proc.poll() is None:
            proc.kill()
