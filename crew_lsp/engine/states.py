"""The two state machines of a run (docs/runs.md, States). An illegal move is a bug, so it raises instead of being ignored."""

from __future__ import annotations

RUN_STATUSES = ("queued", "planning", "running", "blocked", "completed", "failed", "cancelled")
RUN_TERMINAL = frozenset(("blocked", "completed", "failed", "cancelled"))
TASK_STATUSES = ("queued", "running", "waiting", "completed", "failed", "cancelled", "skipped")
TASK_TERMINAL = frozenset(("completed", "failed", "cancelled", "skipped"))

TASK_MOVES: dict[str, frozenset[str]] = {
    "queued": frozenset(("running", "cancelled", "skipped", "failed")),
    "running": frozenset(("completed", "failed", "cancelled", "queued", "waiting")),
    "waiting": frozenset(("running", "queued", "completed", "failed", "cancelled")),
    "completed": frozenset(("queued",)),
    "failed": frozenset(("queued", "cancelled")),
    "cancelled": frozenset(("queued",)),
    "skipped": frozenset(("queued", "cancelled")),
}

RUN_MOVES: dict[str, frozenset[str]] = {
    "queued": frozenset(("planning", "running", "cancelled", "failed")),
    "planning": frozenset(("running", "blocked", "cancelled", "failed")),
    "running": frozenset(("blocked", "completed", "failed", "cancelled")),
    "blocked": frozenset(("running", "cancelled", "failed")),
    "completed": frozenset(("running", "cancelled")),
    "failed": frozenset(("running", "cancelled")),
    "cancelled": frozenset(("running",)),
}


class IllegalTransition(RuntimeError):
    """A state change the machine forbids (docs/runs.md, States)."""

    def __init__(self, what: str, ident: str, old: str, new: str):
        super().__init__(f"illegal {what} transition for '{ident}': {old} -> {new}")
        self.what, self.ident, self.old, self.new = what, ident, old, new


def can_move_task(old: str, new: str) -> bool:
    return new in TASK_MOVES.get(old, frozenset())


def can_move_run(old: str, new: str) -> bool:
    return new in RUN_MOVES.get(old, frozenset())


def check_task_move(task_id: str, old: str, new: str) -> None:
    if not can_move_task(old, new):
        raise IllegalTransition("task", task_id, old, new)


def check_run_move(run_id: str, old: str, new: str) -> None:
    if not can_move_run(old, new):
        raise IllegalTransition("run", run_id, old, new)
