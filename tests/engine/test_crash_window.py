"""A worker's spawn is durable before its output is read (docs/runs.md, State on disk and Reliability): once task.started is on disk,
so are checkpoint.childPid and the heartbeat pid, and crash recovery stops the worker a `kill -9`-ed
owner left behind — even when its pid never reached disk (the worker carries the run and owner ids in
its environment). And `RunManager.aclose()` without a task group of the caller (the server's way)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from engine_helpers import FAKE_PI_BIN, fast_options, steps

from crew_lsp.engine import store_ops
from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.state import pid_alive
from crew_lsp.engine.workers.process import group_alive


CLI = [sys.executable, "-c", "import sys; from crew_lsp.engine.cli import main; sys.exit(main(sys.argv[1:]))"]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["PI_TEAMS_PI_BIN"] = FAKE_PI_BIN
    return env


def _started_on_disk(ws, task_id: str, deadline: float = 20) -> tuple[str, dict]:
    """Poll events.jsonl (every ms) until task.started of ``task_id`` is there."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for events in (ws.crew / "state" / "runs").glob("*/events.jsonl") if (ws.crew / "state").exists() else []:
            for line in events.read_text().splitlines():
                if f'"{task_id}"' in line and '"task.started"' in line:
                    try:
                        return events.parent.name, json.loads(line)
                    except ValueError:
                        continue  # torn: the writer is mid-line
        time.sleep(0.001)
    raise AssertionError(f"task.started of {task_id} never reached disk")


def _kill_group(pgid: int | None) -> None:
    if pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@pytest.mark.parametrize("pid_on_disk", [True, False], ids=["recorded", "owner-died-before-write"])
