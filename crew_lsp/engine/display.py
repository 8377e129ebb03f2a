"""What the terminal shows while a run executes: a live rich view on a TTY, plain lines otherwise.

Both are fed the same way: `update(view)` with the manager's status view (a `RunView`), a few times a
second, and `event(update)` for each durable event. rich is imported only when a live view is drawn.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from crew_lsp.engine.model import parse_iso

if TYPE_CHECKING:
    from crew_lsp.engine.recorder import RunUpdate
    from crew_lsp.engine.views import RunView, TaskView

_STYLE = {"queued": "dim", "running": "bold cyan", "waiting": "yellow", "completed": "green", "failed": "bold red",
          "cancelled": "magenta", "skipped": "yellow"}
_SHOWN_EVENTS = ("task.started", "task.completed", "task.failed", "task.cancelled", "task.skipped",
                 "crew.task.retry_attempt", "adaptive.plan_injected", "adaptive.plan_missing")


def elapsed(task: TaskView, now: float | None = None) -> str:
    start = parse_iso(task.started_at)
    if start is None:
        return ""
    end = parse_iso(task.finished_at) if task.status not in ("running", "waiting") else None
    seconds = max(0.0, (end or (now or time.time())) - start)
    return f"{seconds:5.1f}s" if seconds < 600 else f"{seconds / 60:5.1f}m"


class PlainDisplay:
    """One line per task event (CI logs, pipes)."""

    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stderr

    def start(self, run_id: str, title: str) -> None:
        print(f"run {run_id}: {title}", file=self.out, flush=True)

    def event(self, update: RunUpdate) -> None:
        e = update.event
        if e is None or e.type not in _SHOWN_EVENTS:
            return
        what = e.type.split(".")[-1]
        detail = f" — {e.data.get('error')}" if isinstance(e.data, dict) and e.data.get("error") and what != "started" else ""
        if e.message and e.type.startswith("adaptive"):
            detail = f" — {e.message}"
        print(f"[{update.progress.message}] {e.task_id or ''} {what}{detail}", file=self.out, flush=True)

    def update(self, view: RunView) -> None:
        pass

    def stop(self, view: RunView | None) -> None:
        if view is not None:
            print(f"run {view.run_id} {view.status}: {view.progress.message}", file=self.out, flush=True)


class LiveDisplay:
    """Phase bar and task table, redrawn in place (rich.live)."""

    def __init__(self, out: TextIO | None = None):
        from rich.console import Console

        self.console = Console(file=out or sys.stderr)
        self.live: Any = None
        self.title = ""
        self.notes: dict[str, str] = {}
        self.view: RunView | None = None

    def start(self, run_id: str, title: str) -> None:
        from rich.live import Live

        self.title = f"{title}  [dim]{run_id}[/dim]"
        self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=False)
        self.live.start()

    def event(self, update: RunUpdate) -> None:
        e = update.event
        if e is not None and e.task_id and e.type == "task.progress" and e.message:
            self.notes[e.task_id] = e.message
        elif e is not None and e.task_id and isinstance(e.data, dict) and e.data.get("error"):
            self.notes[e.task_id] = str(e.data["error"])

    def update(self, view: RunView) -> None:
        self.view = view
        if self.live is not None:
            self.live.update(self._render())

    def _render(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        view = self.view
        if view is None:
            return Text(self.title)
        p = view.progress
        head = Table.grid(padding=(0, 1))
        head.add_row(Text.from_markup(f"[bold]{self.title}[/bold]"))
        bar = Table.grid(padding=(0, 1))
        bar.add_row(ProgressBar(total=max(1, p.total), completed=p.done, width=40),
                    Text(f"{p.message}  [{view.status}]"))
        table = Table(show_edge=False, pad_edge=False, expand=False)
        for col in ("task", "role", "status", "elapsed", "note"):
            table.add_column(col, no_wrap=col != "note", overflow="ellipsis", max_width=60 if col == "note" else None)
        now = time.time()
        for t in view.tasks:
            level = t.heartbeat_level
            label = f"{t.status} ({level})" if t.status == "running" and level and level != "healthy" else t.status
            note = t.error if t.status in ("failed", "skipped", "cancelled") else self.notes.get(t.id, "")
            table.add_row(t.id, t.role, Text(label, style=_STYLE.get(t.status, "")), elapsed(t, now), note or "")
        return Group(head, bar, table)

    def stop(self, view: RunView | None) -> None:
        if view is not None:
            self.update(view)
        if self.live is not None:
            self.live.stop()
            self.live = None


def make_display(json_mode: bool, out: TextIO | None = None) -> Any:
    stream = out or sys.stderr
    if json_mode:
        return None
    if stream.isatty():
        return LiveDisplay(stream)
    return PlainDisplay(stream)
