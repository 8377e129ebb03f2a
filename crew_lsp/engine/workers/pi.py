"""The `pi` runtime: one `pi --mode json -p` child per task (docs/runs.md, Workers).

Metric lines (docs/runs.md, Metric lines) are read from the text of every assistant message and
left out of the answer.

The answer is the **last assistant `message_end`**: `pi` exits 0 even when the model call failed,
so `stopReason: "error"`, a missing final message or a signal-killed child fail the task — unless
we ourselves killed it after the final message, in which case the answer stands.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import anyio

from crew_lsp.engine.metric_lines import split_metric_lines
from crew_lsp.engine.workers.base import Hooks, Job, WorkerResult
from crew_lsp.engine.workers.process import ChildProcess
from crew_lsp.resources.jsonread import loads
from crew_lsp.telemetry.redact import redact, redact_text

PROMPT_ARG_LIMIT = 8000
_FINAL_STOPS = frozenset(("stop", "length", "error", "aborted"))


def _text_of(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict) and c.get("type") == "text")
    return ""


class PiStream:
    """Reads the JSON-lines stream: transcript, progress, the final answer and summed usage."""

    def __init__(self, hooks: Hooks, child: ChildProcess | None = None):
        self.hooks = hooks
        self.child = child
        self.final: dict | None = None
        self.usage = {"input": 0, "output": 0, "cost": 0.0, "turns": 0}
        self.model: str | None = None
        self.saw_agent_end = False

    def feed(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line:
            return
        try:
            event = loads(line)
        except ValueError:
            self.hooks.log(redact_text(line))
            return
        if not isinstance(event, dict):
            return
        self.hooks.transcript(json.dumps(redact(event), ensure_ascii=False))
        kind = event.get("type")
        if kind == "message_update":
            delta = event.get("assistantMessageEvent") or {}
            if isinstance(delta, dict) and delta.get("type") == "text_delta" and isinstance(delta.get("delta"), str):
                self.hooks.output(delta["delta"])
        elif kind == "tool_execution_start":
            name = event.get("toolName") or "tool"
            self.hooks.progress(f"running tool {name}")
            self.hooks.output(f"\n[tool {name}]\n")
        elif kind == "message_end":
            message = event.get("message")
            if isinstance(message, dict) and message.get("role") == "assistant":
                self._assistant_end(message)
        elif kind == "agent_end":
            self.saw_agent_end = True
            if self.child is not None:
                self.child.final_seen()
        elif kind == "auto_retry_start" or (kind == "compaction_start" and event.get("reason") == "overflow"):
            # pi itself retries the failed call (its default on 429/5xx/connection errors) or
            # compacts and retries after a context overflow: the error message and the
            # agent_end before this were not the end, so the final-grace clock stops
            self.saw_agent_end = False
            self.hooks.progress(f"pi retrying: {event.get('errorMessage') or event.get('reason') or 'error'}")
            if self.child is not None:
                self.child.final_withdrawn()

    def _assistant_end(self, message: dict) -> None:
        self.final = message
        usage = message.get("usage") if isinstance(message.get("usage"), dict) else {}
        cost = usage.get("cost")
        self.usage["input"] += int(usage.get("input") or 0)
        self.usage["output"] += int(usage.get("output") or 0)
        self.usage["cost"] += float(cost.get("total") or 0) if isinstance(cost, dict) else float(cost or 0)
        self.usage["turns"] += 1
        if isinstance(message.get("model"), str) and message["model"]:
            # real pi splits the id: {"provider": "fake", "model": "fake-model"}; record the
            # `provider/model` form that `--model` and agent files use
            model, provider = message["model"], message.get("provider")
            if isinstance(provider, str) and provider and not model.startswith(f"{provider}/"):
                model = f"{provider}/{model}"
            self.model = model
        text, metrics = split_metric_lines(_text_of(message))
        for name, value in metrics.items():
            self.hooks.metric(name, value)
        text = text.strip()
        if text:  # redacted before it is cut: a cut secret no longer looks like one
            self.hooks.progress(redact_text(text.splitlines()[-1])[:120])
        if message.get("stopReason") in _FINAL_STOPS and self.child is not None:
            self.child.final_seen()


class PiWorker:
    kind = "pi"

    def __init__(self, pi_argv: tuple[str, ...]):
        self.pi_argv = pi_argv

    def argv(self, job: Job, tmp: Path) -> list[str]:
        args = [*self.pi_argv, "--mode", "json", "-p", "--no-session"]
        if job.model:
            model = job.model
            if job.thinking and ":" not in model.rsplit("/", 1)[-1]:
                model = f"{model}:{job.thinking}"
            args += ["--model", model]
        if job.tools:
            args += ["--tools", ",".join(job.tools)]
        if not job.inherit_skills:
            args.append("--no-skills")
        for skill in job.prompt.skills:
            if skill.path:
                args += ["--skill", skill.path]
        if not job.inherit_context:
            args.append("--no-context-files")
        if job.prompt.system:
            system_file = tmp / "system.md"
            _write_private(system_file, job.prompt.system)
            flag = "--append-system-prompt" if job.prompt.system_mode == "append" else "--system-prompt"
            args += [flag, str(system_file)]
        task = f"Task: {job.prompt.user}"
        if len(task) > PROMPT_ARG_LIMIT:
            task_file = tmp / "task.md"
            _write_private(task_file, task)
            args.append(f"@{task_file}")
        else:
            args.append(task)
        return args

    async def run(self, job: Job, hooks: Hooks) -> WorkerResult:
        tmp = Path(await anyio.to_thread.run_sync(lambda: tempfile.mkdtemp(prefix="crew-pi-")))
        try:
            argv = await anyio.to_thread.run_sync(self.argv, job, tmp)
            stream = PiStream(hooks)
            child = ChildProcess(
                argv, env=job.env, cwd=job.cwd, limits=job.limits, on_stdout=stream.feed,
                on_stderr=lambda b: hooks.log(redact_text(b.decode("utf-8", "replace"))),
                on_spawn=hooks.on_spawn, on_activity=hooks.on_activity,
            )
            stream.child = child
            outcome = await child.run()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(lambda: shutil.rmtree(tmp, ignore_errors=True))
        usage = stream.usage if stream.usage["turns"] else None
        final = stream.final
        base = dict(exit_code=outcome.returncode, usage=usage, model=stream.model)
        if outcome.timed_out:
            return WorkerResult("failed", error=f"no output for {job.limits.idle_timeout:g} s: worker killed", **base)
        if final is None:
            how = f"killed by signal {outcome.signal}" if outcome.signal else f"exit code {outcome.returncode}"
            return WorkerResult("failed", error=f"pi ended without a final assistant message ({how})", **base)
        text = split_metric_lines(_text_of(final))[0]
        stop = final.get("stopReason")
        if stop in ("error", "aborted"):
            msg = final.get("errorMessage") or f"stopReason {stop}"
            return WorkerResult("failed", text=text, error=f"model call failed: {msg}", detail=msg, **base)
        if stop == "toolUse":  # the last turn asked for a tool and never got to answer
            how = f"killed by signal {outcome.signal}" if outcome.signal else f"exit code {outcome.returncode}"
            return WorkerResult("failed", text=text, error=f"pi ended in the middle of a tool call ({how})", **base)
        if not outcome.killed_after_final:
            if outcome.signal:
                return WorkerResult("failed", text=text, error=f"pi was killed by signal {outcome.signal}", **base)
            if outcome.returncode not in (0, None):
                return WorkerResult("failed", text=text, error=f"pi exited with code {outcome.returncode}", **base)
        return WorkerResult("completed", text=text, **base)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
