"""The metrics of one server or CLI session (docs/telemetry.md): a `CrewMetrics` owns its own
`prometheus_client.CollectorRegistry` — never the process-wide default — so two sessions in one
process never see each other's figures.

The engine and the server call the methods below at the moment things happen (a task ends, a run
ends, a retry is scheduled, …); nothing is derived later from files. Label values are bounded: no
run or task ids ever become labels, and the open-ended ones (role, team, LSP method) fold into
``other`` once `LABEL_CAP` distinct values have been seen, so a 10,000-run day cannot grow the
registry without bound. Label values pass through the redactor once, when first seen, so a secret
that found its way into a role name never reaches the exposition or the JSONL sink.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from crew_lsp.telemetry.redact import redact_text

LABEL_CAP = 50  # distinct values per open-ended label before folding into `other`
TASK_METRIC_NAME_CAP = 50  # distinct `crew_task_metric` names; values of later names are counted as dropped
LABEL_MAX_CHARS = 80
OTHER = "other"

RUN_STATUSES = ("completed", "failed", "cancelled", "blocked")
TASK_STATUSES = ("completed", "failed", "cancelled", "skipped")
DEADLETTER_REASONS = ("max-retries", "not-retryable", "heartbeat-dead", "manual")
HEARTBEAT_LEVELS = ("healthy", "warn", "stale", "dead")

# Bucket bounds in base units, chosen for what they measure (a scaffold task takes milliseconds,
# a model task minutes, a run up to hours).
RUN_SECONDS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)
TASK_SECONDS = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
TASK_TOKENS = (100, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000)
REQUEST_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class BoundedLabel:
    """The values one label may take: a fixed set (anything else is `other`), or an open set that
    keeps the first `cap` distinct values and folds the rest into `other`. Thread-safe: the server
    times requests on its loop while a CLI session may record from worker threads."""

    def __init__(self, known: Iterable[str] = (), cap: int = LABEL_CAP):
        self._fixed = frozenset(known)
        self._cap = cap
        self._seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, value: object) -> str:
        text = str(value) if value is not None else ""
        if self._fixed:
            return text if text in self._fixed else OTHER
        folded = self._seen.get(text)
        if folded is not None:
            return folded
        with self._lock:
            if text in self._seen:
                return self._seen[text]
            if len(self._seen) >= self._cap:
                return OTHER  # not remembered either: the map stays bounded by the cap
            clean = redact_text(text)[:LABEL_MAX_CHARS] or "unknown"
            self._seen[text] = clean
            return clean


class CrewMetrics:
    """The full metric set, in one private registry. Every method is cheap and never raises on odd
    input (a negative duration is dropped, an unknown status counts as `other`)."""

    def __init__(self, *, label_cap: int = LABEL_CAP, task_metric_cap: int = TASK_METRIC_NAME_CAP):
        self.registry = CollectorRegistry(auto_describe=True)
        self.started_at = time.time()  # the start of every cumulative series of this session
        r = self.registry
        self._run_status = BoundedLabel(RUN_STATUSES)
        self._task_status = BoundedLabel(TASK_STATUSES)
        self._reason = BoundedLabel(DEADLETTER_REASONS)
        self._level = BoundedLabel(HEARTBEAT_LEVELS)
        self._team = BoundedLabel(cap=label_cap)
        self._role = BoundedLabel(cap=label_cap)
        self._method = BoundedLabel(cap=label_cap)
        self.runs_total = Counter("crew_runs", "Runs that ended, by final status.", ["status"], registry=r)
        self.run_duration = Histogram("crew_run_duration_seconds", "Wall time of runs that ended, by team.", ["team"],
                                      buckets=RUN_SECONDS, registry=r)
        self.tasks_total = Counter("crew_tasks", "Tasks that ended, by final status and role.", ["status", "role"],
                                   registry=r)
        self.task_duration = Histogram("crew_task_duration_seconds",
                                       "Duration of the attempt that ended a task (start to end), by role.", ["role"],
                                       buckets=TASK_SECONDS, registry=r)
        self.task_tokens = Histogram("crew_task_tokens", "Model tokens (input + output) of tasks that reported usage, by role.",
                                     ["role"], buckets=TASK_TOKENS, registry=r)
        self.retry_attempts = Counter("crew_task_retry_attempts", "Failed attempts that were scheduled for a retry.",
                                      registry=r)
        self.deadletters = Counter("crew_task_deadletter", "Deadletter entries written, by reason.", ["reason"], registry=r)
        self.heartbeat_level = Gauge("crew_heartbeat_level", "Running tasks per heartbeat level.", ["level"], registry=r)
        self.max_staleness = Gauge("crew_heartbeat_max_staleness_seconds",
                                   "Largest heartbeat staleness among running tasks, as of the last watcher tick.",
                                   registry=r)
        self.task_metric = Gauge("crew_task_metric", "The last value a task reported in a metric line, by metric name.",
                                 ["name"], registry=r)
        self.task_metric_dropped = Counter(
            "crew_task_metric_dropped",
            f"Metric line values not exported because their name came after the first {task_metric_cap} distinct names.",
            registry=r)
        self._task_metric_cap = task_metric_cap
        self._task_metric_names: dict[str, Any] = {}  # name → gauge child, bounded by the cap
        self._task_metric_lock = threading.Lock()
        self.active_runs = Gauge("crew_active_runs", "Runs executing in this session.", registry=r)
        self.request_seconds = Histogram("crew_lsp_request_seconds", "Time spent in LSP request and notification handlers.",
                                         ["method"], buckets=REQUEST_SECONDS, registry=r)
        self.open_documents = Gauge("crew_lsp_documents", "Documents open in the editor.", registry=r)
        # every level is present, at 0, from the start; the children are kept (labels() costs a lock)
        self._levels = {level: self.heartbeat_level.labels(level) for level in HEARTBEAT_LEVELS}
        self._published_levels: dict[str, float] = dict.fromkeys(HEARTBEAT_LEVELS, 0)
        for child in self._levels.values():
            child.set(0)
        self.retry_attempts.inc(0)
        self.task_metric_dropped.inc(0)
        self._children: dict[tuple, Any] = {}  # (metric name, label values) → child; bounded like the labels
        self._active: set[str] = set()
        self._active_lock = threading.Lock()

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    # --- runs -----------------------------------------------------------------------------------

    def run_started(self, run_id: str) -> None:
        """A run began executing here (new, resumed or recovered). The id is only kept to make the
        active-run gauge idempotent; it never becomes a label."""
        with self._active_lock:
            self._active.add(run_id)
            self.active_runs.set(len(self._active))

    def run_ended(self, run_id: str, status: str, team: str | None, seconds: float | None) -> None:
        """A run reached a final status; ``seconds`` is its wall time (None when unknown)."""
        with self._active_lock:
            self._active.discard(run_id)
            self.active_runs.set(len(self._active))
        self._child(self.runs_total, self._run_status(status)).inc()
        if seconds is not None and seconds >= 0:
            self._child(self.run_duration, self._team(team or "unknown")).observe(seconds)

    def run_left(self, run_id: str) -> None:
        """A run stopped executing here without a final status of its own making (no count)."""
        with self._active_lock:
            self._active.discard(run_id)
            self.active_runs.set(len(self._active))

    # --- tasks ----------------------------------------------------------------------------------

    def task_ended(self, status: str, role: str | None, seconds: float | None = None, tokens: int | None = None) -> None:
        """A task reached a final status. ``seconds``: the attempt that ended it (None for a task
        that never started, a skipped one); ``tokens``: input + output when the worker reported usage."""
        role_label = self._role(role or "unknown")
        self._child(self.tasks_total, self._task_status(status), role_label).inc()
        if seconds is not None and seconds >= 0:
            self._child(self.task_duration, role_label).observe(seconds)
        if tokens is not None and tokens >= 0:
            self._child(self.task_tokens, role_label).observe(tokens)

    def retry(self) -> None:
        self.retry_attempts.inc()

    def task_metric_value(self, name: str, value: float) -> None:
        """A task reported ``name=value`` (docs/runs.md, Metric lines). The first `task_metric_cap`
        distinct names get a series each (redacted when first seen); a value of any later name is
        counted in `crew_task_metric_dropped_total` instead of growing the registry."""
        child = self._task_metric_names.get(name)
        if child is None:
            with self._task_metric_lock:
                child = self._task_metric_names.get(name)
                if child is None:
                    if len(self._task_metric_names) >= self._task_metric_cap:
                        self.task_metric_dropped.inc()
                        return
                    label = redact_text(name)[:LABEL_MAX_CHARS] or "unknown"
                    child = self._task_metric_names[name] = self.task_metric.labels(label)
        child.set(value)

    def deadletter(self, reason: str) -> None:
        self._child(self.deadletters, self._reason(reason)).inc()

    def heartbeat_levels(self, counts: Mapping[str, int], max_staleness_seconds: float) -> None:
        """The running tasks per level now (levels not given are 0) and the largest staleness."""
        for level, child in self._levels.items():
            count = counts.get(level, 0)
            if self._published_levels.get(level) != count:  # most changes move one task between two levels
                self._published_levels[level] = count
                child.set(count)
        self.max_staleness.set(max(0.0, max_staleness_seconds))

    # --- the language server ----------------------------------------------------------------------

    def request(self, method: str, seconds: float) -> None:
        """One LSP request or notification handled in ``seconds``."""
        if seconds >= 0:
            self._child(self.request_seconds, self._method(method)).observe(seconds)

    def documents(self, count: int) -> None:
        self.open_documents.set(max(0, count))