async def test_kill_9_right_after_spawn_then_recovery_stops_the_orphan(ws, tmp_path, monkeypatch, pid_on_disk):
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    ws.team("t", ["explorer"], workflow="w")
    # silent: a worker writing to the dead owner's pipe would die of SIGPIPE; one thinking silently lives on
    ws.workflow("w", steps(("slow", "explorer", "", f"FAKE_PI: silent=60 once={tmp_path / 'slept'}"),
                           ("next", "explorer", "slow", "then this")))
    owner = subprocess.Popen(CLI + ["run", "--team", "t", "--runtime", "pi", "--cwd", str(ws.root), "go"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    child = None
    try:
        run_id, started = _started_on_disk(ws, "01_slow")
        # what a crash at this very moment leaves on disk
        run_dir = ws.run_dir(run_id)
        task = ws.tasks(run_id)["01_slow"]
        status = json.loads((run_dir / "agents" / "01_slow" / "status.json").read_text())
        owner.kill()  # kill -9 the owner right after the spawn
        owner.wait()
        child = started["data"]["childPid"]
        assert isinstance(child, int) and pid_alive(child)
        assert task["status"] == "running" and task["checkpoint"] == {"phase": "running", "childPid": child}
        assert task["heartbeat"]["pid"] == child and task["heartbeat"]["alive"] is True
        assert status["checkpoint"]["childPid"] == child and status["heartbeat"]["pid"] == child
        with anyio.fail_after(10):  # the orphan outlives its owner (and, once, starts its long sleep)
            while not (tmp_path / "slept").exists():
                await anyio.sleep(0.01)
        assert pid_alive(child)

        if not pid_on_disk:  # as if the owner died between the spawn and its write
            data = json.loads((run_dir / "tasks.json").read_text())
            for t in data["tasks"]:
                t["checkpoint"], t["heartbeat"] = None, None
            (run_dir / "tasks.json").write_text(json.dumps(data))
            (run_dir / "agents" / "01_slow" / "status.json").unlink()

        async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
            (plan,) = [p for p in await runs.interrupted() if p["runId"] == run_id]
            assert plan["requeue"] == ["01_slow"] and plan["queued"] == ["02_next"]
            assert (child in plan["orphans"]) is pid_on_disk
            await runs.recover(run_id, accept=True)
            assert not group_alive(child)  # stopped before the re-run was launched
            final = await runs.wait(run_id)
        assert final.status == "completed"
        tasks = {t["id"]: t for t in final.to_json()["tasks"]}
        assert len(tasks["01_slow"]["attempts"]) == 2 and tasks["02_next"]["status"] == "completed"
        events = ws.events(run_id)
        assert [e["metadata"]["seq"] for e in events] == list(range(1, len(events) + 1))
        assert any(e["type"] == "crew.run.resumed" and "recoveredFromSeq" in e["data"] for e in events)
        for e in events:
            if e["type"] == "task.started":  # every started worker names its pid
                assert isinstance(e["data"]["childPid"], int)
    finally:
        if owner.poll() is None:
            owner.kill()
        _kill_group(child)


async def test_kill_orphans_spares_other_runs_owners_and_reused_pids(tmp_path):
    """Only processes of that run *and* that (dead) owner; a recorded pid now used by an unrelated
    process is left alone."""

    def sleeper(**env: str) -> subprocess.Popen:
        return subprocess.Popen(["sleep", "30"], env={**os.environ, **env}, start_new_session=True)

    target = sleeper(PI_CREW_RUN_ID="run_a", PI_CREW_OWNER="dead-owner")
    other_run = sleeper(PI_CREW_RUN_ID="run_b", PI_CREW_OWNER="dead-owner")
    new_owner = sleeper(PI_CREW_RUN_ID="run_a", PI_CREW_OWNER="new-owner")
    unrelated = sleeper()
    procs = [target, other_run, new_owner, unrelated]
    try:
        await anyio.to_thread.run_sync(store_ops.kill_orphans, {"runId": "run_a", "ownerId": "dead-owner",
                                                                "orphans": [unrelated.pid, other_run.pid]})
        assert target.wait(timeout=5) == -signal.SIGKILL
        assert all(p.poll() is None for p in (other_run, new_owner, unrelated))
    finally:
        for p in procs:
            p.kill()
            p.wait()


async def test_aclose_stops_every_run_at_once(ws, monkeypatch):
    """The server style: runs are tasks of the run service's task group; aclose cancels them
    concurrently (SIGTERM-ignoring workers cost one kill grace, not one per run)."""
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    ws.team("t", ["explorer"], workflow="w")
    ws.workflow("w", steps(("stubborn", "explorer", "", "FAKE_PI: sleep=30 ignore_term=1")))
    async with anyio.create_task_group() as tg:
        runs = RunManager(ws.root, runtime="pi", options=fast_options(kill_grace=0.6), task_group=tg)
        await _stop_three_stubborn_runs(runs)


async def _stop_three_stubborn_runs(runs: RunManager) -> None:
    ids = [await runs.start(goal=f"g{i}", team="t") for i in range(3)]
    pids: list[int] = []
    with anyio.fail_after(15):
        for run_id in ids:
            while True:
                task = runs._active[run_id].ctx.rec.tasks["01_stubborn"]
                if (task.checkpoint or {}).get("childPid"):
                    pids.append(task.checkpoint["childPid"])
                    break
                await anyio.sleep(0.02)
        for pid in pids:  # each worker has installed its SIGTERM handler (not a fixed pause)
            while not _ignores_sigterm(pid):
                await anyio.sleep(0.01)
    try:
        with anyio.fail_after(10):  # a hang guard; how long the stop takes is bench/engine.py's business
            await runs.aclose()
        assert not runs._active
        for run_id in ids:
            view = await runs.status(run_id)
            assert view.status == "cancelled" and view.tasks[0].status == "cancelled"
        assert not [p for p in pids if group_alive(p)]
        await runs.aclose()  # nothing left: returns at once
    finally:
        for p in pids:
            _kill_group(p)


def _ignores_sigterm(pid: int) -> bool:
    """Whether the process's ignored-signal mask (/proc/<pid>/status SigIgn) holds SIGTERM."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("SigIgn:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False
