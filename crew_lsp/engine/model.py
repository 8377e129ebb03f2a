"""The records a run keeps on disk (docs/runs.md, State on disk): task state, the manifest and one event.

They are plain dataclasses with explicit ``to_dict``/``from_dict`` so the JSON on disk keeps the
camelCase names pi-crew uses, and unknown fields written by a newer version survive a round trip.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def now_iso(ts: float | None = None) -> str:
    dt = datetime.fromtimestamp(time.time() if ts is None else ts, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(slots=True)
class TaskState:
    id: str
    step_id: str
    role: str
    agent: str
    depends_on: list[str]  # step ids (or task ids) that must complete first
    status: str = "queued"
    title: str = ""
    task: str = "{goal}"  # the step's task text, before `{goal}` substitution
    output: str | None = None  # shared file name; None = no shared output
    reads: list[str] = field(default_factory=list)
    model: str | None = None
    skills: list[str] | None = None  # step `skills:`; None = not given, [] = `false`
    verify: bool = False
    parallel_group: str | None = None
    phase: str | None = None  # adaptive phase name
    started_at: str | None = None
    finished_at: str | None = None
    exit_code: int | None = None
    error: str | None = None
    usage: dict | None = None  # {input, output, cost, turns}
    heartbeat: dict | None = None  # {workerId, pid, lastSeenAt, alive}
    attempts: list[dict] = field(default_factory=list)  # {attemptId, startedAt, endedAt, error}
    checkpoint: dict | None = None  # {phase, childPid}
    result_path: str | None = None
    metrics: dict | None = None  # {name: value} from the latest attempt's metric lines (docs/runs.md)
    extra: dict = field(default_factory=dict)

    _KEYS = (
        ("id", "id"), ("step_id", "stepId"), ("role", "role"), ("agent", "agent"), ("depends_on", "dependsOn"),
        ("status", "status"), ("title", "title"), ("task", "task"), ("output", "output"), ("reads", "reads"),
        ("model", "model"), ("skills", "skills"), ("verify", "verify"), ("parallel_group", "parallelGroup"),
        ("phase", "phase"), ("started_at", "startedAt"), ("finished_at", "finishedAt"), ("exit_code", "exitCode"),
        ("error", "error"), ("usage", "usage"), ("heartbeat", "heartbeat"), ("attempts", "attempts"),
        ("checkpoint", "checkpoint"), ("result_path", "resultPath"), ("metrics", "metrics"),
    )

    def to_dict(self) -> dict:
        out = dict(self.extra)
        for attr, key in self._KEYS:
            out[key] = getattr(self, attr)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> TaskState:
        known = {key for _, key in cls._KEYS}
        kwargs = {attr: data[key] for attr, key in cls._KEYS if key in data}
        kwargs.setdefault("depends_on", [])
        kwargs.setdefault("step_id", data.get("id", ""))
        kwargs.setdefault("role", "")
        kwargs.setdefault("agent", kwargs.get("role", ""))
        task = cls(**kwargs)
        task.reads = list(task.reads or [])
        task.depends_on = list(task.depends_on or [])
        task.attempts = list(task.attempts or [])
        task.extra = {k: v for k, v in data.items() if k not in known}
        return task


@dataclass(slots=True)
class Manifest:
    run_id: str
    team: str
    workflow: str
    goal: str
    status: str = "queued"
    workspace_mode: str = "single"
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    cwd: str = ""
    paths: dict = field(default_factory=dict)
    artifacts: list[dict] = field(default_factory=list)
    runtime: dict = field(default_factory=dict)  # {kind, reason, command?}
    owner: dict = field(default_factory=dict)  # {pid, serverId, startTicks}
    summary: str | None = None
    concurrency: int = 1
    agent: str | None = None  # direct agent runs
    reason: str | None = None  # why the run stopped (cancel reason, limit, blocked message)
    extra: dict = field(default_factory=dict)

    _KEYS = (
        ("run_id", "runId"), ("team", "team"), ("workflow", "workflow"), ("goal", "goal"), ("status", "status"),
        ("workspace_mode", "workspaceMode"), ("created_at", "createdAt"), ("updated_at", "updatedAt"), ("cwd", "cwd"),
        ("paths", "paths"), ("artifacts", "artifacts"), ("runtime", "runtime"), ("owner", "owner"),
        ("summary", "summary"), ("concurrency", "concurrency"), ("agent", "agent"), ("reason", "reason"),
    )

    def to_dict(self) -> dict:
        out = {"schemaVersion": 2, **self.extra}
        for attr, key in self._KEYS:
            out[key] = getattr(self, attr)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        known = {key for _, key in cls._KEYS} | {"schemaVersion"}
        kwargs = {attr: data[key] for attr, key in cls._KEYS if key in data}
        for attr, default in (("run_id", ""), ("team", ""), ("workflow", ""), ("goal", "")):
            kwargs.setdefault(attr, default)
        m = cls(**kwargs)
        m.extra = {k: v for k, v in data.items() if k not in known}
        return m


TERMINAL_EVENTS = frozenset((
    "task.completed", "task.failed", "task.cancelled", "task.skipped",
    "run.completed", "run.failed", "run.cancelled", "run.blocked",
))


@dataclass(slots=True, frozen=True)
class RunEvent:
    """One line of events.jsonl: ``{time, type, runId, taskId?, message?, data?, metadata: {seq, …}}``."""

    time: str
    type: str
    run_id: str
    seq: int
    task_id: str | None = None
    message: str | None = None
    data: dict | None = None
    metadata: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"time": self.time, "type": self.type, "runId": self.run_id}
        if self.task_id is not None:
            out["taskId"] = self.task_id
        if self.message is not None:
            out["message"] = self.message
        if self.data is not None:
            out["data"] = self.data
        out["metadata"] = {"seq": self.seq, **{k: v for k, v in self.metadata.items() if k != "seq"}}
        return out

    @classmethod
    def from_dict(cls, data: dict) -> RunEvent:
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        return cls(
            time=str(data.get("time", "")), type=str(data.get("type", "")), run_id=str(data.get("runId", "")),
            seq=int(meta.get("seq", 0) or 0), task_id=data.get("taskId"), message=data.get("message"),
            data=data.get("data"), metadata=dict(meta),
        )
