"""What readers of runs get (the server, the CLI, listeners): frozen, typed snapshots.

`RunView` is one run (its status, manifest fields, tasks and progress), `TaskView` one task with its
heartbeat level, `RunSummary` one line of a listing, `HeartbeatChange` a level change a listener is
told about, `HeartbeatTick` the watcher's periodic word on every running task. Readers use the
attributes; `to_json()` builds the camelCase JSON that `crew.status` and `crew-lsp runs … --json`
print (docs/editor.md, Commands), and nothing else builds it.

The stored records inside (`RunView.manifest`, `TaskView.stored`) are the on-disk JSON of the moment
the view was taken, for `to_json()` to print whole; read the typed fields instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

PHASES = ("plan", "execute", "verify", "finish")


@dataclass(slots=True, frozen=True)
class Progress:
    total: int
    done: int  # tasks in a terminal state
    running: int
    counts: Mapping[str, int]  # status → tasks, statuses with none left out
    phase: int  # 1-based index into PHASES
    percentage: int

    @property
    def phase_name(self) -> str:
        return PHASES[self.phase - 1]

    @property
    def message(self) -> str:
        return f"Phase {self.phase}/{len(PHASES)} {self.phase_name}: {self.percentage}% ({self.done}/{self.total})"

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "done": self.done, "running": self.running, "counts": dict(self.counts),
                "phase": self.phase, "phases": len(PHASES), "phaseName": self.phase_name,
                "percentage": self.percentage, "message": self.message}


@dataclass(slots=True, frozen=True)
class HeartbeatChange:
    """A running task's heartbeat level changed (docs/runs.md, Heartbeats)."""

    task_id: str
    level: str  # healthy | warn | stale | dead
    staleness_ms: int | None  # since the worker's last output; None before its first


@dataclass(slots=True, frozen=True)
class HeartbeatTick:
    """One tick of a run's heartbeat watcher: the level and staleness of every running task it
    looked at (those with a heartbeat), whether or not a level changed — what keeps the staleness
    gauges exact between level changes."""

    tasks: tuple[HeartbeatChange, ...]


@dataclass(slots=True, frozen=True)
class TaskView:
    id: str
    status: str
    role: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    heartbeat_level: str | None = None  # running tasks only: healthy | warn | stale | dead
    staleness_ms: int | None = None  # running tasks of a status view: since the worker's last output
    # the task as stored (tasks.json); None in a listener's live view, which keeps to the fields above
    stored: Mapping[str, Any] | None = None
    metrics: Mapping[str, float] | None = None  # from the worker's metric lines (docs/runs.md, Metric lines)

    def to_json(self) -> dict[str, Any]:
        """The stored task (or the fields above), plus `heartbeatLevel` and `stalenessMs` while running."""
        if self.stored is not None:
            out = dict(self.stored)
        else:
            out = {"id": self.id, "status": self.status, "role": self.role, "startedAt": self.started_at,
                   "finishedAt": self.finished_at, "error": self.error, "metrics": self.metrics}
        if self.status == "running":
            out["heartbeatLevel"] = self.heartbeat_level
            out["stalenessMs"] = self.staleness_ms
        return out


@dataclass(slots=True, frozen=True)
class RunView:
    run_id: str
    status: str
    team: str
    workflow: str
    goal: str
    reason: str | None  # why the run stopped (cancel reason, limit, blocked message)
    artifacts_dir: str | None
    tasks: tuple[TaskView, ...]
    progress: Progress
    active: bool  # executing in this process now
    manifest: Mapping[str, Any]  # the manifest as stored (manifest.json)
    interrupted: bool = False  # left running by a process that is gone (docs/runs.md, Reliability)

    def to_json(self) -> dict[str, Any]:
        return {"runId": self.run_id, "manifest": dict(self.manifest), "status": self.status,
                "tasks": [t.to_json() for t in self.tasks], "progress": self.progress.to_json(),
                "active": self.active, "interrupted": self.interrupted}


@dataclass(slots=True, frozen=True)
class RunSummary:
    """One run of a listing (`crew.status` without a run id, `crew-lsp runs list`)."""

    run_id: str
    team: str
    workflow: str
    goal: str
    status: str
    created_at: str
    updated_at: str
    progress: Progress
    active: bool
    interrupted: bool

    def to_json(self) -> dict[str, Any]:
        return {"runId": self.run_id, "team": self.team, "workflow": self.workflow, "goal": self.goal,
                "status": self.status, "createdAt": self.created_at, "updatedAt": self.updated_at,
                "progress": self.progress.to_json(), "active": self.active, "interrupted": self.interrupted}


__all__ = ["PHASES", "HeartbeatChange", "HeartbeatTick", "Progress", "RunSummary", "RunView", "TaskView"]
