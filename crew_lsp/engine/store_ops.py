"""Operations on runs as they are on disk: views, event pages, recovery, cancel from another process.

Blocking helpers run in threads (the manager wraps them); the async ones mutate a stored run through
a short-lived recorder so the same state machines, lock and event log apply.
"""

from __future__ import annotations

import logging
import os
import signal
import time

import anyio

from crew_lsp.engine.events import read_events
from crew_lsp.engine.heartbeat import Thresholds, level, staleness_ms
from crew_lsp.engine.model import Manifest, TaskState, now_iso, parse_iso
from crew_lsp.engine.recorder import Listener, RunRecorder, manifest_json
from crew_lsp.engine.files import atomic_write_bytes, atomic_write_json, read_json
from crew_lsp.engine.state import (
    CorruptRunState, RunLock, RunStateError, RunStore, check_id, owner_alive, owner_record, pid_alive,
)
from crew_lsp.engine.states import RUN_TERMINAL, TASK_TERMINAL
from crew_lsp.engine.views import Progress, RunSummary, RunView, TaskView

log = logging.getLogger("crew_lsp.engine")
_LIVE_RUN = ("queued", "planning", "running")
CLAIM_FRESH_S = 10.0


def claim(store: RunStore, run_id: str, server_id: str) -> tuple[Manifest, list[TaskState]]:
    """Take ownership of a stored run under its lock, so two processes cannot resume it at once."""
    paths = store.paths(run_id)
    if not paths.manifest.is_file():
        raise RunStateError(f"unknown run {run_id}")
    with RunLock(paths.lock):
        loaded = load_run(store, run_id)
        if loaded is None:
            raise RunStateError(f"unknown run {run_id}")
        manifest, tasks = loaded
        owner = manifest.owner or {}
        claimed = parse_iso(manifest.extra.get("claimedAt"))
        fresh = claimed is not None and time.time() - claimed < CLAIM_FRESH_S
        if owner.get("serverId") != server_id and owner_alive(owner) and (manifest.status in _LIVE_RUN or fresh):
            raise RunStateError(f"run {run_id} is active in process {owner.get('pid')}")
        manifest.owner = owner_record(server_id)
        manifest.extra["claimedAt"] = now_iso()
        atomic_write_bytes(paths.manifest, manifest_json(manifest.to_dict()).encode())
    return manifest, tasks


def load_run(store: RunStore, run_id: str) -> tuple[Manifest, list[TaskState]] | None:
    """A stored run, validated; None when there is none, ``CorruptRunState`` when it is damaged."""
    data = store.load_manifest(run_id)
    if data is None:
        return None
    return Manifest.from_dict(data), [TaskState.from_dict(t) for t in store.load_tasks(run_id)]


def _left_out(run_id: str, exc: CorruptRunState) -> None:
    """In listings a damaged run is left out with a warning: it must not hide the others."""
    log.warning("run %s left out: %s", run_id, exc)


def progress_of(manifest: Manifest, tasks: list[TaskState]) -> Progress:
    """The progress of a stored run (no verify phase: that needs the executing run's view)."""
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.status] = counts.get(t.status, 0) + 1
    done = sum(counts.get(s, 0) for s in TASK_TERMINAL)
    total = len(tasks)
    phase = 1 if manifest.status in ("queued", "planning") else (4 if manifest.status in RUN_TERMINAL else 2)
    pct = int(done * 100 / total) if total else 0
    return Progress(total, done, counts.get("running", 0), counts, phase, pct)


def view(manifest: Manifest, tasks: list[TaskState], thresholds: Thresholds, *, active: bool,
         interrupted: bool = False) -> RunView:
    """A run with its stored records; running tasks get their heartbeat level and staleness now."""
    now = time.time()
    out_tasks = []
    for t in tasks:
        running = t.status == "running"
        out_tasks.append(TaskView(
            t.id, t.status, t.role, t.started_at, t.finished_at, t.error,
            level(t.heartbeat, now, thresholds, alive_check=pid_alive) if running else None,
            staleness_ms(t.heartbeat, now) if running else None, t.to_dict(), t.metrics))
    m = manifest
    return RunView(m.run_id, m.status, m.team, m.workflow, m.goal, m.reason, m.paths.get("artifacts"), tuple(out_tasks),
                   progress_of(manifest, tasks), active, m.to_dict(), interrupted)


def is_interrupted(manifest: Manifest, tasks: list[TaskState]) -> bool:
    """`running` (or never started) but the owner process is gone and no worker beats (docs/runs.md, Reliability)."""
    # Heartbeats are written by the owner, not by the worker: with the owner gone none is live,
    # whatever its age (a surviving orphan worker is killed when the recovery is accepted).
    return manifest.status in _LIVE_RUN and not owner_alive(manifest.owner)


def disk_view(store: RunStore, run_id: str, thresholds: Thresholds) -> RunView | None:
    loaded = load_run(store, run_id)
    if loaded is None:
        return None
    manifest, tasks = loaded
    return view(manifest, tasks, thresholds, active=False, interrupted=is_interrupted(manifest, tasks))


