"""Engine events → metric calls (docs/telemetry.md, Where the figures come from).

`MetricsListener(metrics)` is a `RunManager.add_listener` callback. It turns each durable event of a
run into the `CrewMetrics` call for what just happened, so every figure is produced by the engine
at the moment it happened and nothing is re-read from files:

- `run.running` → the run is active; `run.completed|failed|cancelled|blocked` → `crew_runs_total`,
  `crew_run_duration_seconds{team}` (from `run.running` to the end; the team comes from `run.created`,
  or from `run.running` for a run resumed in this session);
- `task.started` → the attempt's start time; `task.completed|failed|cancelled|skipped` →
  `crew_tasks_total`, `crew_task_duration_seconds` (that attempt's start to the end; a task that never
  started has no duration) and `crew_task_tokens` when the event's data carries `usage`;
- `crew.task.retry_attempt` → one retry attempt (the task goes back to `queued`, not counted as ended);
- `crew.task.deadletter` → one deadletter, once per entry;
- `crew.task.metric` → `crew_task_metric{name}` set to each value it carries (names capped);
- heartbeat level changes and watcher ticks → `crew_heartbeat_level{level}` and
  `crew_heartbeat_max_staleness_seconds` over the running tasks (a task counts as `healthy` from its
  start until the watcher says otherwise; each tick brings every watched task's staleness).

`replay(events)` feeds stored events through a fresh listener: the figures of runs this session
never executed (`crew-lsp metrics`, the diagnostic export).

One listener per session, added to every RunManager of that session: its state is keyed by run id,
and the heartbeat gauges are computed over all the runs it sees. Listeners run on the event loop, so
each call does O(1) work (O(running tasks) on a heartbeat change).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from crew_lsp.engine.metric_lines import valid_metric
from crew_lsp.engine.model import RunEvent, parse_iso
from crew_lsp.engine.recorder import RunUpdate
from crew_lsp.engine.views import HeartbeatChange, Progress, RunView
from crew_lsp.telemetry.metrics import CrewMetrics

_RUN_ENDS = frozenset(("run.completed", "run.failed", "run.cancelled", "run.blocked"))
_TASK_ENDS = frozenset(("task.completed", "task.failed", "task.cancelled", "task.skipped"))


class _Run:
    __slots__ = ("team", "started")

    def __init__(self) -> None:
        self.team: str | None = None
        self.started: float | None = None


def _tokens(data: dict) -> int | None:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return None
    total = 0
    for key in ("input", "output"):
        value = usage.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            total += int(value)
    return total if any(key in usage for key in ("input", "output")) else None


class MetricsListener:
    def __init__(self, metrics: CrewMetrics):
        self.metrics = metrics
        self._runs: dict[str, _Run] = {}
        self._task_started: dict[tuple[str, str], float] = {}
        self._levels: dict[tuple[str, str], tuple[str, float]] = {}  # running task → (level, staleness s)
        self._level_counts: Counter[str] = Counter()
        self._handlers = {
            "run.created": self._run_created, "run.running": self._run_running, "task.started": self._task_start,
            "crew.task.retry_attempt": self._retry, "crew.task.deadletter": self._deadletter,
            "crew.task.metric": self._task_metric,
            **{kind: self._run_end for kind in _RUN_ENDS}, **{kind: self._task_end for kind in _TASK_ENDS},
        }

    def __call__(self, update: RunUpdate) -> None:
        event = update.event
        if event is not None:
            handler = self._handlers.get(event.type)
            if handler is not None:
                handler(update.run_id, event, event.data if isinstance(event.data, dict) else {})
        if update.heartbeat is not None:
            self._heartbeat(update.run_id, update.heartbeat)
            self._publish_levels()
        if update.heartbeats is not None:
            for change in update.heartbeats.tasks:
                self._heartbeat(update.run_id, change)
            self._publish_levels()
        if update.final:
            self._forget(update.run_id)

    # --- runs -----------------------------------------------------------------------------------

    def _run(self, run_id: str) -> _Run:
        run = self._runs.get(run_id)
        if run is None:
            run = self._runs[run_id] = _Run()
        return run

    def _run_created(self, run_id: str, event: RunEvent, data: dict) -> None:
        team = data.get("team")
        self._run(run_id).team = team if isinstance(team, str) else None

    def _run_running(self, run_id: str, event: RunEvent, data: dict) -> None:
        run = self._run(run_id)
        team = data.get("team")
        if isinstance(team, str):
            run.team = team
        run.started = parse_iso(event.time)
        self.metrics.run_started(run_id)

    def _run_end(self, run_id: str, event: RunEvent, data: dict) -> None:
        run = self._runs.get(run_id) or _Run()
        end = parse_iso(event.time)
        seconds = end - run.started if end is not None and run.started is not None else None
        self.metrics.run_ended(run_id, event.type.split(".", 1)[1], run.team, seconds)
        run.started = None  # a run resumed later in this session is timed from its new start

    def _forget(self, run_id: str) -> None:
        """The run stopped executing here: drop what was kept for it."""
        self._runs.pop(run_id, None)
        self.metrics.run_left(run_id)
        for key in [k for k in self._task_started if k[0] == run_id]:
            del self._task_started[key]
        stale = [k for k in self._levels if k[0] == run_id]
        for key in stale:
            self._drop_level(key)
        if stale:
            self._publish_levels()

    # --- tasks ----------------------------------------------------------------------------------

    def _task_start(self, run_id: str, event: RunEvent, data: dict) -> None:
        if event.task_id is None:
            return
        key = (run_id, event.task_id)
        started = parse_iso(event.time)
        if started is not None:
            self._task_started[key] = started
        self._set_level(key, "healthy", 0.0)
        self._publish_levels()

    def _task_end(self, run_id: str, event: RunEvent, data: dict) -> None:
        key = (run_id, event.task_id or "")
        started = self._task_started.pop(key, None)
        end = parse_iso(event.time)
        seconds = end - started if started is not None and end is not None else None
        status = data.get("status") if isinstance(data.get("status"), str) else event.type.split(".", 1)[1]
        role = data.get("role") if isinstance(data.get("role"), str) else None
        self.metrics.task_ended(status, role, seconds, _tokens(data))
        if key in self._levels:
            self._drop_level(key)
            self._publish_levels()

    def _retry(self, run_id: str, event: RunEvent, data: dict) -> None:
        key = (run_id, event.task_id or "")
        self._task_started.pop(key, None)  # the next attempt has its own task.started
        self.metrics.retry()
        if key in self._levels:
            self._drop_level(key)
            self._publish_levels()

    def _deadletter(self, run_id: str, event: RunEvent, data: dict) -> None:
        reason = data.get("reason")
        self.metrics.deadletter(reason if isinstance(reason, str) else "unknown")

    def _task_metric(self, run_id: str, event: RunEvent, data: dict) -> None:
        metrics = data.get("metrics")
        if not isinstance(metrics, dict):
            return
        for name, value in metrics.items():
            if valid_metric(name, value):  # a stored event may be damaged or planted
                self.metrics.task_metric_value(name, float(value))

    # --- heartbeats -----------------------------------------------------------------------------

    def _heartbeat(self, run_id: str, change: HeartbeatChange) -> None:
        """Record one task's level and staleness (published by the caller, once per update)."""
        staleness = change.staleness_ms
        seconds = staleness / 1000.0 if staleness is not None and staleness >= 0 else 0.0
        self._set_level((run_id, change.task_id), change.level, seconds)

    def _set_level(self, key: tuple[str, str], level: str, staleness: float) -> None:
        if key in self._levels:
            self._drop_level(key)
        self._levels[key] = (level, staleness)
        self._level_counts[level] += 1

    def _drop_level(self, key: tuple[str, str]) -> None:
        level, _ = self._levels.pop(key)
        self._level_counts[level] -= 1

    def _publish_levels(self) -> None:
        worst = max((staleness for _, staleness in self._levels.values()), default=0.0)
        self.metrics.heartbeat_levels(self._level_counts, worst)


_NO_PROGRESS = Progress(0, 0, 0, {}, 4, 100)


def _no_view() -> RunView:
    raise RuntimeError("a replayed update has no live run to view")


def replay(events: Iterable[RunEvent], metrics: CrewMetrics | None = None) -> CrewMetrics:
    """The figures of stored events (oldest first, runs interleaved or not) in ``metrics`` (a fresh
    registry when None): every run counts as no longer executing here once its events are fed."""
    metrics = CrewMetrics() if metrics is None else metrics
    listen = MetricsListener(metrics)
    runs: dict[str, None] = {}  # the run ids, in order
    for event in events:
        runs[event.run_id] = None
        listen(RunUpdate(event.run_id, "", event, _NO_PROGRESS, _no_view))
    for run_id in runs:
        listen(RunUpdate(run_id, "", None, _NO_PROGRESS, _no_view, final=True))
    return metrics
