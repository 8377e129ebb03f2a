"""Heartbeats (docs/runs.md, Heartbeats): how alive a worker looks, and the watcher that acts on it.

A heartbeat is {workerId, pid, lastSeenAt, alive}, touched only by worker activity (any output line, at
most once a second) — never by a timer, or a hung worker would look healthy forever. `alive` turns false
in the same state change that ends the task. The watcher never changes a task's status: it reports
level changes, appends `crew.task.heartbeat_dead` on entering dead, and after `deadletterThreshold`
consecutive dead ticks writes one deadletter entry. Every reader takes its thresholds from
`Thresholds.configured`, so the watcher, `crew.status` and the diagnostic export always agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from crew_lsp.engine.model import now_iso, parse_iso
from crew_lsp.engine.state import pid_alive

LEVELS = ("healthy", "warn", "stale", "dead")


@dataclass(slots=True, frozen=True)
class Thresholds:
    warn_ms: int = 30_000
    stale_ms: int = 60_000
    dead_ms: int = 300_000

    @classmethod
    def configured(cls, stale_ms: int) -> Thresholds:
        """The thresholds for `limits.heartbeatStaleMs`: warn is 30 s, or half of a stale threshold
        below 30 s; dead is 300 s, or twice a stale threshold that reaches it (dead must follow stale)."""
        warn = stale_ms // 2 if stale_ms < 30_000 else 30_000
        dead = 300_000 if stale_ms < 300_000 else stale_ms * 2
        return cls(warn, stale_ms, dead)


def staleness_ms(heartbeat: dict | None, now: float) -> int | None:
    seen = parse_iso(heartbeat.get("lastSeenAt")) if isinstance(heartbeat, dict) else None
    return None if seen is None else max(0, int((now - seen) * 1000))


def level(heartbeat: dict | None, now: float, t: Thresholds = Thresholds(),
          alive_check: Callable[[int | None], bool] | None = None) -> str:
    """missing, `alive:false` or unparseable → dead; then strict `>` against dead, stale, warn."""
    if not isinstance(heartbeat, dict) or heartbeat.get("alive") is False:
        return "dead"
    seen = parse_iso(heartbeat.get("lastSeenAt"))
    if seen is None:
        return "dead"
    age = (now - seen) * 1000
    if age > t.dead_ms:
        found = "dead"
    elif age > t.stale_ms:
        found = "stale"
    elif age > t.warn_ms:
        found = "warn"
    else:
        found = "healthy"
    if found == "dead" and alive_check is not None and alive_check(heartbeat.get("pid")):
        return "stale"  # the worker process still exists: silent, not dead
    return found


def beat(worker_id: str, pid: int | None, alive: bool = True) -> dict:
    return {"workerId": worker_id, "pid": pid, "lastSeenAt": now_iso(), "alive": alive}


@dataclass(slots=True)
class HeartbeatWatcher:
    """Ticks over the running tasks of one run (the scheduler calls ``tick`` every poll interval)."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    deadletter_threshold: int = 3
    alive_check: Callable[[int | None], bool] = pid_alive
    dead_ticks: dict[str, int] = field(default_factory=dict)
    deadlettered: set[str] = field(default_factory=set)

    def tick(self, tasks: list, now: float | None = None) -> list[tuple[str, str, str, int | None]]:
        """Actions for running tasks: (taskId, level, action, stalenessMs), action in
        ``level`` (report), ``dead`` (entered dead: event + notification), ``deadletter``."""
        now = time.time() if now is None else now
        out = []
        for task in tasks:
            if task.status != "running":
                self.dead_ticks.pop(task.id, None)
                continue
            lvl = level(task.heartbeat, now, self.thresholds, self.alive_check)
            stale = staleness_ms(task.heartbeat, now)
            out.append((task.id, lvl, "level", stale))
            if lvl == "dead":
                n = self.dead_ticks.get(task.id, 0) + 1
                self.dead_ticks[task.id] = n
                if n == 1:
                    out.append((task.id, lvl, "dead", stale))
                if n >= self.deadletter_threshold and task.id not in self.deadlettered:
                    self.deadlettered.add(task.id)
                    out.append((task.id, lvl, "deadletter", stale))
            else:
                self.dead_ticks.pop(task.id, None)
        return out
