"""What one executing run holds in memory, and the engine's tuning knobs (not user config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crew_lsp.engine.config import EngineConfig, WorkerSettings
from crew_lsp.engine.plan import RoleInfo
from crew_lsp.engine.recorder import RunRecorder
from crew_lsp.engine.state import RunPaths
from crew_lsp.engine.workers.base import ChildLimits, Worker


@dataclass(slots=True)
class EngineOptions:
    """Timings of docs/runs.md (Workers, Heartbeats). Defaults are the documented ones; tests shorten them."""

    idle_timeout: float = 300.0
    final_grace: float = 5.0
    kill_grace: float = 3.0
    drain: float = 1.0
    log_flush_interval: float = 5.0  # a worker's output/transcript/log files are flushed this often
    heartbeat_min_gap: float = 1.0  # output touches at most this often
    progress_interval: float = 1.0  # task.progress at most once a second per task
    cancel_poll: float = 0.5  # how often a run looks for a cancel request from another process
    max_run_seconds: float | None = None  # overrides limits.maxRunMinutes (tests)
    watch_heartbeats: bool = True

    def limits(self) -> ChildLimits:
        return ChildLimits(self.idle_timeout, self.final_grace, self.kill_grace, self.drain)


@dataclass(slots=True)
class RunContext:
    folder: Path  # the workspace folder: the workers' cwd
    paths: RunPaths
    rec: RunRecorder
    cfg: EngineConfig
    settings: WorkerSettings
    worker: Worker
    options: EngineOptions
    roles: dict[str, RoleInfo]
    snapshot: Any = None  # resources snapshot (agents, skills); None → loaded on first use
    results: dict[str, str] = field(default_factory=dict)  # task id → result text (cache of results/<id>.txt)
    model_override: str | None = None
    skills_override: list[str] | None = None

    @property
    def run_id(self) -> str:
        return self.rec.manifest.run_id
