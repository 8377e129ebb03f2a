"""Running one attempt of one task: prompt → worker → result files, with heartbeats and progress.

The scheduler decides what a result means for the run (retry, skip dependents); this module only
makes the attempt happen and records its artifacts. File work runs in threads.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable

import anyio

from crew_lsp.engine.config import current_depth, max_depth
from crew_lsp.engine.context import RunContext
from crew_lsp.engine.heartbeat import beat
from crew_lsp.engine.metric_lines import MAX_TASK_METRICS
from crew_lsp.engine.model import TaskState, now_iso
from crew_lsp.engine.prompts import Prompt, build_prompt, model_for, select_skills, skill_texts
from crew_lsp.engine.tool_policy import worker_tools
from crew_lsp.engine.files import append_bytes, write_once
from crew_lsp.engine.workers.base import Hooks, Job, WorkerResult
from crew_lsp.engine.workers.environment import worker_environment
from crew_lsp.resources.fields import ROLE_DEFAULT_SKILLS
from crew_lsp.resources.versions import BASELINE
from crew_lsp.telemetry.redact import redact_text

READS_LIMIT = 24_000


Artifact = tuple[str, str, str, int, str]  # kind, path relative to the crew root, producer, size, sha256


def write_artifact(crew: Path, kind: str, path: Path, text: str, producer: str, *, redacted: bool = False) -> Artifact:
    """Write a redacted artifact (blocking, in a thread); the caller registers it on the event loop."""
    data = (text if redacted else redact_text(text)).encode()
    write_once(path, data)
    return kind, os.path.relpath(path, crew), producer, len(data), hashlib.sha256(data).hexdigest()


class FileSink:
    """Buffered appends of a streaming log, redacted and flushed from a thread.

    A periodic flush writes whole lines only: a secret streamed in pieces (text deltas) that
    straddled a flush would reach the file in two halves neither of which looks like a secret.
    The last flush (``final``) writes the rest."""

    def __init__(self, path: Path):
        self.path = path
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    async def flush(self, final: bool = False) -> None:
        if not self.parts:
            return
        text = "".join(self.parts)
        cut = len(text) if final else text.rfind("\n") + 1
        if cut == 0:
            self.parts = [text]
            return
        self.parts = [text[cut:]] if cut < len(text) else []
        await anyio.to_thread.run_sync(append_bytes, self.path, redact_text(text[:cut]).encode())


class TaskRunner:
    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self._snapshot_lock = anyio.Lock()
        # prompt and result files of one run go through two threads at most: more threads only
        # fight over the GIL (a convoy that made wide scaffold runs 2-5× slower on 2 CPUs)
        self._io = anyio.CapacityLimiter(2)

    async def snapshot(self):
        ctx = self.ctx
        if ctx.snapshot is None:
            async with self._snapshot_lock:
                if ctx.snapshot is None:
                    from crew_lsp.engine.plan import load_snapshot

                    ctx.snapshot = await anyio.to_thread.run_sync(load_snapshot, ctx.folder)
        return ctx.snapshot

    def _prepare(self, task: TaskState, snap, dep_tasks: list[TaskState]) -> tuple[Prompt, object, list[Artifact]]:
        """Blocking (thread): gather skills, dependency outputs and reads; write prompts/<id>.md.
        Touches no shared mutable state: the dependencies are handed in."""
        ctx = self.ctx
        manifest = ctx.rec.manifest
        role = ctx.roles.get(task.role)
        agent = snap.agent(task.agent) if snap is not None else None
        agent_skills = list(getattr(agent.model, "skills", []) or []) if agent is not None else []
        defaults = snap.workspace.reading.role_default_skills if snap is not None else ROLE_DEFAULT_SKILLS
        skills = skill_texts(select_skills(task, role, agent_skills, ctx.skills_override, defaults), snap)
        deps = [(dep, self._result_text(dep)) for dep in dep_tasks]
        reads = []
        for name in task.reads:
            try:
                text = ctx.paths.shared(name).read_text(encoding="utf-8", errors="replace")[:READS_LIMIT]
            except OSError:
                text = None
            reads.append((name, text))
        prompt = build_prompt(
            run_id=manifest.run_id, team=manifest.team, workflow=manifest.workflow, goal=manifest.goal, task=task,
            role=role, agent=agent, skills=skills, dependencies=deps, reads=reads,
        )
        art = write_artifact(ctx.paths.crew, "prompt", ctx.paths.task_artifact("prompts", task.id, ".md"), prompt.redacted(),
                             task.id, redacted=True)
        return prompt, agent, [art]

    def _result_text(self, task: TaskState) -> str | None:
        cached = self.ctx.results.get(task.id)
        if cached is not None:
            return cached
        try:
            return self.ctx.paths.task_artifact("results", task.id, ".txt").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def _finish_files(self, task_id: str, output: str | None, result: WorkerResult) -> list[Artifact]:
        ctx = self.ctx
        text = result.text or ""
        if result.status != "completed" and result.error:
            text = f"{text}\n\n[error] {result.error}\n" if text else f"[error] {result.error}\n"
        crew = ctx.paths.crew
        arts = [write_artifact(crew, "result", ctx.paths.task_artifact("results", task_id, ".txt"), text, task_id)]
        if result.status == "completed" and output:
            arts.append(write_artifact(crew, "shared", ctx.paths.shared(output), result.text or "", task_id))
        return arts

    async def _finish(self, task: TaskState, result: WorkerResult) -> None:
        arts = await anyio.to_thread.run_sync(self._finish_files, task.id, task.output, result, limiter=self._io)
        self._register(arts)
        task.result_path = arts[0][1]
        if result.status == "completed":
            self.ctx.results[task.id] = result.text

    def _register(self, arts: list[Artifact]) -> None:
        for art in arts:
            self.ctx.rec.add_artifact(*art)

    @property
    def spawns(self) -> bool:
        """Whether attempts start a child process (then task.started is recorded at its spawn)."""
        return self.ctx.worker.kind != "scaffold"

    async def run(self, task: TaskState, attempt_id: str, dep_tasks: list[TaskState],
                  started: dict | None = None) -> WorkerResult:
        """One attempt. The task is already `running`; cancellation propagates after cleanup.

        ``started``: the data of a task.started event the scheduler left to us (a spawning worker).
        It is recorded together with the child's pid, in one write made before the child's output
        is read: once task.started is on disk, so are checkpoint.childPid and the heartbeat pid. An
        attempt that ends before anything was spawned still records it (without a pid) first."""
        pending = [started]

        def announce(pid: int | None) -> None:
            data, pending[0] = pending[0], None
            if data is not None:
                self.ctx.rec.emit("task.started", task.id, None, {"status": "running", "previous": "queued",
                                                                  "role": task.role, **data, "childPid": pid},
                                  attempt_id)

        try:
            return await self._run(task, attempt_id, dep_tasks, announce)
        finally:
            announce(None)

    async def _run(self, task: TaskState, attempt_id: str, dep_tasks: list[TaskState], announce) -> WorkerResult:
        ctx = self.ctx
        opts = ctx.options
        spawns = self.spawns
        if spawns:
            depth, limit = current_depth(), max_depth(ctx.cfg)
            if depth + 1 > limit:
                return WorkerResult("failed", error=f"refusing to spawn a worker at depth {depth + 1} (limit {limit})")
        snap = await self.snapshot()
        if not spawns:
            return await self._run_scaffold(task, snap, dep_tasks)
        prompt, agent, arts = await anyio.to_thread.run_sync(self._prepare, task, snap, dep_tasks, limiter=self._io)
        self._register(arts)
        task.checkpoint = {"phase": "worker", "childPid": None}
        role = ctx.roles.get(task.role)
        model = model_for(task, role, agent, ctx.model_override)
        agent_model = getattr(agent, "model", None)
        env = worker_environment(ctx.settings, os.environ)  # an allow-list plus what the user lists
        env["PI_CREW_DEPTH"] = str(current_depth() + 1)
        env["PI_CREW_RUN_ID"], env["PI_CREW_TASK_ID"] = ctx.run_id, task.id
        # with the run id, lets crash recovery find this worker by its environment alone
        env["PI_CREW_OWNER"] = str((ctx.rec.manifest.owner or {}).get("serverId") or "")
        job = Job(
            run_id=ctx.run_id, task_id=task.id, role=task.role, attempt_id=attempt_id, prompt=prompt, cwd=ctx.folder,
            env=env, limits=opts.limits(), model=model,
            thinking=(role.thinking if role is not None else None) or getattr(agent_model, "thinking", None),
            tools=worker_tools(snap.workspace.reading if snap is not None else BASELINE, task.role, agent),
            inherit_skills=bool(getattr(agent_model, "inherit_skills", False)),
            inherit_context=bool(getattr(agent_model, "inherit_project_context", False)),
        )
        return await self._run_child(task, job, model, announce)

    async def _run_scaffold(self, task: TaskState, snap, dep_tasks: list[TaskState]) -> WorkerResult:
        """Nothing runs: prompt and result files in one trip to a thread (this is the engine's
        bookkeeping cost per task, which the benchmark measures)."""
        from crew_lsp.engine.workers.scaffold import scaffold_text

        def work() -> tuple[WorkerResult, list[Artifact]]:
            prompt, agent, arts = self._prepare(task, snap, dep_tasks)
            result = WorkerResult("completed", scaffold_text(task.id),
                                  model=model_for(task, self.ctx.roles.get(task.role), agent, self.ctx.model_override))
            return result, arts + self._finish_files(task.id, task.output, result)

        result, arts = await anyio.to_thread.run_sync(work, limiter=self._io)
        self._register(arts)
        task.result_path = arts[1][1]
        self.ctx.results[task.id] = result.text
        return result

    async def _run_child(self, task: TaskState, job: Job, model: str | None, announce) -> WorkerResult:
        ctx, rec, opts = self.ctx, self.ctx.rec, self.ctx.options
        paths = ctx.paths

        def sink_paths() -> tuple[Path, Path, Path]:  # safe_join checks for symlinks: file system calls
            return (paths.agent_dir(task.id) / "output.log", paths.task_artifact("transcripts", task.id, ".jsonl"),
                    paths.task_artifact("logs", task.id, ".log"))

        output, transcript, logfile = (FileSink(p) for p in await anyio.to_thread.run_sync(sink_paths))
        state = {"pid": None, "touched": 0.0, "progress_at": 0.0}

        def touch(alive: bool = True) -> None:
            state["touched"] = time.monotonic()
            task.heartbeat = beat(job.attempt_id, state["pid"], alive)
            rec.task_changed(task, status_file=True)

        async def on_spawn(pid: int) -> None:
            state["pid"] = pid
            task.checkpoint = {"phase": "running", "childPid": pid}
            touch()  # heartbeat {pid} and agents/<id>/status.json
            announce(pid)
            # on disk before the child's output is read (not at the next batched write): if this
            # process dies now, recovery finds the worker in tasks.json and stops it
            await rec.flush_now()

        def on_activity() -> None:
            if time.monotonic() - state["touched"] >= opts.heartbeat_min_gap:
                touch()

        def progress(text: str) -> None:
            now = time.monotonic()
            if text and now - state["progress_at"] >= opts.progress_interval:
                state["progress_at"] = now
                rec.emit("task.progress", task.id, text[:200], None, job.attempt_id)

        metrics = MetricReporter(task, job.attempt_id, ctx, logfile.add)
        hooks = Hooks(on_spawn=on_spawn, on_activity=on_activity, output=output.add,
                      transcript=lambda line: transcript.add(line + "\n"), log=lambda line: logfile.add(line + "\n"),
                      progress=progress, metric=metrics.report)

        async def flush_logs() -> None:  # the heartbeat is not touched here: only output counts as life
            while True:
                await anyio.sleep(opts.log_flush_interval)
                for sink in (output, transcript, logfile):
                    await sink.flush()

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(flush_logs)
                result = await ctx.worker.run(job, hooks)
                tg.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                # `alive: false` is set by the state change that ends the task (RunRecorder.move_task):
                # set here, a watcher tick before that change would see a finished worker as dead
                task.checkpoint = {"phase": "done", "childPid": state["pid"]}
                metrics.emit()  # the values still held back: the task's last word on each metric
                for sink in (output, transcript, logfile):
                    await sink.flush(final=True)
        result.model = result.model or model
        await self._finish(task, result)
        return result


class MetricReporter:
    """A worker's metric lines → the task's `metrics` (last value wins, at most `MAX_TASK_METRICS`
    names) and `crew.task.metric` events, coalesced like progress: at most one event per
    `progress_interval`, with the values that arrived in between; the rest goes out at `emit()`."""

    def __init__(self, task: TaskState, attempt_id: str, ctx: RunContext, log: Callable[[str], None]):
        self.task, self.attempt_id, self.ctx, self.log = task, attempt_id, ctx, log
        self.pending: dict[str, float] = {}
        self.emitted_at = float("-inf")
        self.over_cap = False

    def report(self, name: str, value: float) -> None:
        task = self.task
        current = task.metrics or {}
        if name not in current and len(current) >= MAX_TASK_METRICS:
            if not self.over_cap:
                self.over_cap = True
                self.log(f"metric {name} and any later new names ignored: a task keeps {MAX_TASK_METRICS} metrics\n")
            return
        task.metrics = {**current, name: value}  # a new dict: views handed out earlier keep theirs
        self.ctx.rec.task_changed(task)
        self.pending[name] = value
        if time.monotonic() - self.emitted_at >= self.ctx.options.progress_interval:
            self.emit()

    def emit(self) -> None:
        if self.pending:
            self.emitted_at = time.monotonic()
            data, self.pending = {"metrics": self.pending}, {}
            self.ctx.rec.emit("crew.task.metric", self.task.id, None, data, self.attempt_id)


def start_attempt(task: TaskState) -> str:
    attempt_id = f"{task.id}#{len(task.attempts) + 1}"
    task.metrics = None  # a task's metrics are those of its latest attempt
    task.attempts = [*task.attempts, {"attemptId": attempt_id, "startedAt": now_iso(), "endedAt": None, "error": None}]
    return attempt_id


def end_attempt(task: TaskState, error: str | None) -> None:
    if task.attempts:
        last = dict(task.attempts[-1])
        last["endedAt"], last["error"] = now_iso(), error
        task.attempts = [*task.attempts[:-1], last]
