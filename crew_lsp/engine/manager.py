"""The in-process API of the engine: what the LSP server and the CLI call (docs/editor.md, Commands).

One `RunManager` per workspace folder. Every method is async and safe to call from the server's
event loop: file work runs in threads, and each run executes as a task of an anyio task group — its
own (`async with`) or one it is given (the server's run service owns one for all its managers).
Listeners receive a `RunUpdate` for every durable event of every run of this manager (see
recorder.RunUpdate); status views are `views.RunView` snapshots.

    async with RunManager(folder) as runs:          # or RunManager(folder, task_group=tg) + await runs.aclose()
        runs.add_listener(on_update)
        run_id = await runs.start(goal="fix it", team="default")
        await runs.wait(run_id)
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import anyio
from anyio.abc import TaskGroup

from crew_lsp.engine import deadletters, store_ops
from crew_lsp.engine.config import NO_WORKER, EngineConfig, WorkerConfigError, load_config, resolve_worker
from crew_lsp.engine.context import EngineOptions, RunContext
from crew_lsp.engine.heartbeat import Thresholds
from crew_lsp.engine.model import Manifest, TaskState
from crew_lsp.engine.plan import Plan, RoleInfo, build_plan
from crew_lsp.engine.recorder import Listener, RunRecorder, RunUpdate
from crew_lsp.engine.reports import render_goal, render_progress, render_summary, one_line_summary
from crew_lsp.engine.scheduler import Scheduler
from crew_lsp.engine.state import RunStore, UnsafePath, check_id, new_run_id, owner_record
from crew_lsp.engine.store_ops import RunStateError
from crew_lsp.engine.validate import PlanError
from crew_lsp.engine.views import RunSummary, RunView
from crew_lsp.engine.workers import make_worker
from crew_lsp.resources.discovery import Workspace
from crew_lsp.telemetry.correlation import CorrelationFilter, correlate
from crew_lsp.telemetry.metrics import CrewMetrics

log = logging.getLogger("crew_lsp.engine")
# every engine log record carries the traceId/spanId of the run and attempt it was logged for
if not any(isinstance(f, CorrelationFilter) for f in log.filters):
    log.addFilter(CorrelationFilter())


@dataclass(slots=True)
class ActiveRun:
    ctx: RunContext
    scheduler: Scheduler
    done: anyio.Event = field(default_factory=anyio.Event)
    status: str | None = None

    @property
    def thresholds(self) -> Thresholds:
        return self.scheduler.watcher.thresholds


class RunManager:
    def __init__(
        self, folder: str | Path, *, runtime: str | None = None, worker_command: str | list[str] | None = None,
        pass_env: list[str] | None = None, options: EngineOptions | None = None, server_id: str | None = None,
        snapshot_provider: Callable[[], Any] | None = None, extra_roots: list[str] | None = None,
        task_group: TaskGroup | None = None, pi_crew_version: str | None = None,
    ):
        """``runtime``/``worker_command``/``pass_env`` are the *user-level* defaults (editor user settings or CLI
        flags); they never come from workspace files. ``snapshot_provider`` lets the server share its
        live resource index (called on the event loop; must be cheap). ``task_group``: where runs
        execute, for a caller that owns one (else `async with` the manager). ``pi_crew_version``: the
        version to run as (None or `auto`: the one the workspace runs, as `crew-lsp check` finds it)."""
        self.folder = Path(folder).resolve()
        self.pi_crew_version = pi_crew_version
        self.ws = Workspace.discover(self.folder, extra_roots, pi_crew_version)
        self.store = RunStore(self.ws.crew, self.ws.repo)
        self.runtime = runtime
        self.worker_command = worker_command
        self.pass_env = pass_env  # variables workers may inherit beyond the allow-list
        self.options = options or EngineOptions()
        self.server_id = server_id or f"crew-lsp-{os.getpid()}-{secrets.token_hex(3)}"
        self.snapshot_provider = snapshot_provider
        self._listeners: list[Listener] = []
        self._active: dict[str, ActiveRun] = {}
        self._tg = task_group
        self._own_tg: TaskGroup | None = None  # the group `async with` opened

    # --- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> RunManager:
        if self._tg is not None:
            raise RuntimeError("this RunManager was given a task group: its owner closes it")
        self._tg = self._own_tg = anyio.create_task_group()
        await self._own_tg.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            # shielded: leaving the block because of a cancellation must still end the runs cleanly
            # (the child processes' escalation bounds the wait) instead of abandoning them
            with anyio.CancelScope(shield=True):
                await self.aclose()
        finally:
            tg, self._tg, self._own_tg = self._own_tg, None, None
            if tg is not None:
                await tg.__aexit__(None, None, None)

    async def aclose(self, reason: str = "the server is shutting down") -> None:
        """Cancel this manager's active runs cleanly (they stay resumable) and wait for them.

        All at once: a worker ignoring SIGTERM costs its kill escalation once, not once per run,
        so editors that allow ~2 s for `shutdown` still see every run end cleanly. A run that
        ends on its own meanwhile is left as it ended; a failure to stop one run is logged and
        does not keep the others running."""

        async def stop(run_id: str) -> None:
            if run_id not in self._active:
                return  # finished meanwhile: never turn a finished run into a cancelled one
            try:
                await self.cancel(run_id, reason)
            except Exception:
                log.exception("could not stop run %s", run_id)

        tried: set[str] = set()
        while True:  # runs started while we were stopping the others are stopped too
            todo = [r for r in self._active if r not in tried]
            if not todo:
                return
            tried.update(todo)
            async with anyio.create_task_group() as tg:
                for run_id in todo:
                    tg.start_soon(stop, run_id)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(update)`` for every durable event and heartbeat level change; returns an
        unsubscribe function. Listeners run on the event loop and must not block."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _task_group(self) -> TaskGroup:
        """Where runs execute; checked before a run is created or claimed, so a refusal changes nothing."""
        if self._tg is None:
            raise RuntimeError("RunManager executes runs in a task group: use `async with RunManager(...)` "
                               "or pass task_group=")
        return self._tg

    async def _snapshot(self) -> Any:
        if self.snapshot_provider is not None:
            return self.snapshot_provider()
        from crew_lsp.engine.plan import load_snapshot

        return await anyio.to_thread.run_sync(load_snapshot, self.folder, self.pi_crew_version)

    async def _config(self) -> EngineConfig:
        return await anyio.to_thread.run_sync(load_config, self.ws, self.ws.reading.config())  # (the version's merge order and sanitising)

    async def _thresholds(self) -> Thresholds:
        """Heartbeat thresholds of the workspace's config: the same ones the run's watcher uses."""
        return Thresholds.configured((await self._config()).heartbeat_stale_ms)

    # --- planning and starting ------------------------------------------------------------------

    async def plan(self, *, goal: str, team: str | None = None, workflow: str | None = None, agent: str | None = None) -> dict:
        """The tasks with ids, roles, agents, deps and waves; or ``{"ok": False, "diagnostics": […]}``."""
        try:
            plan = build_plan(await self._snapshot(), await self._config(), goal=goal, team=team, workflow=workflow, agent=agent)
        except PlanError as exc:
            return {"ok": False, "error": str(exc), "diagnostics": [i.to_dict() for i in exc.issues]}
        return {"ok": True, **plan.to_dict()}

    async def start(
        self, *, goal: str, team: str | None = None, workflow: str | None = None, agent: str | None = None,
        runtime: str | None = None, worker_command: str | list[str] | None = None, dry_run: bool = False,
        model: str | None = None, run_id: str | None = None,
    ) -> str:
        """Create the run on disk and execute it in the background; returns the run id at once
        (``run_id``: one the caller made with `state.new_run_id`, to know it before any update).
        Raises PlanError (with .issues) for an invalid run, WorkerConfigError for a bad runtime."""
        self._task_group()
        settings = resolve_worker(runtime or self.runtime, worker_command or self.worker_command, dry_run=dry_run,
                                  pass_env=self.pass_env)
        snap = await self._snapshot()
        cfg = await self._config()
        plan = build_plan(snap, cfg, goal=goal, team=team, workflow=workflow, agent=agent)
        ctx = await self._create(plan, settings, cfg, snap, model, run_id or new_run_id())
        self._launch(ctx)
        return ctx.run_id

    async def _create(self, plan: Plan, settings, cfg: EngineConfig, snap: Any, model: str | None, run_id: str) -> RunContext:
        paths = self.store.paths(run_id)
        runtime = {"kind": settings.runtime, "reason": settings.reason}
        if settings.command:
            runtime["command"] = list(settings.command)
        manifest = Manifest(
            run_id=run_id, team=plan.team, workflow=plan.workflow, goal=plan.goal, workspace_mode=plan.workspace_mode,
            cwd=str(self.folder), paths={"state": str(paths.state), "artifacts": str(paths.artifacts)},
            runtime=runtime, owner=owner_record(self.server_id), concurrency=plan.concurrency, agent=plan.agent,
        )
        manifest.extra = {"roles": {n: r.to_dict() for n, r in plan.roles.items()}, "teamPath": plan.team_path,
                          "workflowPath": plan.workflow_path, "warnings": plan.warnings, "model": model}
        rec = await RunRecorder.open(paths, manifest, plan.tasks, self._listeners)
        ctx = RunContext(self.folder, paths, rec, cfg, settings, make_worker(settings), self.options,
                         dict(plan.roles), snap, model_override=model)
        art = await anyio.to_thread.run_sync(_write_report, paths.crew, paths.artifact("goal.md"), render_goal(manifest), "goal")
        rec.add_artifact(*art)
        rec.emit("run.created", None, f"{plan.team}/{plan.workflow}: {len(plan.tasks)} tasks",
                 {"team": plan.team, "workflow": plan.workflow, "tasks": len(plan.tasks), "runtime": runtime,
                  "concurrency": plan.concurrency, "goal": plan.goal})
        rec.manifest_changed(force=True)
        await rec.flush()
        return ctx

    def _launch(self, ctx: RunContext) -> ActiveRun:
        active = ActiveRun(ctx, Scheduler(ctx))
        self._active[ctx.run_id] = active
        self._task_group().start_soon(self._execute, active, name=f"run {ctx.run_id}")
        return active

    async def _execute(self, active: ActiveRun) -> None:
        with correlate(active.ctx.run_id):  # the flusher, listeners and reports log under the run's trace
            await self._execute_run(active)

    async def _execute_run(self, active: ActiveRun) -> None:
        ctx, rec = active.ctx, active.ctx.rec
        try:
            async with rec.serving():
                async with anyio.create_task_group() as tg:
                    tg.start_soon(self._progress_writer, ctx)
                    active.status = await active.scheduler.run()
                    tg.cancel_scope.cancel()
                await self._write_reports(ctx)
        except Exception as exc:  # a full disk, or a bug: the run ends `failed`, recorded where it can be
            with anyio.CancelScope(shield=True):
                await rec.record_crash(exc)
        finally:
            self._active.pop(ctx.run_id, None)
            active.done.set()
            rec.notify_final()

    async def _progress_writer(self, ctx: RunContext) -> None:
        last = None
        while True:
            key = (ctx.rec.manifest.status, tuple(ctx.rec.counts.items()))
            if key != last:
                last = key
                text = render_progress(ctx.rec.manifest, list(ctx.rec.tasks.values()))
                art = await anyio.to_thread.run_sync(_write_report, ctx.paths.crew, ctx.paths.artifact("progress.md"), text, "progress")
                ctx.rec.add_artifact(*art)
            await anyio.sleep(1.0)

    async def _write_reports(self, ctx: RunContext) -> None:
        rec = ctx.rec
        tasks = list(rec.tasks.values())
        rec.manifest.summary = one_line_summary(rec.manifest, tasks)
        results = dict(ctx.results)

        def write() -> list:
            for t in tasks:
                if t.id not in results and t.result_path:
                    try:
                        results[t.id] = (ctx.paths.crew / t.result_path).read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        pass
            return [
                _write_report(ctx.paths.crew, ctx.paths.artifact("progress.md"), render_progress(rec.manifest, tasks), "progress"),
                _write_report(ctx.paths.crew, ctx.paths.artifact("summary.md"), render_summary(rec.manifest, tasks, results), "summary"),
            ]

        for art in await anyio.to_thread.run_sync(write):
            rec.add_artifact(*art)
        rec.manifest_changed(force=True)

    async def wait(self, run_id: str) -> RunView:
        """Wait for a run of this manager to finish; returns its status view."""
        active = self._active.get(run_id)
        if active is not None:
            await active.done.wait()
            rec = active.ctx.rec  # finished and flushed: memory and disk agree
            return store_ops.view(rec.manifest, list(rec.tasks.values()), active.thresholds, active=False)
        return await self.status(run_id)

    def is_active(self, run_id: str) -> bool:
        return run_id in self._active

    # --- control --------------------------------------------------------------------------------

    async def cancel(self, run_id: str, reason: str | None = None) -> dict:
        """Stop a run: every child process group gets SIGTERM (SIGKILL after 3 s), queued and running
        tasks end `cancelled`. Works for runs of other processes too (through a request file)."""
        check_id(run_id, "run id")
        reason = reason or "cancelled by the user"
        active = self._active.get(run_id)
        if active is not None:
            before = {t.id for t in active.ctx.rec.tasks.values() if t.status in ("queued", "running", "waiting")}
            active.scheduler.stop("cancel", reason)
            await active.done.wait()
            ids = [t.id for t in active.ctx.rec.tasks.values() if t.id in before and t.status == "cancelled"]
            return {"runId": run_id, "cancelledTaskIds": ids, "status": active.ctx.rec.manifest.status}
        return await store_ops.cancel_elsewhere(self.store, run_id, reason, self._listeners)

    async def resume(self, run_id: str, *, runtime: str | None = None, worker_command: str | list[str] | None = None) -> dict:
        """Re-queue every task that did not complete and execute the run again (completed tasks stay)."""
        return await self._requeue(run_id, None, resume=True, runtime=runtime, worker_command=worker_command)

    async def retry(self, run_id: str, task_id: str | None = None, *, runtime: str | None = None,
                    worker_command: str | list[str] | None = None) -> dict:
        """Re-queue one task (any terminal status) or every failed task, plus what they blocked."""
        return await self._requeue(run_id, task_id, resume=False, runtime=runtime, worker_command=worker_command)

    async def _requeue(self, run_id: str, task_id: str | None, *, resume: bool, recovered: bool = False,
                       runtime: str | None = None, worker_command: str | list[str] | None = None) -> dict:
        check_id(run_id, "run id")
        if task_id is not None:
            check_id(task_id, "task id")
        if run_id in self._active:
            raise RunStateError(f"run {run_id} is still executing; cancel it first")
        self._task_group()
        loaded = await anyio.to_thread.run_sync(store_ops.load_run, self.store, run_id)
        if loaded is None:
            raise RunStateError(f"unknown run {run_id}")
        # the worker must be resolvable before the run is claimed (a refused resume changes nothing)
        settings = _settings_for_resume(loaded[0], runtime or self.runtime, worker_command or self.worker_command,
                                        self.pass_env)
        cfg = await self._config()
        manifest, tasks = await anyio.to_thread.run_sync(store_ops.claim, self.store, run_id, self.server_id)
        previous = loaded[0]
        if (previous.owner or {}).get("serverId") != self.server_id:
            # the run is ours now, and its previous owner is gone (or done with it): whatever worker
            # it left running would work next to the re-run — stop it, before anything is launched
            orphans = {"runId": run_id, **store_ops.orphan_plan(self.store, previous, tasks)}
            await anyio.to_thread.run_sync(store_ops.kill_orphans, orphans)
        roles = {n: RoleInfo.from_dict(n, d) for n, d in (manifest.extra.get("roles") or {}).items()}
        rec = await RunRecorder.open(self.store.paths(run_id), manifest, tasks, self._listeners)
        ids = store_ops.pick_requeue(rec, task_id, resume)
        if task_id is not None and task_id not in rec.tasks:
            raise RunStateError(f"run {run_id} has no task {task_id}")
        last_seq = rec.log.seq
        for tid in ids:
            t = rec.tasks[tid]
            rec.move_task(t, "queued", event=None if resume else "task.retried", error=None, finished_at=None,
                          checkpoint=None)
        if manifest.status != "running":
            rec.move_run("running", None, {"requeuedTaskIds": ids})
        else:
            rec.manifest_changed(force=True)
        data = {"mode": "resume" if resume else "retry", "requeuedTaskIds": ids,
                "kept": [t.id for t in rec.tasks.values() if t.status == "completed"]}
        if recovered:
            data["recoveredFromSeq"] = last_seq
        rec.emit("crew.run.resumed", None, "recovered" if recovered else None, data)
        await rec.flush()
        rec.manifest.runtime = {"kind": settings.runtime, "reason": f"resumed: {settings.reason}",
                                **({"command": list(settings.command)} if settings.command else {})}
        ctx = RunContext(self.folder, rec.paths, rec, cfg, settings, make_worker(settings), self.options, roles,
                         model_override=manifest.extra.get("model"))
        self._launch(ctx)
        return {"runId": run_id, "requeuedTaskIds": ids}

    async def interrupted(self) -> list[dict]:
        """Runs left `running` by a process that is gone (crash recovery candidates, docs/runs.md, Reliability).

        Never resumed by the engine on its own, whatever a config says: the run's goal, tasks and
        manifest come from the workspace, which a cloned repository controls — resuming one is the
        user's decision (``recover(run_id, accept)`` after asking)."""
        return await anyio.to_thread.run_sync(store_ops.find_interrupted, self.store, set(self._active))

    async def recover(self, run_id: str, accept: bool, *, runtime: str | None = None,
                      worker_command: str | list[str] | None = None) -> dict:
        """Accept: re-queue the unfinished tasks and continue executing. Decline: `cancelled`
        with reason `interrupted-not-resumed`."""
        plan = await anyio.to_thread.run_sync(store_ops.recovery_plan, self.store, run_id)
        if plan is None:
            raise RunStateError(f"run {run_id} is not interrupted")
        if accept:  # the dead owner's workers are stopped once the run is claimed (see _requeue)
            return await self._requeue(run_id, None, resume=True, recovered=True, runtime=runtime,
                                       worker_command=worker_command)
        return await store_ops.decline(self.store, run_id, self._listeners)

    async def export_diagnostics(self, run_id: str, metrics: CrewMetrics | None = None) -> str:
        """Write the redacted diagnostic bundle of a run (and its zip next to it); returns the bundle's
        path (docs/runs.md, Diagnostic export). ``metrics``: the session's figures for the bundle's
        snapshot; without them the run's own events are replayed."""
        from crew_lsp.engine.diagnostics import export_diagnostics

        check_id(run_id, "run id")
        thresholds = await self._thresholds()
        return await anyio.to_thread.run_sync(export_diagnostics, self.store, run_id, thresholds, metrics)

    # --- reading --------------------------------------------------------------------------------

    async def recent_deadletters(self, window_s: float = deadletters.ALERT_WINDOW_S) -> int:
        """Deadletter entries of every run in this crew root within the last ``window_s`` seconds."""
        return await anyio.to_thread.run_sync(deadletters.count_since, self.store, time.time() - window_s)

    async def list_runs(self, limit: int = 20) -> list[RunSummary]:
        """The ``limit`` most recent runs of this crew root, newest first."""
        runs = await anyio.to_thread.run_sync(store_ops.list_runs, self.store, limit)
        for i, summary in enumerate(runs):
            active = self._active.get(summary.run_id)
            if active is not None:  # executing here: memory is ahead of the disk
                rec = active.ctx.rec
                runs[i] = replace(summary, status=rec.manifest.status, progress=rec.progress(), active=True)
        return runs

    async def status(self, run_id: str) -> RunView:
        """One run: its manifest, tasks (running ones with their heartbeat level) and progress."""
        check_id(run_id, "run id")
        active = self._active.get(run_id)
        if active is not None:
            rec = active.ctx.rec
            return store_ops.view(rec.manifest, list(rec.tasks.values()), active.thresholds, active=True)
        found = await anyio.to_thread.run_sync(store_ops.disk_view, self.store, run_id, await self._thresholds())
        if found is None:
            raise RunStateError(f"unknown run {run_id}")
        return found

    async def events(self, run_id: str, since_seq: int = 0, limit: int | None = 200) -> dict:
        """``{events, nextSeq, total}``: events with seq > since_seq; pass nextSeq back to continue."""
        check_id(run_id, "run id")
        return await anyio.to_thread.run_sync(store_ops.events_page, self.store, run_id, since_seq, limit)


def _settings_for_resume(manifest: Manifest, runtime: str | None, command: str | list[str] | None,
                         pass_env: list[str] | None = None):
    """The worker the user configures *now* (arguments, then the environment) — never the manifest's:
    it lives in the workspace, and a cloned repository could ship one naming any runtime or program.
    The recorded runtime can only refuse: a run that used a real worker is not quietly finished by
    the scaffold because no worker is configured at the moment."""
    settings = resolve_worker(runtime, command, pass_env=pass_env)
    recorded = manifest.runtime.get("kind") if isinstance(manifest.runtime, dict) else None
    if settings.reason == NO_WORKER and recorded not in (None, "scaffold"):
        raise WorkerConfigError(
            f"no worker is configured to resume run {manifest.run_id} (it ran with the {str(recorded)[:40]!r} "
            "runtime): choose one with --runtime/--worker-command or CREW_RUNTIME/CREW_WORKER_COMMAND")
    return settings


def _write_report(crew: Path, path: Path, text: str, producer: str):
    from crew_lsp.engine.execute import write_artifact

    return write_artifact(crew, "report", path, text, producer)


__all__ = ["RunManager", "RunStateError", "PlanError", "UnsafePath", "EngineOptions", "TaskState", "RunUpdate"]
