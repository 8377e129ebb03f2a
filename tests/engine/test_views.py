"""What the engine hands its readers (crew_lsp/engine/views.py): frozen, typed snapshots of runs and
tasks, whose `to_json()` is the JSON `crew.status` and `crew-lsp runs … --json` print."""

from __future__ import annotations

import dataclasses
import json

import anyio
import pytest
from engine_helpers import PY, fast_options, steps

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.views import HeartbeatChange, Progress, RunSummary, RunView, TaskView


STORED_TASK_KEYS = ["id", "stepId", "role", "agent", "dependsOn", "status", "title", "task", "output", "reads", "model",
                    "skills", "verify", "parallelGroup", "phase", "startedAt", "finishedAt", "exitCode", "error", "usage",
                    "heartbeat", "attempts", "checkpoint", "resultPath", "metrics"]
PROGRESS_KEYS = ["total", "done", "running", "counts", "phase", "phases", "phaseName", "percentage", "message"]

# prints one line, then waits for the file named by its argument before it finishes
WAITING_WORKER = """
import pathlib, sys, time
sys.stdin.read()
print("working", flush=True)
while not pathlib.Path(sys.argv[1]).exists():
    time.sleep(0.05)
"""


async def test_status_wait_and_the_listing_are_frozen_typed_snapshots(ws):
    ws.team("t", ["explorer"], workflow="w")
    ws.workflow("w", steps(("look", "explorer", "", "look at {goal}"), ("write", "explorer", "look", "write it")))
    async with RunManager(ws.root) as runs:
        run_id = await runs.start(goal="the goal", team="t")
        final = await runs.wait(run_id)
        status = await runs.status(run_id)
        (listed,) = await runs.list_runs()
    for view in (final, status):
        assert isinstance(view, RunView) and view.run_id == run_id and view.status == "completed"
        assert (view.team, view.workflow, view.goal, view.reason, view.active) == ("t", "w", "the goal", None, False)
        assert view.artifacts_dir == str(ws.artifacts(run_id))
        assert [(t.id, t.role, t.status, t.heartbeat_level) for t in view.tasks] == [
            ("01_look", "explorer", "completed", None), ("02_write", "explorer", "completed", None)]
        assert isinstance(view.tasks[0], TaskView) and isinstance(view.progress, Progress)
        assert view.progress.message == "Phase 4/4 finish: 100% (2/2)"
    assert isinstance(listed, RunSummary) and (listed.run_id, listed.status, listed.progress.done) == (run_id, "completed", 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        final.status = "running"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        final.tasks[0].status = "running"  # type: ignore[misc]


async def test_to_json_is_the_crew_status_shape(ws):
    async with RunManager(ws.root) as runs:
        run_id = await runs.start(goal="g", team="fast-fix")
        await runs.wait(run_id)
        data = json.loads(json.dumps((await runs.status(run_id)).to_json()))
        listing = [s.to_json() for s in await runs.list_runs()]
    assert list(data) == ["runId", "manifest", "status", "tasks", "progress", "active", "interrupted"]
    assert data["manifest"] == json.loads((ws.run_dir(run_id) / "manifest.json").read_text())
    assert [list(t) for t in data["tasks"]] == [STORED_TASK_KEYS] * 3  # finished tasks: no heartbeat level
    assert list(data["progress"]) == PROGRESS_KEYS
    assert list(listing[0]) == ["runId", "team", "workflow", "goal", "status", "createdAt", "updatedAt", "progress",
                                "active", "interrupted"]
    assert list(listing[0]["progress"]) == PROGRESS_KEYS


async def test_a_running_task_carries_its_heartbeat_level_and_listeners_get_typed_updates(ws, tmp_path):
    (tmp_path / "worker.py").write_text(WAITING_WORKER)
    finish = tmp_path / "finish"
    ws.team("t", ["explorer"], workflow="w")
    ws.workflow("w", steps(("work", "explorer", "", "work")))
    ws.config({"observability": {"pollIntervalMs": 1000}})  # the watcher ticks once a second
    changes: list[HeartbeatChange] = []
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {tmp_path / 'worker.py'} {finish}",
                          options=fast_options(watch_heartbeats=True)) as runs:
        views = []
        runs.add_listener(lambda u: (views.append(u.view()), u.heartbeat and changes.append(u.heartbeat)))
        run_id = await runs.start(goal="g", team="t")
        with anyio.fail_after(20):
            while not changes:
                await anyio.sleep(0.02)
        running = await runs.status(run_id)
        finish.touch()
        await runs.wait(run_id)
    assert changes[0] == HeartbeatChange("01_work", "healthy", changes[0].staleness_ms)
    (task,) = running.tasks
    assert task.status == "running" and task.heartbeat_level == "healthy" and task.staleness_ms is not None
    assert list(task.to_json())[-2:] == ["heartbeatLevel", "stalenessMs"] and running.active
    assert all(isinstance(v, RunView) for v in views)
    assert any(v.tasks[0].heartbeat_level == "healthy" for v in views) and views[-1].tasks[0].heartbeat_level is None
