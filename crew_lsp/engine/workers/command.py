"""The `command` runtime: any agent CLI. argv comes from the user's settings or the environment with
`{model}`, `{role}` and `{taskId}` substituted; the prompt arrives on stdin; stdout is the result;
a non-zero exit or a signal fails the task. Metric lines on stdout (docs/runs.md, Metric lines) are
reported through the hooks and left out of the result."""

from __future__ import annotations

from crew_lsp.engine.metric_lines import PREFIX_BYTES, parse_metric_line
from crew_lsp.engine.workers.base import Hooks, Job, WorkerResult
from crew_lsp.engine.workers.process import ChildProcess
from crew_lsp.telemetry.redact import redact_text

MAX_RESULT_BYTES = 16 * 1024 * 1024


class CommandWorker:
    kind = "command"

    def __init__(self, template: tuple[str, ...]):
        if not template:
            raise ValueError("the command runtime needs a command")
        self.template = template

    def argv(self, job: Job) -> list[str]:
        values = {"{model}": job.model or "", "{role}": job.role, "{taskId}": job.task_id}
        out = []
        for arg in self.template:
            for key, value in values.items():
                arg = arg.replace(key, value)
            out.append(arg)
        return out

    async def run(self, job: Job, hooks: Hooks) -> WorkerResult:
        chunks: list[bytes] = []
        size = 0
        stderr_tail: list[str] = []

        def on_stdout(line: bytes) -> None:
            nonlocal size
            text = line.decode("utf-8", "replace")
            hooks.output(text + "\n")
            if line.startswith(PREFIX_BYTES) and _metric(text, hooks):
                return  # a figure for the task, not part of its result
            if size < MAX_RESULT_BYTES:
                chunks.append(line)
                size += len(line) + 1
            if text.strip():  # redacted before it is cut: a cut secret no longer looks like one
                hooks.progress(redact_text(text.strip())[:120])

        def on_stderr(line: bytes) -> None:
            text = redact_text(line.decode("utf-8", "replace"))
            hooks.log(text)
            if text.strip():
                stderr_tail.append(text.strip())
                del stderr_tail[:-5]

        child = ChildProcess(
            self.argv(job), env=job.env, cwd=job.cwd, limits=job.limits, stdin_data=job.prompt.full().encode(),
            on_stdout=on_stdout, on_stderr=on_stderr, on_spawn=hooks.on_spawn, on_activity=hooks.on_activity,
        )
        outcome = await child.run()
        text = b"\n".join(chunks).decode("utf-8", "replace")
        said = stderr_tail[-1] if stderr_tail else None
        detail = f": {said}" if said else ""
        rc = outcome.returncode
        if outcome.timed_out:
            return WorkerResult("failed", text, f"no output for {job.limits.idle_timeout:g} s: worker killed", rc, detail=said)
        if outcome.signal:
            return WorkerResult("failed", text, f"worker killed by signal {outcome.signal}{detail}", rc, detail=said)
        if rc != 0:
            return WorkerResult("failed", text, f"worker exited with code {rc}{detail}", rc, detail=said)
        return WorkerResult("completed", text, None, 0)


def _metric(line: str, hooks: Hooks) -> bool:
    """Report a metric line; a line that only starts like one gets a note in the task's log."""
    metric = parse_metric_line(line)
    if metric is None:
        hooks.log(redact_text(f"ignored a malformed metric line (docs/runs.md, Metric lines): {line[:200]}"))
        return False
    hooks.metric(*metric)
    return True