def list_runs(store: RunStore, limit: int = 20) -> list[RunSummary]:
    out = []
    for run_id in store.run_ids()[:limit]:
        try:
            loaded = load_run(store, run_id)
        except CorruptRunState as exc:
            _left_out(run_id, exc)
            continue
        if loaded is None:
            continue
        m, tasks = loaded
        out.append(RunSummary(run_id, m.team, m.workflow, m.goal, m.status, m.created_at, m.updated_at,
                              progress_of(m, tasks), active=False, interrupted=is_interrupted(m, tasks)))
    return out


def events_page(store: RunStore, run_id: str, since_seq: int, limit: int | None) -> dict:
    paths = store.paths(run_id)
    if not paths.manifest.is_file():
        raise FileNotFoundError(f"unknown run {run_id}")
    all_events = read_events(paths.events)
    page = [e for e in all_events if e.seq > since_seq]
    if limit is not None:
        page = page[:max(0, limit)]
    next_seq = page[-1].seq if page else since_seq
    return {"events": [e.to_dict() for e in page], "nextSeq": next_seq, "total": len(all_events)}


def pick_requeue(rec: RunRecorder, task_id: str | None, resume: bool) -> list[str]:
    """Which tasks go back to `queued`: on resume every unfinished one; on retry the task (or every
    failed one) and whatever its failure skipped or cancelled downstream."""
    tasks = rec.tasks
    if resume:
        return [t.id for t in tasks.values() if t.status in ("failed", "cancelled", "skipped", "running", "waiting")]
    roots = [task_id] if task_id is not None else [t.id for t in tasks.values() if t.status == "failed"]
    roots = [r for r in roots if r in tasks and tasks[r].status not in ("queued",)]
    index = {t.id: t.id for t in tasks.values()}
    for t in tasks.values():
        index.setdefault(t.step_id, t.id)
    dependents: dict[str, list[str]] = {}
    for t in tasks.values():
        for d in t.depends_on:
            if d in index:
                dependents.setdefault(index[d], []).append(t.id)
    out: list[str] = []
    todo = list(roots)
    while todo:
        tid = todo.pop(0)
        if tid in out:
            continue
        if tid in roots or tasks[tid].status in ("skipped", "cancelled", "failed"):
            out.append(tid)
            todo.extend(dependents.get(tid, []))
    return [t for t in tasks if t in out]


def find_interrupted(store: RunStore, active: set[str]) -> list[dict]:
    out = []
    for run_id in store.run_ids():
        if run_id in active:
            continue
        try:
            plan = recovery_plan(store, run_id)
        except CorruptRunState as exc:
            _left_out(run_id, exc)
            continue
        if plan is not None:
            out.append(plan)
    return out


def recovery_plan(store: RunStore, run_id: str) -> dict | None:
    check_id(run_id, "run id")
    loaded = load_run(store, run_id)
    if loaded is None:
        return None
    manifest, tasks = loaded
    if not is_interrupted(manifest, tasks):
        return None
    seq = read_events(store.paths(run_id).events)
    return {
        "runId": run_id, "team": manifest.team, "workflow": manifest.workflow, "status": manifest.status,
        "requeue": [t.id for t in tasks if t.status not in ("completed",) and t.status != "queued"],
        "queued": [t.id for t in tasks if t.status == "queued"],
        "completed": [t.id for t in tasks if t.status == "completed"],
        "lastSeq": seq[-1].seq if seq else 0,
        **orphan_plan(store, manifest, tasks),
    }


def orphan_plan(store: RunStore, manifest: Manifest, tasks: list[TaskState]) -> dict:
    """Where the workers of a run's (dead) owner may be: the pids recorded for its unfinished tasks
    (checkpoint.childPid, heartbeat pid, agents/<id>/status.json) and the owner's id, which its workers
    carry in their environment with the run id (see ``kill_orphans``)."""
    paths = store.paths(manifest.run_id)
    pids: list[int] = []

    def add(*found: object) -> None:
        for pid in found:
            if isinstance(pid, int) and not isinstance(pid, bool) and pid > 1 and pid not in pids:
                pids.append(pid)

    for t in tasks:
        if t.status not in ("running", "waiting"):
            continue  # a finished attempt's child was waited for and swept (and the pid may be reused)
        for record in (t.checkpoint, t.heartbeat):
            if isinstance(record, dict):
                add(record.get("childPid"), record.get("pid"))
        try:
            status = read_json(paths.agent_dir(t.id) / "status.json")
        except (OSError, ValueError):  # an unsafe path (UnsafePath): nothing to trust there
            status = None
        if isinstance(status, dict):
            for record in (status.get("checkpoint"), status.get("heartbeat")):
                if isinstance(record, dict):
                    add(record.get("childPid"), record.get("pid"))
    owner = manifest.owner or {}
    return {"orphans": pids, "ownerId": owner.get("serverId")}


