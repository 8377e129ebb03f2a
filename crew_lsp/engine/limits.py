"""How big a user's request to the engine may be: the arguments of the server's commands and the
CLI's flags share these limits, so an oversized one is refused at the door (InvalidParams naming the
argument, or exit code 2) instead of being planned, written to disk and copied into every prompt."""

from __future__ import annotations

MAX_GOAL_CHARS = 64 * 1024  # a goal is a paragraph or a page, not a file
MAX_NAME_CHARS = 200  # team, workflow, agent, model, a metrics filter
MAX_ID_CHARS = 200  # run and task ids
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux: a folder (cwd) named by path or file URI
MAX_REASON_CHARS = 2000  # a cancel reason


def too_long(value: str, limit: int) -> str | None:
    """A message for a value over `limit` characters (without echoing the value), else None."""
    if len(value) <= limit:
        return None
    return f"is {len(value):,} characters long; at most {limit} are allowed"
