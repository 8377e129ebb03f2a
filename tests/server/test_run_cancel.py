"""Stopping runs of real child processes through the editor: `window/workDoneProgress/cancel`
(docs/editor.md, Notifications), resume, shutdown (runs cancelled cleanly, resumable), interrupted runs offered at start."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

from lsprotocol import types as T
from run_harness import (FAKE_PI_BIN, fake_pi_pids, group_alive, start_run_session, stop_run_session, team,
                         workflow)

PI = {"env": {"PI_TEAMS_PI_BIN": FAKE_PI_BIN}, "init_options": {"worker": {"runtime": "pi"}}}


def _files(marks, n_sleepy: int = 3) -> dict[str, str]:
    steps = [
        ("plain", "explorer", "", f"FAKE_PI: sleep=30 once={marks / 'a'}"),
        ("stubborn", "explorer", "", f"FAKE_PI: sleep=30 ignore_term=1 once={marks / 'b'}"),
        ("family", "explorer", "", f"FAKE_PI: grandchild=1 sleep=30 once={marks / 'c'}"),
    ][:n_sleepy]
    steps.append(("later", "explorer", "plain", "after the plain one"))
    return {".crew/teams/pt.team.md": team("pt", ["explorer"], "pw", max_concurrency=4),
            ".crew/workflows/pw.workflow.md": workflow("pw", steps)}


async def _children(s, run_id: str, n: int, marks) -> list[int]:
    """The process groups of the running tasks, once every worker got past its start."""
    async def ready():
        view = await s.command("crew.status", {"runId": run_id})
        pids = [t["checkpoint"]["childPid"] for t in view["tasks"]
                if t["status"] == "running" and (t.get("checkpoint") or {}).get("childPid")]
        return pids if len(pids) >= n and len(list(marks.iterdir())) >= n else None

    deadline = time.monotonic() + 15
    while True:
        pids = await ready()
        if pids:
            return pids
        assert time.monotonic() < deadline, "workers did not start"
        await s.barrier()


def _kill_groups(pgids: list[int]) -> None:
    for pgid in pgids:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass


async def test_progress_cancel_stops_every_child_then_resume_completes(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    marker = f"m{os.getpid()}x{time.monotonic_ns()}"
    s = await start_run_session(tmp_path, _files(marks), **PI)
    pgids: list[int] = []
    try:
        run_id = (await s.command("crew.run", {"team": "pt", "goal": f"goal {marker}"}))["runId"]
        pgids = await _children(s, run_id, 3, marks)
        assert len(fake_pi_pids(marker)) >= 3  # the workers, found by the marker in their prompt
        await s.until(lambda: s.tokens() and s.progress_of(s.tokens()[0]), what="progress begin")
        (token,) = s.tokens()
        assert s.progress_of(token)[0]["cancellable"] is True

        s.client.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=token))
        view = await s.run_until(run_id, ("cancelled",), timeout=10)
        # the run ends once its children are gone (SIGTERM, SIGKILL 3 s later for the stubborn one)
        assert not [g for g in pgids if group_alive(g)], "a worker process group survived the cancel"
        assert not fake_pi_pids(marker)
        assert {t["id"]: t["status"] for t in view["tasks"]} == {
            "01_plain": "cancelled", "02_stubborn": "cancelled", "03_family": "cancelled", "04_later": "cancelled"}
        values = s.progress_of(token)
        await s.until(lambda: s.progress_of(token)[-1]["kind"] == "end", what="progress end")
        assert s.progress_of(token)[-1]["message"].startswith("cancelled")
        await s.until(lambda: s.of("showMessage"), what="run end message")
        assert s.of("showMessage")[-1].type == T.MessageType.Warning
        assert s.of("crew/runUpdate", run_id)[-1]["status"] == "cancelled"
        assert all("percentage" in v for v in values if v["kind"] != "end")

        # a second cancel of the same token is ignored; resume re-queues and completes (`once` marks exist)
        s.client.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=token))
        resumed = await s.command("crew.resume", {"runId": run_id})
        assert sorted(resumed["requeuedTaskIds"]) == ["01_plain", "02_stubborn", "03_family", "04_later"]
        final = await s.run_until(run_id, timeout=20)
        assert final["status"] == "completed"
        assert len(s.tokens()) == 2  # the resumed run got a fresh progress token
        await s.until(lambda: s.progress_of(s.tokens()[1])[-1]["kind"] == "end", what="resumed progress end")
        assert s.progress_of(s.tokens()[1])[-1]["message"].startswith("completed")
    finally:
        _kill_groups(pgids)
        await stop_run_session(s)


async def test_crew_cancel_command_and_shutdown_leave_runs_resumable(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    files = _files(marks, n_sleepy=1)
    s = await start_run_session(tmp_path, files, **PI)
    pgids: list[int] = []
    try:
        run_id = (await s.command("crew.run", {"team": "pt", "goal": "shut down mid-run"}))["runId"]
        pgids = await _children(s, run_id, 1, marks)
        await stop_run_session(s)  # shutdown + exit while a worker sleeps
        manifest = json.loads((s.root / ".crew/state/runs" / run_id / "manifest.json").read_text())
        assert manifest["status"] == "cancelled"
        assert not [g for g in pgids if group_alive(g)]

        s = await start_run_session(tmp_path, files, **PI)
        assert (await s.command("crew.status", {"runId": run_id}))["interrupted"] is False
        resumed = await s.command("crew.resume", {"runId": run_id})
        assert sorted(resumed["requeuedTaskIds"]) == ["01_plain", "02_later"]
        assert (await s.run_until(run_id, timeout=20))["status"] == "completed"

        # crew.cancel: a finished run has nothing left to cancel
        assert (await s.command("crew.cancel", {"runId": run_id}))["cancelledTaskIds"] == []
    finally:
        _kill_groups(pgids)
        await stop_run_session(s)


async def test_interrupted_run_is_offered_at_start_and_accepted(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    files = _files(marks, n_sleepy=1)
    s = await start_run_session(tmp_path, files, **PI)
    pgids: list[int] = []
    try:
        run_id = (await s.command("crew.run", {"team": "pt", "goal": "survive a crash"}))["runId"]
        pgids = await _children(s, run_id, 1, marks)
        # the worker's pid must be on disk (tasks.json is group-committed) for the next server to find it
        tasks_json = s.root / ".crew/state/runs" / run_id / "tasks.json"
        await s.until(lambda: any((t.get("checkpoint") or {}).get("childPid") in pgids
                                  for t in json.loads(tasks_json.read_text())["tasks"]), what="childPid on disk")
        s.client._server.kill()  # kill -9 the server mid-run  # type: ignore[attr-defined]
        await s.client._server.wait()  # type: ignore[attr-defined]
    finally:
        try:
            await s.client.stop()
        except Exception:
            pass

    s = await start_run_session(tmp_path, files, answer="Accept", **PI)
    try:
        await s.until(lambda: s.client.asked, what="window/showMessageRequest")  # type: ignore[attr-defined]
        (asked,) = s.client.asked  # type: ignore[attr-defined]
        assert run_id in asked.message and [a.title for a in asked.actions] == ["Accept", "Decline"]
        final = await s.run_until(run_id, timeout=20)
        assert final["status"] == "completed"
        assert not [g for g in pgids if group_alive(g)]  # the orphan worker was stopped on accept
        events = (await s.command("crew.events", {"runId": run_id, "limit": 10_000}))["events"]
        seqs = [e["metadata"]["seq"] for e in events]
        assert seqs == sorted(set(seqs))
        assert any(e["type"] == "crew.run.resumed" and "recoveredFromSeq" in e.get("data", {}) for e in events)
        (token,) = s.tokens()
        await s.until(lambda: s.progress_of(token)[-1]["kind"] == "end", what="recovered run progress end")
    finally:
        _kill_groups(pgids)
        await stop_run_session(s)
