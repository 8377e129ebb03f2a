"""Every change of a run goes through its recorder: memory first, then disk (in order), then listeners.

Changes are cheap and synchronous for the scheduler; a flusher task writes them in batches (group
commit) in a worker thread under the run lock: tasks.json and status files first, then the manifest,
then the event lines, so a crash can lose an event line but never a completed task's state. Listeners
see an event only after it is on disk.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

import anyio

from crew_lsp.engine.events import EventLog
from crew_lsp.engine.model import Manifest, RunEvent, TaskState, now_iso
from crew_lsp.engine.files import append_bytes, atomic_write_bytes
from crew_lsp.engine.state import LockTimeout, RunLock, RunPaths, RunStateError, RunWriteError, find_write_error
from crew_lsp.engine.states import RUN_TERMINAL, TASK_TERMINAL, check_run_move, check_task_move
from crew_lsp.engine.views import HeartbeatChange, HeartbeatTick, Progress, RunView, TaskView
from crew_lsp.telemetry.correlation import SPAN_ID, TRACE_ID, span_id
from crew_lsp.telemetry.redact import redact

log = logging.getLogger("crew_lsp.engine")
MANIFEST_MIN_INTERVAL = 1.0  # artifact-only manifest updates are coalesced to once a second
TASKS_WRITE_BANDWIDTH = 20e6  # bytes per second of tasks.json rewrites, at most
MAX_COALESCE = 0.1  # never hold changes back longer than this


@dataclass(slots=True, frozen=True)
class RunUpdate:
    """What a listener receives: one durable event (or a heartbeat level change, or a heartbeat
    watcher tick) and the run now."""

    run_id: str
    status: str
    event: RunEvent | None
    progress: Progress
    _view: Callable[[], RunView] = field(repr=False, compare=False)
    final: bool = False  # the run reached a terminal state and everything is on disk
    heartbeat: HeartbeatChange | None = None  # set on a heartbeat level change
    heartbeats: HeartbeatTick | None = None  # set on each heartbeat watcher tick (no event, no level change)

    def view(self) -> RunView:
        """The run as it is now (not as it was at this update): built on demand, O(tasks)."""
        return self._view()


Listener = Callable[[RunUpdate], Any]


def manifest_json(data: dict) -> str:
    """Pretty JSON, except for the artifact list: one compact line per artifact keeps the C encoder
    (thousands of entries), and those engine-made paths and hashes need no redaction."""
    artifacts = data.pop("artifacts", [])
    body = json.dumps(redact(data), indent=2, ensure_ascii=False, default=str)
    lines = ",\n    ".join(json.dumps(a, ensure_ascii=False) for a in artifacts)
    return body[: body.rindex("}")].rstrip() + f',\n  "artifacts": [\n    {lines}\n  ]\n}}\n'


class RunRecorder:
    def __init__(self, paths: RunPaths, manifest: Manifest, tasks: list[TaskState], listeners: list[Listener], log_: EventLog):
        self.paths = paths
        self.manifest = manifest
        self.tasks: dict[str, TaskState] = {t.id: t for t in tasks}
        self.listeners = listeners
        self.log = log_
        self.counts: Counter[str] = Counter(t.status for t in tasks)
        self._has_verify = any(t.verify for t in tasks)
        self.heartbeat_levels: dict[str, str] = {}
        self._events: list[RunEvent] = []
        self._dirty: set[str] = set(self.tasks)  # first flush writes every task
        self._status_files: set[str] = set()
        self._encoded: dict[str, str] = {}
        self._manifest_dirty = False
        self._manifest_force = False
        self._manifest_written = 0.0
        self._deadletters: list[dict] = []
        self._version = 0
        self._flushed = 0
        self._wake = anyio.Event()
        self._flushed_event = anyio.Event()
        self._serving = False
        self._write_lock = anyio.Lock()
        self._pending_updates: list[RunUpdate] = []
        self._artifacts: dict[str, dict] | None = None  # path → entry, while artifacts are being added
        self._tasks_bytes = 0

    @classmethod
    async def open(cls, paths: RunPaths, manifest: Manifest, tasks: list[TaskState], listeners: list[Listener]) -> RunRecorder:
        log_ = await anyio.to_thread.run_sync(EventLog, paths.events)
        return cls(paths, manifest, tasks, listeners, log_)

    # --- changes (synchronous, in memory) ------------------------------------------------------

    def _changed(self) -> None:
        self._version += 1
        self._wake.set()

    def emit(self, type_: str, task_id: str | None = None, message: str | None = None, data: dict | None = None,
             attempt_id: str | None = None) -> RunEvent:
        run_id = self.manifest.run_id
        event = self.log.make(type_, run_id, task_id, message, data,
                              traceId=run_id, spanId=self._span(task_id, attempt_id), attemptId=attempt_id)
        # the listener sees the run as it was when the event happened, not when it reached disk
        self._events.append(event)
        if self.listeners:
            self._pending_updates.append(self._update(event))
        self._changed()
        return event

    def _span(self, task_id: str | None, attempt_id: str | None) -> str | None:
        """The event's span: the attempt it names, else the one the code emitting it works for
        (`correlation.correlate` in the scheduler) when that attempt is of this run and this task."""
        run_id = self.manifest.run_id
        if task_id and attempt_id:
            return span_id(run_id, task_id, attempt_id.rsplit("#", 1)[-1])
        current = SPAN_ID.get()
        if current is None or TRACE_ID.get() != run_id:
            return None
        return current if task_id is None or current.startswith(f"{run_id}:{task_id}:") else None

    def task_changed(self, task: TaskState, status_file: bool = False) -> None:
        self._dirty.add(task.id)
        if status_file:
            self._status_files.add(task.id)
        self._changed()

    def manifest_changed(self, force: bool = False) -> None:
        self._manifest_dirty = True
        self._manifest_force = self._manifest_force or force
        self._changed()

    def add_tasks(self, tasks: list[TaskState]) -> None:
        for t in tasks:
            if t.id in self.tasks:
                raise ValueError(f"duplicate task id {t.id}")
            self.tasks[t.id] = t
            self.counts[t.status] += 1
            self._has_verify = self._has_verify or t.verify
            self.task_changed(t)

    def move_task(self, task: TaskState, new: str, *, event: str | None = None, message: str | None = None,
                  data: dict | None = None, quiet: bool = False, **fields: Any) -> None:
        """Change a task's status (checked against the state machine) and record the event
        (``quiet``: no event, the caller records it later — task.started of a spawned worker)."""
        old = task.status
        check_task_move(task.id, old, new)
        task.status = new
        for key, value in fields.items():
            setattr(task, key, value)
        if new == "running" and old == "queued":
            task.heartbeat = None  # a new attempt: its worker's first beat comes at spawn
        elif new in TASK_TERMINAL or new == "queued":
            self.heartbeat_levels.pop(task.id, None)
            if isinstance(task.heartbeat, dict) and task.heartbeat.get("alive") is not False:
                # in the same change that ends the attempt: a finished worker is never seen running dead
                task.heartbeat = {**task.heartbeat, "alive": False}
        self.counts[old] -= 1
        self.counts[new] += 1
        # agents/<id>/status.json describes a worker process: none for scaffold tasks
        self.task_changed(task, status_file=task.heartbeat is not None)
        kind = None if quiet else event or ("task.started" if new == "running" else f"task.{new}")
        if kind:
            attempt = task.attempts[-1]["attemptId"] if task.attempts else None
            payload = {"status": new, "previous": old, "role": task.role}
            if task.error and new in ("failed", "skipped", "cancelled"):
                payload["error"] = task.error
            self.emit(kind, task.id, message, {**payload, **(data or {})}, attempt)

    def move_run(self, new: str, reason: str | None = None, data: dict | None = None) -> None:
        old = self.manifest.status
        check_run_move(self.manifest.run_id, old, new)
        self.manifest.status = new
        self.manifest.updated_at = now_iso()
        if reason is not None:
            self.manifest.reason = reason
        self.manifest_changed(force=True)
        payload = {"status": new, "previous": old}
        if new == "running":  # a resumed run is filed under its team by whoever only sees it from here on
            payload["team"] = self.manifest.team
        self.emit(f"run.{new}", None, reason, {**payload, **(data or {})})

    def add_artifact(self, kind: str, path: str, producer: str, size: int, sha256: str) -> None:
        """Register (or replace, by path) an artifact; the manifest list is rebuilt when written."""
        if self._artifacts is None:
            self._artifacts = {a.get("path"): a for a in self.manifest.artifacts}
        self._artifacts[path] = {"kind": kind, "path": path, "producer": producer, "sizeBytes": size, "sha256": sha256}
        self.manifest_changed()

    def deadletter(self, entry: dict) -> None:
        self._deadletters.append(entry)
        self._changed()

    def heartbeat_level(self, task_id: str, level: str, staleness_ms: int | None) -> None:
        """Tell listeners about a heartbeat level change (not an event: docs/runs.md, Heartbeats keeps those few)."""
        if self.heartbeat_levels.get(task_id) == level:
            return
        self.heartbeat_levels[task_id] = level
        self._notify([self._update(None, heartbeat=HeartbeatChange(task_id, level, staleness_ms))])

    def heartbeat_tick(self, tasks: list[HeartbeatChange]) -> None:
        """Tell listeners what the watcher saw on this tick (the metrics' staleness gauge)."""
        if tasks and self.listeners:
            self._notify([self._update(None, heartbeats=HeartbeatTick(tuple(tasks)))])

    # --- views ----------------------------------------------------------------------------------

    def level_of(self, task: TaskState) -> str | None:
        """A running task's heartbeat level: the watcher's last word, `healthy` until its first tick
        (the task has just started); None once the task is not running."""
        if task.status != "running":
            return None
        return self.heartbeat_levels.get(task.id, "healthy")

    def progress(self) -> Progress:
        total = len(self.tasks)
        done = sum(self.counts[s] for s in TASK_TERMINAL)
        status = self.manifest.status
        if status in ("queued", "planning"):
            phase = 1
        elif status in ("running",):
            verify = [t for t in self.tasks.values() if t.verify] if self._has_verify else []
            verify_done = sum(1 for t in verify if t.status in TASK_TERMINAL)
            others_done = done - verify_done == total - len(verify)
            phase = 3 if verify and others_done else 2
        else:
            phase = 4
        pct = int(done * 100 / total) if total else (100 if phase == 4 else 0)
        counts = {k: v for k, v in self.counts.items() if v}
        return Progress(total, done, self.counts["running"] + self.counts["waiting"], counts, phase, pct)

    def view(self) -> RunView:
        """The run now, for listeners: task fields and heartbeat levels without the stored task records."""
        m = self.manifest
        tasks = tuple(TaskView(t.id, t.status, t.role, t.started_at, t.finished_at, t.error, self.level_of(t),
                               metrics=t.metrics) for t in self.tasks.values())
        return RunView(m.run_id, m.status, m.team, m.workflow, m.goal, m.reason, m.paths.get("artifacts"), tasks,
                       self.progress(), self._serving, m.to_dict())

    def _update(self, event: RunEvent | None, final: bool = False, heartbeat: HeartbeatChange | None = None,
                heartbeats: HeartbeatTick | None = None) -> RunUpdate:
        return RunUpdate(self.manifest.run_id, self.manifest.status, event, self.progress(), self.view, final, heartbeat,
                         heartbeats)

    def _notify(self, updates: list[RunUpdate]) -> None:
        if not self.listeners:
            return
        for update in updates:
            for listener in list(self.listeners):
                try:
                    listener(update)
                except Exception:  # a broken listener must not stop a run
                    log.exception("run listener failed")

    # --- writing --------------------------------------------------------------------------------

    def _prepare(self) -> tuple[Any, ...]:
        """Capture what to write, on the event loop (the thread then writes immutable data)."""
        events, self._events = self._events, []
        for tid in self._dirty:
            self._encoded[tid] = json.dumps(redact(self.tasks[tid].to_dict()), ensure_ascii=False, default=str)
        tasks_blob = None
        if self._dirty or not self._tasks_bytes:  # the first write makes tasks.json, even with no task
            self.manifest.updated_at = now_iso()
            head = json.dumps({"schemaVersion": 2, "runId": self.manifest.run_id, "updatedAt": self.manifest.updated_at,
                               "lastSeq": self.log.seq})
            tasks_blob = (head[:-1] + ', "tasks": [\n' + ",\n".join(self._encoded[t] for t in self.tasks) + "\n]}\n").encode()
            self._tasks_bytes = len(tasks_blob)
        status_files = []
        for tid in self._status_files:
            t = self.tasks[tid]
            status_files.append((tid, {"runId": self.manifest.run_id, "taskId": tid, "status": t.status,
                                       "heartbeat": t.heartbeat, "checkpoint": t.checkpoint, "updatedAt": now_iso()}))
        self._dirty, self._status_files = set(), set()
        manifest_blob = None
        now = time.monotonic()
        if self._manifest_dirty and (self._manifest_force or now - self._manifest_written >= MANIFEST_MIN_INTERVAL or not self._serving):
            if self._artifacts is not None:
                self.manifest.artifacts = list(self._artifacts.values())
            manifest_blob = manifest_json(self.manifest.to_dict()).encode()
            self._manifest_dirty = self._manifest_force = False
            self._manifest_written = now
        dead, self._deadletters = self._deadletters, []
        return events, tasks_blob, status_files, manifest_blob, dead

    def _write(self, events: list[RunEvent], tasks_blob: bytes | None, status_files: list, manifest_blob: bytes | None,
               dead: list[dict], done: set[str]) -> None:
        """Write a batch; ``done`` collects the appends and files that reached disk (see _unwritten)."""
        paths = self.paths
        state = paths.state
        state.mkdir(parents=True, exist_ok=True)
        with RunLock(state / "run.lock"):
            if tasks_blob is not None:
                atomic_write_bytes(state / "tasks.json", tasks_blob)
                done.add("tasks")
            for tid, data in status_files:
                # rewritten on every heartbeat: atomic, but not fsynced (losing one beat is harmless)
                atomic_write_bytes(paths.agent_dir(tid) / "status.json", json.dumps(redact(data)).encode(), fsync=False)
            if manifest_blob is not None:
                atomic_write_bytes(state / "manifest.json", manifest_blob)
                done.add("manifest")
            if dead:
                append_bytes(state / "deadletter.jsonl", "".join(json.dumps(redact(d)) + "\n" for d in dead).encode())
                done.add("deadletters")
            self.log.write(events)
            done.add("events")

    def _unwritten(self, batch: tuple[Any, ...], done: set[str]) -> None:
        """Put back what a failed write did not get to disk, so the next write (the one recording
        the failure, when the disk allows it) has everything; appends that did land are not repeated."""
        events, tasks_blob, status_files, manifest_blob, dead = batch
        if "events" not in done:
            self._events[:0] = events
        if tasks_blob is not None and "tasks" not in done:
            self._dirty.update(self.tasks)
        self._status_files.update(tid for tid, _ in status_files)
        if manifest_blob is not None and "manifest" not in done:
            self._manifest_dirty = self._manifest_force = True
        if dead and "deadletters" not in done:
            self._deadletters[:0] = dead

    async def _flush_once(self, upto: int | None = None) -> None:
        async with self._write_lock:
            if upto is not None and self._flushed >= upto:
                return  # a write that started meanwhile took these changes along
            target = self._version
            batch = self._prepare()
            if any(x for x in batch):
                done: set[str] = set()
                try:
                    await anyio.to_thread.run_sync(self._write, *batch, done)
                except (OSError, LockTimeout) as exc:
                    self._unwritten(batch, done)
                    raise RunWriteError(f"could not write the run state: {exc}") from exc
            self._flushed = max(self._flushed, target)
            done, self._flushed_event = self._flushed_event, anyio.Event()
            done.set()
            flushed_seq = batch[0][-1].seq if batch[0] else 0
            ready = [u for u in self._pending_updates if u.event is not None and u.event.seq <= flushed_seq]
            self._pending_updates = self._pending_updates[len(ready):]
            self._notify(ready)

    async def flush(self) -> None:
        """Return once every change made so far is on disk."""
        target = self._version
        if not self._serving:
            with anyio.CancelScope(shield=True):
                await self._flush_once()
            return
        while self._flushed < target:
            waiter = self._flushed_event
            self._wake.set()
            await waiter.wait()

    async def flush_now(self) -> None:
        """Write every change made so far at once, without the flusher's coalescing pause (a
        worker's pid the moment it is spawned: a crash right after must not lose it). Concurrent
        callers share writes; the batch is shielded, as in the flusher."""
        target = self._version
        if self._flushed >= target:
            return
        with anyio.CancelScope(shield=True):
            await self._flush_once(target)

    async def record_crash(self, exc: BaseException) -> None:
        """After ``exc`` stopped the run: end it `failed` with the reason, on disk if the disk lets us
        (a failed write put its batch back, so this write carries everything). A write failure is
        said in one line; anything else is a bug, logged with its traceback."""
        failure = find_write_error(exc, file_errors=True)
        if failure is None:
            log.error("run %s crashed", self.manifest.run_id, exc_info=exc)
        reason = str(failure) if failure is not None else "internal error: the engine crashed (see the server log)"
        try:
            for task in self.tasks.values():
                if task.status in ("running", "waiting"):
                    if isinstance(task.heartbeat, dict):
                        task.heartbeat = {**task.heartbeat, "alive": False}
                    self.move_task(task, "failed", error=reason, finished_at=now_iso())
            if self.manifest.status not in RUN_TERMINAL:
                self.move_run("failed", reason)
            await self.flush()
        except RunStateError as again:
            log.warning("could not record the failure of run %s: %s", self.manifest.run_id, again)
        except Exception:
            log.exception("could not record the crash of run %s", self.manifest.run_id)

    def notify_final(self) -> None:
        self._notify([self._update(None, final=True)])

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[RunRecorder]:
        """Run the flusher for the duration of the block; everything is on disk when it exits."""
        async with anyio.create_task_group() as tg:
            self._serving = True
            tg.start_soon(self._serve)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()
                self._serving = False
                with anyio.CancelScope(shield=True):
                    self._manifest_force = self._manifest_force or self._manifest_dirty
                    await self._flush_once()

    async def _serve(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = anyio.Event()
            with anyio.CancelScope(shield=True):  # a batch taken from memory must reach disk and listeners
                await self._flush_once()
            # tasks.json is rewritten whole: bound the write bandwidth (~20 MB/s) so a run of thousands
            # of tasks batches more changes per write instead of rewriting megabytes per task
            await anyio.sleep(min(MAX_COALESCE, self._tasks_bytes / TASKS_WRITE_BANDWIDTH))