def kill_orphans(plan: dict, wait: float = 3.0) -> None:
    """Stop the workers a dead owner left running (their output goes nowhere now): every process
    carrying the run's id and the owner's id in its environment — found even when the owner died
    before its pid reached disk — and the recorded pids, each only if it still is that run's worker
    (its environment says so or, where that cannot be read, it leads its own process group)."""
    from crew_lsp.engine.workers.process import (
        RUN_ENV, group_alive, marked_workers, process_environ,
    )

    run_id = plan.get("runId")
    marked = set(marked_workers(run_id, plan.get("ownerId"))) if run_id else set()
    for pid in plan.get("orphans") or []:
        if not isinstance(pid, int) or pid in marked or not pid_alive(pid):
            continue
        env = process_environ(pid)
        if env is not None:
            if run_id and env.get(RUN_ENV) == run_id:
                marked.add(pid)
            continue  # a reused pid: some other process now
        try:
            if os.getpgid(pid) == pid:  # only a session leader we started (pgid == pid)
                marked.add(pid)
        except (ProcessLookupError, PermissionError):
            pass
    groups, singles = set(), set()
    for pid in marked:
        try:
            pgid = os.getpgid(pid)
        except (ProcessLookupError, PermissionError):
            continue
        if pgid == pid:
            groups.add(pid)  # a worker (session leader): its whole group
        elif pgid not in marked:
            singles.add(pid)  # started by a worker, then moved to a group of its own or another's
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for pid in singles:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    end = time.monotonic() + wait
    while (groups or singles) and time.monotonic() < end:
        groups = {g for g in groups if group_alive(g)}
        singles = {p for p in singles if pid_alive(p)}
        time.sleep(0.02)


async def _open(store: RunStore, run_id: str, listeners: list[Listener]) -> RunRecorder:
    loaded = await anyio.to_thread.run_sync(load_run, store, run_id)
    if loaded is None:
        raise FileNotFoundError(f"unknown run {run_id}")
    manifest, tasks = loaded
    return await RunRecorder.open(store.paths(run_id), manifest, tasks, listeners)


def _end_unfinished(rec: RunRecorder, reason: str) -> list[str]:
    ids = []
    for t in rec.tasks.values():
        if t.status in ("queued", "running", "waiting", "skipped"):
            if t.status == "running" and isinstance(t.heartbeat, dict):
                t.heartbeat = {**t.heartbeat, "alive": False}
            rec.move_task(t, "cancelled", error=reason, finished_at=now_iso())
            ids.append(t.id)
    return ids


async def decline(store: RunStore, run_id: str, listeners: list[Listener]) -> dict:
    rec = await _open(store, run_id, listeners)
    # declined means cancelled: the dead owner's workers must not go on changing the workspace
    orphans = {"runId": run_id, **orphan_plan(store, rec.manifest, list(rec.tasks.values()))}
    await anyio.to_thread.run_sync(kill_orphans, orphans)
    ids = _end_unfinished(rec, "interrupted-not-resumed")
    rec.emit("crew.run.recovery_declined", None, "interrupted-not-resumed", {"cancelledTaskIds": ids})
    if rec.manifest.status in ("queued", "planning", "running", "blocked"):
        rec.move_run("cancelled", "interrupted-not-resumed")
    await rec.flush()
    return {"runId": run_id, "cancelledTaskIds": ids, "status": rec.manifest.status}


async def cancel_elsewhere(store: RunStore, run_id: str, reason: str, listeners: list[Listener],
                           timeout: float = 15.0) -> dict:
    """Cancel a run this process does not execute: ask its live owner, or do it on disk if it is gone."""
    loaded = await anyio.to_thread.run_sync(load_run, store, run_id)
    if loaded is None:
        raise FileNotFoundError(f"unknown run {run_id}")
    manifest, tasks = loaded
    if manifest.status in RUN_TERMINAL and manifest.status != "blocked":
        return {"runId": run_id, "cancelledTaskIds": [], "status": manifest.status}
    if manifest.status in _LIVE_RUN and owner_alive(manifest.owner):
        path = store.paths(run_id).cancel_request
        await anyio.to_thread.run_sync(atomic_write_json, path, {"reason": reason, "requestedAt": now_iso(), "pid": os.getpid()})
        before = {t.id for t in tasks if t.status in ("queued", "running", "waiting")}
        with anyio.move_on_after(timeout):
            while True:
                await anyio.sleep(0.1)
                loaded = await anyio.to_thread.run_sync(load_run, store, run_id)
                if loaded and loaded[0].status in RUN_TERMINAL:
                    break
        manifest, tasks = loaded or (manifest, tasks)
        ids = [t.id for t in tasks if t.id in before and t.status == "cancelled"]
        return {"runId": run_id, "cancelledTaskIds": ids, "status": manifest.status}
    rec = await _open(store, run_id, listeners)
    orphans = {"runId": run_id, **orphan_plan(store, rec.manifest, list(rec.tasks.values()))}
    await anyio.to_thread.run_sync(kill_orphans, orphans)
    ids = _end_unfinished(rec, reason)
    if rec.manifest.status != "cancelled":
        rec.move_run("cancelled", reason)
    await rec.flush()
    return {"runId": run_id, "cancelledTaskIds": ids, "status": "cancelled"}
