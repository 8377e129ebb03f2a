"""The dependency-graph scheduler (docs/runs.md, Scheduling and Reliability).

Streaming dispatch: a task starts the moment a slot is free and its dependencies are done — no
batch barrier. Readiness is tracked with counters (O(tasks + edges) for a whole run), not by
rescanning. A failed task skips only what depends on it; independent branches keep running.
Stops come in three kinds: `cancel` (kill running, cancel queued), `limit` (maxRunMinutes: kill
running, fail them, skip queued) and `blocked` (no valid adaptive plan: let running finish, skip
queued).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque

import anyio

from crew_lsp.engine import adaptive
from crew_lsp.engine.context import RunContext
from crew_lsp.engine.execute import TaskRunner, end_attempt, start_attempt
from crew_lsp.engine.heartbeat import HeartbeatWatcher, Thresholds
from crew_lsp.engine.model import TaskState, now_iso
from crew_lsp.engine.plan import ADAPTIVE_WORKFLOW, ASSESS_STEP
from crew_lsp.engine.files import read_json
from crew_lsp.engine.retry import max_attempts, retry_delay_ms, retryable
from crew_lsp.engine.state import find_write_error
from crew_lsp.engine.views import HeartbeatChange
from crew_lsp.telemetry.correlation import correlate

log = logging.getLogger("crew_lsp.engine")


class Scheduler:
    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.rec = ctx.rec
        self.runner = TaskRunner(ctx)
        self.concurrency = max(1, ctx.rec.manifest.concurrency)
        self.ready: deque[str] = deque()
        self.remaining: dict[str, int] = {}
        self.dependents: dict[str, list[str]] = defaultdict(list)
        self.index: dict[str, str] = {}
        self.running = 0
        self.retrying = 0
        self.scopes: dict[str, anyio.CancelScope] = {}
        self.retry_scopes: dict[str, anyio.CancelScope] = {}
        self.stop_kind: str | None = None
        self.stop_reason: str | None = None
        self._wake = anyio.Event()
        self.done = anyio.Event()
        self.watcher = HeartbeatWatcher(
            Thresholds.configured(ctx.cfg.heartbeat_stale_ms),
            ctx.cfg.deadletter_threshold,
        )

    # --- graph bookkeeping --------------------------------------------------------------------

    def _add_to_graph(self, tasks: list[TaskState]) -> None:
        for t in tasks:
            self.index.setdefault(t.id, t.id)
        for t in tasks:
            self.index.setdefault(t.step_id, t.id)
        all_tasks = self.rec.tasks
        for t in tasks:
            missing = 0
            for name in t.depends_on:
                dep = self.index.get(name)
                if dep is None:
                    missing += 1  # can never be satisfied: the blocked rule will catch it
                    continue
                self.dependents[dep].append(t.id)
                if all_tasks[dep].status != "completed":
                    missing += 1
            self.remaining[t.id] = missing
            if t.status == "queued" and missing == 0:
                self.ready.append(t.id)

    def dep_tasks(self, task: TaskState) -> list[TaskState]:
        out = []
        for name in task.depends_on:
            tid = self.index.get(name)
            if tid is not None:
                out.append(self.rec.tasks[tid])
        return out

    def wake(self) -> None:
        self._wake.set()

    # --- the run --------------------------------------------------------------------------------

    async def run(self) -> str:
        with correlate(self.ctx.run_id):
            return await self._run()

    async def _run(self) -> str:
        rec = self.rec
        if rec.manifest.status != "running":
            rec.move_run("running")
        self._add_to_graph(list(rec.tasks.values()))
        try:
            async with anyio.create_task_group() as tg:
                self.tg = tg
                tg.start_soon(self._watch_cancel_request)
                limit = self.ctx.options.max_run_seconds
                if limit is None and self.ctx.cfg.max_run_minutes:
                    limit = self.ctx.cfg.max_run_minutes * 60.0
                if limit:
                    tg.start_soon(self._deadline, limit)
                if self.ctx.options.watch_heartbeats:
                    tg.start_soon(self._watch_heartbeats)
                self._resume_adaptive()
                await self._loop()
                tg.cancel_scope.cancel()
            return self._finish()
        finally:
            self.done.set()

    async def _loop(self) -> None:
        tasks = self.rec.tasks
        while True:
            while self.ready and self.running < self.concurrency and self.stop_kind is None:
                tid = self.ready.popleft()
                task = tasks[tid]
                if task.status != "queued" or self.remaining.get(tid, 0) > 0:
                    continue
                self.running += 1
                attempt = start_attempt(task)
                data = {"attempt": len(task.attempts), "agent": task.agent}
                # a spawning worker records task.started with its child's pid (see TaskRunner.run)
                spawns = self.runner.spawns
                self.rec.move_task(task, "running", started_at=now_iso(), finished_at=None, error=None, exit_code=None,
                                   data=data, quiet=spawns)
                self.tg.start_soon(self._run_one, task, attempt, data if spawns else None)
            if self.running == 0 and self.retrying == 0:
                return
            await self._wake.wait()
            self._wake = anyio.Event()

    async def _run_one(self, task: TaskState, attempt: str, started: dict | None = None) -> None:
        # every event, log line and worker thread of this attempt carries its span (docs/telemetry.md, Correlation)
        with correlate(self.ctx.run_id, task.id, len(task.attempts)):
            await self._attempt(task, attempt, started)

    async def _attempt(self, task: TaskState, attempt: str, started: dict | None) -> None:
        result = None
        error: str | None = None
        scope = anyio.CancelScope()
        if self.stop_kind in ("cancel", "limit"):
            scope.cancel()  # stopped between dispatch and start
        self.scopes[task.id] = scope
        try:
            with scope:
                try:
                    result = await self.runner.run(task, attempt, self.dep_tasks(task), started)
                except anyio.get_cancelled_exc_class():
                    raise
                except Exception as exc:  # a bug or an I/O failure fails this task, never the run…
                    if find_write_error(exc) is not None:
                        raise  # …but a run whose state cannot be written stops (RunRecorder.record_crash)
                    log.exception("task %s crashed", task.id)
                    error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            self.scopes.pop(task.id, None)
            self.running -= 1
            self.wake()
        if result is None and error is None:
            self._stopped(task)
        elif result is None:
            self._failed(task, error)
        elif result.status == "completed":
            end_attempt(task, None)
            self.rec.move_task(task, "completed", finished_at=now_iso(), exit_code=result.exit_code,
                               usage=result.usage, model=result.model, error=None, data=_usage(result.usage))
            self._completed(task, result.text)
        else:
            task.exit_code, task.usage, task.model = result.exit_code, result.usage, result.model
            self._failed(task, result.error or "worker failed", result.detail)

    def _stopped(self, task: TaskState) -> None:
        """The attempt was cut short by a stop (cancel or time limit)."""
        reason = self.stop_reason or "cancelled"
        end_attempt(task, reason)
        new = "failed" if self.stop_kind == "limit" else "cancelled"
        self.rec.move_task(task, new, finished_at=now_iso(), error=reason)

    def _completed(self, task: TaskState, text: str) -> None:
        tasks = self.rec.tasks
        for dep in self.dependents.get(task.id, []):
            self.remaining[dep] -= 1
            if self.remaining[dep] == 0 and tasks[dep].status == "queued":
                self.ready.append(dep)
        if self.rec.manifest.workflow == ADAPTIVE_WORKFLOW and task.step_id == ASSESS_STEP:
            self._inject(task, text)

    def _failed(self, task: TaskState, error: str, detail: str | None = None) -> None:
        end_attempt(task, error)
        cfg = self.ctx.cfg
        matches = retryable(cfg.retry, error, detail)
        attempts_left = len(task.attempts) < max_attempts(cfg.retry, cfg.max_retries_per_task)
        if self.stop_kind is None and cfg.auto_retry and matches and attempts_left:
            delay = retry_delay_ms(cfg.retry, len(task.attempts))
            self.rec.move_task(task, "queued", event="crew.task.retry_attempt", error=error,
                               data={"attempt": len(task.attempts), "delayMs": round(delay), "error": error})
            self.retrying += 1
            self.tg.start_soon(self._retry_later, task, delay / 1000.0)
            return
        self.rec.move_task(task, "failed", finished_at=now_iso(), error=error, data=_usage(task.usage))
        if cfg.auto_retry:
            reason = "max-retries" if matches else "not-retryable"
            self.rec.deadletter({
                "taskId": task.id, "runId": self.ctx.run_id, "reason": reason, "attempts": len(task.attempts),
                "lastError": error, "attemptId": task.attempts[-1]["attemptId"] if task.attempts else None,
                "timestamp": now_iso(),
            })
            self.rec.emit("crew.task.deadletter", task.id, error, {"reason": reason, "attempts": len(task.attempts)})
        self._skip_dependents(task)

    async def _retry_later(self, task: TaskState, delay: float) -> None:
        scope = anyio.CancelScope()
        self.retry_scopes[task.id] = scope
        try:
            with scope:
                await anyio.sleep(delay)
        finally:
            self.retry_scopes.pop(task.id, None)
            self.retrying -= 1
            if task.status == "queued" and self.stop_kind is None:
                self.ready.append(task.id)
            self.wake()

    def _skip_dependents(self, failed: TaskState) -> None:
        message = f"Blocked by failed task '{failed.id}'."
        todo = list(self.dependents.get(failed.id, []))
        seen: set[str] = set()
        while todo:
            tid = todo.pop()
            if tid in seen:
                continue
            seen.add(tid)
            task = self.rec.tasks[tid]
            if task.status == "queued":
                self.rec.move_task(task, "skipped", error=message, finished_at=now_iso())
                todo.extend(self.dependents.get(tid, []))

    # --- stops ----------------------------------------------------------------------------------

    def stop(self, kind: str, reason: str) -> list[str]:
        """Stop the run; returns the ids of tasks this stop ends (queued now, running soon)."""
        if self.stop_kind is not None:
            return []
        self.stop_kind, self.stop_reason = kind, reason
        ended = []
        for task in list(self.rec.tasks.values()):
            if task.status == "queued":
                self.rec.move_task(task, "cancelled" if kind == "cancel" else "skipped", error=reason, finished_at=now_iso())
                ended.append(task.id)
        if kind in ("cancel", "limit"):
            for tid, scope in list(self.scopes.items()):
                scope.cancel()
                ended.append(tid)
        for scope in list(self.retry_scopes.values()):
            scope.cancel()
        self.wake()
        return ended

    async def _deadline(self, seconds: float) -> None:
        await anyio.sleep(seconds)
        minutes = self.ctx.cfg.max_run_minutes
        what = f"limits.maxRunMinutes ({minutes} min)" if minutes and self.ctx.options.max_run_seconds is None else f"the run time limit ({seconds:g} s)"
        self.stop("limit", f"Run exceeded {what}.")

    async def _watch_cancel_request(self) -> None:
        """A cancel from another process (CLI `runs cancel`) arrives as a request file."""
        path = self.ctx.paths.cancel_request
        while True:
            await anyio.sleep(self.ctx.options.cancel_poll)
            data = await anyio.to_thread.run_sync(read_json, path)
            if isinstance(data, dict):
                await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
                self.stop("cancel", str(data.get("reason") or "cancelled"))
                return

    async def _watch_heartbeats(self) -> None:
        interval = self.ctx.cfg.poll_interval_ms / 1000.0
        while True:
            await anyio.sleep(interval)
            tasks = [t for t in self.rec.tasks.values() if t.status == "running" and t.heartbeat is not None]
            seen: list[HeartbeatChange] = []
            for tid, level, action, stale in self.watcher.tick(tasks, time.time()):
                if action == "level":
                    seen.append(HeartbeatChange(tid, level, stale))
                    self.rec.heartbeat_level(tid, level, stale)
                    continue
                with correlate(self.ctx.run_id, tid, len(self.rec.tasks[tid].attempts)):
                    if action == "dead":
                        self.rec.emit("crew.task.heartbeat_dead", tid, "worker heartbeat is dead", {"stalenessMs": stale})
                    elif action == "deadletter":
                        self.rec.deadletter({"taskId": tid, "runId": self.ctx.run_id, "reason": "heartbeat-dead",
                                             "attempts": len(self.rec.tasks[tid].attempts), "lastError": "heartbeat dead",
                                             "attemptId": None, "timestamp": now_iso()})
                        self.rec.emit("crew.task.deadletter", tid, "heartbeat dead", {"reason": "heartbeat-dead"})
            self.rec.heartbeat_tick(seen)

    # --- adaptive plan --------------------------------------------------------------------------

    def _resume_adaptive(self) -> None:
        """A resumed implementation run whose assess step is done but whose plan never got injected."""
        if self.rec.manifest.workflow != ADAPTIVE_WORKFLOW:
            return
        tasks = list(self.rec.tasks.values())
        if any(t.id.startswith("adaptive-") for t in tasks):
            return
        for t in tasks:
            if t.step_id == ASSESS_STEP and t.status == "completed":
                text = self.runner._result_text(t) or ""
                self._inject(t, text)

    def _inject(self, task: TaskState, text: str) -> None:
        roles = set(self.ctx.roles)
        try:
            plan = adaptive.plan_from_output(text, roles)
        except adaptive.AdaptivePlanError as exc:
            message = f"No valid adaptive plan in the output of '{task.id}': {exc}"
            self.rec.emit("adaptive.plan_missing", task.id, message)
            self.stop("blocked", message)
            return
        agents = {name: info.agent for name, info in self.ctx.roles.items()}
        new = adaptive.inject(plan, task, agents)
        limit = self.ctx.cfg.max_tasks_per_run
        if limit is not None and len(self.rec.tasks) + len(new) > limit:
            message = f"The adaptive plan adds {len(new)} tasks; limits.maxTasksPerRun is {limit}."
            self.rec.emit("adaptive.plan_missing", task.id, message)
            self.stop("blocked", message)
            return
        self.rec.add_tasks(new)
        self._add_to_graph(new)
        self.rec.emit("adaptive.plan_injected", task.id, f"{len(new)} tasks in {len(plan.phases)} phases", {
            "phases": [{"name": p.name, "tasks": len(p.tasks)} for p in plan.phases],
            "taskIds": [t.id for t in new], "repaired": plan.repaired, "notes": plan.notes,
        })

    # --- the end --------------------------------------------------------------------------------

    def _finish(self) -> str:
        rec = self.rec
        tasks = list(rec.tasks.values())
        stuck = [t for t in tasks if t.status == "queued"]
        for t in stuck:
            waits = [d for d in t.depends_on if rec.tasks.get(self.index.get(d, ""), None) is None
                     or rec.tasks[self.index[d]].status != "completed"]
            detail = ", ".join(f"'{d}' ({rec.tasks[self.index[d]].status if d in self.index else 'unknown'})" for d in waits)
            rec.move_task(t, "skipped", error=f"Blocked: waits on {detail or 'nothing runnable'}.", finished_at=now_iso())
        if self.stop_kind == "cancel":
            status, reason = "cancelled", self.stop_reason
        elif self.stop_kind == "limit":
            status, reason = "failed", self.stop_reason
        elif any(t.status == "failed" for t in tasks):
            failed = [t.id for t in tasks if t.status == "failed"]
            status, reason = "failed", f"Failed tasks: {', '.join(failed)}."
        elif self.stop_kind == "blocked":
            status, reason = "blocked", self.stop_reason
        elif stuck:
            status, reason = "blocked", f"Nothing can run: {', '.join(t.id for t in stuck)} wait on dependencies that never completed."
        elif any(t.status == "cancelled" for t in tasks):
            status, reason = "cancelled", "cancelled"
        else:
            status, reason = "completed", None
        rec.move_run(status, reason)
        return status


def _usage(usage: dict | None) -> dict | None:
    """A task's terminal event carries the model usage its worker reported (the token metrics)."""
    return {"usage": usage} if usage else None
