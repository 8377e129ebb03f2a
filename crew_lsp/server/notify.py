"""Run notifications to the editor (docs/editor.md, Notifications): `$/progress`, `crew/*`, run-end messages.

One `Notifier` per server listens to every `RunManager` (``RunManager.add_listener``). Engine
listeners run on the event loop and must not block, so `on_update` only records the newest state
of a run and schedules a flush; the flush sends, per run, at most one `crew/runUpdate` and one
`$/progress` report every `COALESCE_S` (4 per second). The final state of a run is always sent
(the engine's `final` update arrives once everything is on disk), then `$/progress` ends and a
`window/showMessage` says how the run ended — unless the client declared
`experimental.crewRunEndMessages` (it shows the end itself, from the final `crew/runUpdate`).

`$/progress` follows the protocol exactly: a fresh uuid token per run created with
`window/workDoneProgress/create` (only when the client supports work-done progress), then
`begin` (`Run <team>/<workflow>`, `percentage: 0`, `cancellable: true`), `report`s that all carry a
percentage, and `end` with the final status. The create request is awaited behind
`asyncio.shield`: a task cancelled while pygls waits for the client's answer would leave pygls
resolving a cancelled future (a known pygls failure), so nothing ever cancels that wait.
`window/workDoneProgress/cancel` with a run's token: `run_of_token` names the run (once), and the
run service cancels it.

`crew/heartbeat` is sent on every level change (the engine only reports changes); `crew/health`
summarises the running tasks' heartbeat levels of all active runs, sent when it changes, coalesced.
Custom `crew/*` notifications go only to clients declaring `experimental.crewNotifications`
(`Session.notify_crew`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from lsprotocol import types as T

from crew_lsp.engine.deadletters import ALERT_ABOVE, ALERT_WINDOW_S

if TYPE_CHECKING:
    from crew_lsp.engine.recorder import RunUpdate
    from crew_lsp.engine.views import RunView
    from crew_lsp.server.session import Session

COALESCE_S = 0.25  # crew/runUpdate and $/progress reports: at most 4 per second per run
HEALTH_COALESCE_S = 0.25
LEVELS = ("healthy", "warn", "stale", "dead")
RUN_TERMINAL = ("completed", "failed", "cancelled", "blocked")

_MESSAGE_TYPE = {"completed": T.MessageType.Info, "cancelled": T.MessageType.Warning,
                 "blocked": T.MessageType.Warning, "failed": T.MessageType.Error}


def run_update_params(view: RunView) -> dict[str, Any]:
    """`crew/runUpdate` (docs/editor.md, Notifications): the run, its tasks with their heartbeat level and
    metrics (only tasks that have some, at most 32 each: engine/metric_lines.py), progress."""
    tasks = []
    for t in view.tasks:
        entry = {"id": t.id, "status": t.status, "role": t.role, "heartbeat": t.heartbeat_level}
        if t.metrics:
            entry["metrics"] = dict(t.metrics)
        tasks.append(entry)
    return {"runId": view.run_id, "status": view.status, "tasks": tasks, "progress": view.progress.to_json()}


class Channel:
    """What the notifier knows about one run."""

    __slots__ = ("run_id", "title", "latest", "timer", "last_sent", "token", "token_state", "last_report",
                 "tracked", "final", "finished", "held", "last_update")

    def __init__(self, run_id: str):
        self.run_id = run_id
        self.title: str | None = None
        self.latest: RunUpdate | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.last_sent = float("-inf")  # loop time of the last flush
        self.token: str | None = None
        self.token_state = "none"  # none | creating | ready | failed | ended
        self.last_report: tuple[int, str] | None = None
        self.tracked = False  # started/resumed by this server: progress and a run-end message
        self.final = False  # the engine said the run is over and on disk
        self.finished = False  # the final state went out
        self.held = False  # the request that starts the run has not been answered yet: send nothing
        self.last_update: dict[str, Any] | None = None  # the last crew/runUpdate sent (never send it twice)


class Notifier:
    def __init__(self, session: Session, is_active: Callable[[str], bool] = lambda run_id: False,
                 recent_deadletters: Callable[[], Awaitable[int]] | None = None):
        self.session = session
        self.is_active = is_active  # whether a run executes in this server now
        self.recent_deadletters = recent_deadletters  # entries on disk within the alert window
        self.channels: dict[str, Channel] = {}
        self.tokens: dict[str, str] = {}  # progress token → run id
        self.last_run: dict[str, str] | None = None
        # what the client is assumed to know at start: nothing runs (so an idle server sends nothing)
        self._health_sent: dict[str, Any] = {"activeRuns": 0, "levels": dict.fromkeys(LEVELS, 0), "worst": "healthy",
                                             "lastRun": None}
        self._health_timer: asyncio.TimerHandle | None = None
        self._health_last = float("-inf")
        self._deadletter_alerted = float("-inf")
        self._deadletter_counting = False
        self.sent: dict[str, int] = {}  # method → count (diagnostics for tests and logs)

    # ------------------------------------------------------------ plumbing

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop() if self.session.loop is None else self.session.loop

    def _crew(self, method: str, params: dict[str, Any]) -> None:
        if self.session.notify_crew(method, params):
            self.sent[method] = self.sent.get(method, 0) + 1

    def _progress(self, token: str, value: dict[str, Any]) -> None:
        self.session.notify("$/progress", {"token": token, "value": value})

    def show(self, kind: T.MessageType, message: str) -> None:
        from crew_lsp.server.errors import redact as _redact

        try:
            self.session.notify("window/showMessage", {"type": int(kind), "message": _redact(message)})
        except Exception as exc:  # the client went away
            self.session.log_error("window/showMessage failed", exc)

    def _channel(self, run_id: str) -> Channel:
        ch = self.channels.get(run_id)
        if ch is None:
            ch = self.channels[run_id] = Channel(run_id)
        return ch

    # ------------------------------------------------------------ engine listener

    def on_update(self, update: RunUpdate) -> None:
        """`RunManager` listener: record, schedule; never blocks, never raises."""
        try:
            self._on_update(update)
        except Exception as exc:
            self.session.log_error("run notification failed", exc)

    def _on_update(self, update: RunUpdate) -> None:
        if update.heartbeats is not None and update.event is None and update.heartbeat is None and not update.final:
            return  # a watcher tick: figures for metrics, nothing an editor would see change
        ch = self.channels.get(update.run_id)
        if ch is None:
            if update.final or (update.status in RUN_TERMINAL and update.event is None):
                return  # a run this server never saw running (e.g. cancelled on disk): nothing to show
            ch = self._channel(update.run_id)
        if ch.finished and not update.final:  # resumed after its end: a new life
            self._reopen(ch)
        ch.latest = update
        hb = update.heartbeat
        if hb is not None and not ch.held:
            self._crew("crew/heartbeat", {"runId": update.run_id, "taskId": hb.task_id, "level": hb.level,
                                          "stalenessMs": hb.staleness_ms})
        if update.event is not None and update.event.type == "crew.task.deadletter":
            self._deadletter()
        if update.final:
            ch.final = True
            self.last_run = {"runId": update.run_id, "status": update.status}
        self._schedule(ch)
        self._health_changed()

    def _reopen(self, ch: Channel) -> None:
        ch.finished = ch.final = False
        ch.tracked = False
        ch.token = None
        ch.token_state = "none"
        ch.last_report = None
        ch.last_update = None

    # ------------------------------------------------------------ progress of runs started here

    def hold(self, run_id: str) -> None:
        """Send nothing about ``run_id`` until `release`: the request starting it is answered first."""
        self._channel(run_id).held = True

    def release(self, run_id: str) -> None:
        ch = self.channels.get(run_id)
        if ch is None or not ch.held:
            return
        ch.held = False
        if ch.latest is None and not ch.tracked:  # the run was never created (refused plan)
            del self.channels[run_id]
            return
        self._start_progress(ch)
        self._schedule(ch)
        self._health_changed()

    def track(self, run_id: str, title: str) -> None:
        """A run this server started (or resumed): `$/progress` and a message at its end."""
        ch = self._channel(run_id)
        if ch.finished:
            self._reopen(ch)
        ch.tracked = True
        ch.title = title
        self._start_progress(ch)
        self._schedule(ch)

    def _start_progress(self, ch: Channel) -> None:
        if ch.held or not ch.tracked or not self.session.client.progress or ch.token_state not in ("none", "ended", "failed"):
            return
        ch.token = str(uuid.uuid4())
        ch.token_state = "creating"
        self.session.spawn(self._create(ch, ch.token))

    async def _create(self, ch: Channel, token: str) -> None:
        request = self.session.request(T.WINDOW_WORK_DONE_PROGRESS_CREATE,
                                                      T.WorkDoneProgressCreateParams(token=token))
        try:
            # never cancelled while the client answers (pygls would resolve a cancelled future)
            await asyncio.shield(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the client refused the token: no progress for this run
            if ch.token == token:
                ch.token_state = "failed"
            self.session.log(f"crew-lsp: window/workDoneProgress/create refused: {exc}")
            self._maybe_drop(ch)
            return
        if ch.token != token:
            return
        ch.token_state = "ready"
        self.tokens[token] = ch.run_id
        self._progress(token, {"kind": "begin", "title": f"Run {ch.title}", "cancellable": True, "percentage": 0,
                               "message": "starting"})
        ch.last_report = (0, "starting")
        self._schedule(ch)  # crew/runUpdate waited for this begin

    def _send_progress(self, ch: Channel) -> None:
        if ch.token_state != "ready" or ch.token is None or ch.latest is None:
            return
        progress = ch.latest.progress
        report = (max(0, min(100, int(progress.percentage))), progress.message)
        if ch.final and report[0] < 100 and progress.done >= progress.total:
            report = (100, report[1])
        if report != ch.last_report and (ch.final or progress.phase > 1):  # begin already said "starting", 0 %
            ch.last_report = report
            self._progress(ch.token, {"kind": "report", "percentage": report[0], "message": report[1]})
        if ch.final:
            self._progress(ch.token, {"kind": "end", "message": self._end_message(ch)})
            self.tokens.pop(ch.token, None)
            ch.token_state = "ended"

    def run_of_token(self, token: Any) -> str | None:
        """The run whose `$/progress` uses ``token``, once (a second cancel of the token names none)."""
        return self.tokens.pop(str(token), None)

    # ------------------------------------------------------------ coalesced flushes

    def _schedule(self, ch: Channel) -> None:
        if ch.timer is not None or ch.held:
            return
        delay = max(0.0, ch.last_sent + COALESCE_S - self.loop.time())
        ch.timer = self.loop.call_later(delay, self._flush, ch)

    def _flush(self, ch: Channel) -> None:
        ch.timer = None
        try:
            self._flush_now(ch)
        except Exception as exc:
            self.session.log_error("run notification failed", exc)

    def _flush_now(self, ch: Channel) -> None:
        update = ch.latest
        if update is None or ch.finished or ch.held or ch.token_state == "creating":
            return  # a tracked run's updates wait for its `$/progress` begin
        ch.last_sent = self.loop.time()
        if self.session.client.crew_notifications:
            params = run_update_params(update.view())
            if params != ch.last_update:
                ch.last_update = params
                self._crew("crew/runUpdate", params)
        self._send_progress(ch)
        if not ch.final and not ch.tracked and update.status in RUN_TERMINAL and not self.is_active(ch.run_id):
            ch.finished = True  # a run of another process changed on disk (e.g. cancelled): shown, not followed
        if ch.final:
            ch.finished = True
            if ch.tracked and not self.session.client.crew_run_end_messages:
                status = update.status
                self.show(_MESSAGE_TYPE.get(status, T.MessageType.Info), self._end_message(ch, long=True))
            self._health_changed()
        self._maybe_drop(ch)

    def _maybe_drop(self, ch: Channel) -> None:
        if ch.finished and ch.token_state != "creating" and ch.timer is None:
            if self.channels.get(ch.run_id) is ch:
                del self.channels[ch.run_id]

    def flush_all(self) -> None:
        """Send every pending state now (shutdown)."""
        for ch in list(self.channels.values()):
            if ch.timer is not None:
                ch.timer.cancel()
                self._flush(ch)
        if self._health_timer is not None:
            self._health_timer.cancel()
            self._send_health()

    def _end_message(self, ch: Channel, long: bool = False) -> str:
        update = ch.latest
        if update is None:
            return "ended"
        p = update.progress
        counts = ", ".join(f"{n} {s}" for s, n in sorted(p.counts.items()) if n)
        text = f"{update.status} ({p.done}/{p.total} tasks" + (f": {counts})" if counts else ")")
        if not long:
            return text
        detail = ""
        if update.status != "completed":
            for task in update.view().tasks:
                if task.error and task.status in ("failed", "cancelled", "skipped"):
                    detail = f" — {task.id}: {task.error}"
                    break
        return f"crew run {ch.title or ''} {text}{detail} [{ch.run_id}]".replace("  ", " ")

    # ------------------------------------------------------------ health and alerts

    def health(self) -> dict[str, Any]:
        """Active runs and the heartbeat levels of their running tasks, from each run's current view
        (so the level counts always add up to the running tasks)."""
        levels = dict.fromkeys(LEVELS, 0)
        active = 0
        for ch in self.channels.values():
            if ch.final or ch.finished or ch.held or ch.latest is None or not self.is_active(ch.run_id):
                continue
            active += 1
            for task in ch.latest.view().tasks:
                if task.status == "running":
                    level = task.heartbeat_level or "healthy"
                    levels[level if level in levels else "dead"] += 1
        worst = next((lv for lv in reversed(LEVELS) if levels[lv]), "healthy")
        return {"activeRuns": active, "levels": levels, "worst": worst, "lastRun": self.last_run}

    def _health_changed(self) -> None:
        """Schedule a coalesced crew/health; it is computed and compared when the timer fires."""
        if not self.session.client.crew_notifications or self._health_timer is not None:
            return
        delay = max(0.0, self._health_last + HEALTH_COALESCE_S - self.loop.time())
        self._health_timer = self.loop.call_later(delay, self._send_health)

    def _send_health(self) -> None:
        self._health_timer = None
        try:
            health = self.health()
            if health == self._health_sent:
                return
            self._health_sent = health
            self._health_last = self.loop.time()
            self._crew("crew/health", health)
        except Exception as exc:
            self.session.log_error("crew/health failed", exc)

    def _deadletter(self) -> None:
        """A deadletter was written: count the entries on disk (every process's) and alert at most hourly."""
        now = time.monotonic()
        if self.recent_deadletters is None or self._deadletter_counting or now - self._deadletter_alerted < ALERT_WINDOW_S:
            return
        self._deadletter_counting = True
        self.session.spawn(self._count_deadletters())

    async def _count_deadletters(self) -> None:
        try:
            count = await self.recent_deadletters()
        finally:
            self._deadletter_counting = False
        if count > ALERT_ABOVE and time.monotonic() - self._deadletter_alerted >= ALERT_WINDOW_S:
            self._deadletter_alerted = time.monotonic()
            self.show(T.MessageType.Error, f"crew: {count} tasks went to the deadletter queue in the last hour "
                                           "(see crew.status and the runs' deadletter.jsonl)")


__all__ = ["Notifier", "Channel", "COALESCE_S"]
