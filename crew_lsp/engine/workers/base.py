"""What every worker shares (docs/runs.md, Workers): the `Job` it gets, the `Hooks` it reports through,
the `WorkerResult` it returns and the `Worker` protocol. The worker modules import this module, never
their package, so the package can import them without a circle."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, Protocol

from crew_lsp.engine.prompts import Prompt


@dataclass(slots=True)
class ChildLimits:
    idle_timeout: float = 300.0  # no output for this long → kill
    final_grace: float = 5.0  # after the final assistant message, time to exit on its own
    kill_grace: float = 3.0  # SIGTERM → SIGKILL
    drain: float = 1.0  # after exit, time for pipes held by grandchildren to close


@dataclass(slots=True)
class Job:
    run_id: str
    task_id: str
    role: str
    attempt_id: str
    prompt: Prompt
    cwd: Path
    env: dict[str, str]
    limits: ChildLimits
    model: str | None = None
    thinking: str | None = None
    tools: list[str] = field(default_factory=list)
    inherit_skills: bool = False
    inherit_context: bool = False


async def _spawned(pid: int) -> None:
    return None


@dataclass(slots=True)
class Hooks:
    # awaited right after the child exists and before its output is read: the engine makes the pid
    # durable here, so a crash of this process cannot leave a worker nobody knows about
    on_spawn: Callable[[int], Awaitable[None]] = _spawned
    on_activity: Callable[[], None] = lambda: None  # any output: heartbeat + idle timer
    output: Callable[[str], None] = lambda text: None  # human-readable output → agents/<id>/output.log
    transcript: Callable[[str], None] = lambda line: None  # raw JSON stream → transcripts/<id>.jsonl
    log: Callable[[str], None] = lambda line: None  # stderr and notes → logs/<id>.log
    progress: Callable[[str], None] = lambda text: None  # short status line (coalesced task.progress)
    metric: Callable[[str, float], None] = lambda name, value: None  # one metric line (docs/runs.md, Metric lines)


@dataclass(slots=True)
class WorkerResult:
    status: str  # completed | failed
    text: str = ""
    error: str | None = None
    exit_code: int | None = None
    usage: dict | None = None
    model: str | None = None
    detail: str | None = None  # the worker's own words for a failure (stderr line, pi errorMessage)


class Worker(Protocol):
    kind: str

    async def run(self, job: Job, hooks: Hooks) -> WorkerResult: ...
