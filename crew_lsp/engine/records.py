"""The shapes of a run's files as read back from disk, checked before anything uses them.

A run folder can be damaged (a crash, a full disk, a hand edit) or planted (a cloned repository), so
readers validate instead of trusting: the engine then works on dicts of the expected types only.
Unknown fields are kept (a newer version may have written them); the types are strict, as JSON
gives them (no "4" for 4, no true for a pid).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import Required, TypedDict

from crew_lsp.engine.metric_lines import MAX_TASK_METRICS, NAME_PATTERN
from crew_lsp.engine.states import RUN_STATUSES, TASK_STATUSES

_LENIENT = ConfigDict(extra="allow", strict=True)
Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
Pid = Annotated[int, Field(gt=0)]
RunStatus = Literal[RUN_STATUSES]  # type: ignore[valid-type]
TaskStatus = Literal[TASK_STATUSES]  # type: ignore[valid-type]
MetricName = Annotated[str, Field(pattern=rf"^{NAME_PATTERN}$")]
Metrics = Annotated[dict[MetricName, Annotated[float, Field(allow_inf_nan=False)]], Field(max_length=MAX_TASK_METRICS)]


@with_config(_LENIENT)
class OwnerRecord(TypedDict, total=False):
    pid: Pid
    serverId: str
    host: str
    startTicks: int | None


@with_config(_LENIENT)
class RuntimeRecord(TypedDict, total=False):
    kind: str
    reason: str
    command: list[str]


@with_config(_LENIENT)
class RoleRecord(TypedDict, total=False):
    agent: str
    model: str | None
    skills: list[str] | None
    skillsDisabled: bool


@with_config(_LENIENT)
class ManifestRecord(TypedDict, total=False):
    runId: Required[Ident]
    status: Required[RunStatus]
    schemaVersion: int
    team: str
    workflow: str
    goal: str
    workspaceMode: str
    createdAt: str
    updatedAt: str
    cwd: str
    paths: dict[str, str]
    artifacts: list[dict]
    runtime: RuntimeRecord
    owner: OwnerRecord
    summary: str | None
    concurrency: Annotated[int, Field(ge=1)]
    agent: str | None
    reason: str | None
    # written by this engine next to the fields above, read back on resume
    roles: dict[str, RoleRecord]
    model: str | None
    claimedAt: str | None


@with_config(_LENIENT)
class AttemptRecord(TypedDict, total=False):
    attemptId: Required[str]
    startedAt: str | None
    endedAt: str | None
    error: str | None


@with_config(_LENIENT)
class TaskRecord(TypedDict, total=False):
    id: Required[Ident]
    status: Required[TaskStatus]
    stepId: str
    role: str
    agent: str
    dependsOn: list[str]
    title: str
    task: str
    output: str | None
    reads: list[str]
    model: str | None
    skills: list[str] | None
    verify: bool
    parallelGroup: str | None
    phase: str | None
    startedAt: str | None
    finishedAt: str | None
    exitCode: int | None
    error: str | None
    usage: dict | None
    heartbeat: dict | None
    attempts: list[AttemptRecord]
    checkpoint: dict | None
    resultPath: str | None
    metrics: Metrics | None


@with_config(_LENIENT)
class TasksFileRecord(TypedDict, total=False):
    tasks: Required[list[TaskRecord]]
    runId: Ident
    schemaVersion: int
    lastSeq: int


@with_config(_LENIENT)
class EventMetadata(TypedDict, total=False):
    seq: Required[Annotated[int, Field(ge=0)]]


@with_config(_LENIENT)
class EventRecord(TypedDict, total=False):
    type: Required[str]
    metadata: Required[EventMetadata]
    time: str
    runId: str
    taskId: str | None
    message: str | None
    data: dict | None


@with_config(_LENIENT)
class LockRecord(TypedDict, total=False):
    pid: Required[Pid]
    time: Required[float]
    host: str
    startTicks: int | None


MANIFEST = TypeAdapter(ManifestRecord)
TASKS = TypeAdapter(TasksFileRecord)
EVENT = TypeAdapter(EventRecord)
LOCK = TypeAdapter(LockRecord)


def problem(error: ValidationError) -> str:
    """The first thing wrong, where it is: ``tasks[3].status: Input should be 'queued', …``."""
    first = error.errors(include_url=False)[0]
    where = ""
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    if first["type"] == "json_invalid":
        return "not valid JSON"
    more = error.error_count() - 1
    return f"{where + ': ' if where else ''}{first['msg']}" + (f" (and {more} more problems)" if more else "")
