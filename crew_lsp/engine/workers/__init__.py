"""Workers run one task each (docs/runs.md, Workers). A worker gets a `Job`, reports output through `Hooks`
and returns a `WorkerResult` (workers/base.py); cancellation arrives as anyio cancellation and is
re-raised after the child process group is gone. One worker class per runtime (engine/runtimes.py)."""

from __future__ import annotations

from crew_lsp.engine.config import WorkerSettings
from crew_lsp.engine.workers.base import ChildLimits, Hooks, Job, Worker, WorkerResult
from crew_lsp.engine.workers.command import CommandWorker
from crew_lsp.engine.workers.pi import PiWorker
from crew_lsp.engine.workers.scaffold import ScaffoldWorker


def make_worker(settings: WorkerSettings) -> Worker:
    """The worker of ``settings.runtime`` (resolved by config.resolve_worker: one of RUNTIMES)."""
    match settings.runtime:
        case "pi":
            return PiWorker(settings.pi_argv)
        case "command":
            return CommandWorker(settings.command)
        case "scaffold":
            return ScaffoldWorker()
    raise ValueError(f"no worker for runtime {settings.runtime!r}")


__all__ = ["ChildLimits", "Hooks", "Job", "Worker", "WorkerResult", "make_worker"]
