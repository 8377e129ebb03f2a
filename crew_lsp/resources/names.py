"""Names listed in messages: a few, then "and N more", so no message grows with the input.

A team of 20,000 roles must not put 20,000 names into each of hundreds of diagnostics; every message
(checker or engine) that lists names or a dependency path goes through these two functions.
"""

from __future__ import annotations

from collections.abc import Iterable

LISTED = 8  # names shown before "and N more"

# How many steps the dependency cycles found in one workflow may hold in all. Each cycle is copied out
# of a depth-first walk's path, so a hostile graph (a long chain whose every step also depends on the
# first) would copy steps² names; past this budget the walk stops, having found more cycles than a
# file's diagnostics can list.
MAX_CYCLE_EDGES = 100_000


def list_names(names: Iterable[str], *, quote: str = "`", empty: str = "none", limit: int = LISTED) -> str:
    """``a, b, c`` — or the first ``limit`` names then ``and N more``; ``empty`` when there are none."""
    items = names if isinstance(names, (list, tuple)) else list(names)
    if not items:
        return empty
    shown = ", ".join(f"{quote}{n}{quote}" for n in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def cycle_path(ids: list[str], *, limit: int = LISTED) -> str:
    """``a -> b -> a`` for a cycle given as its ids (without the return); long cycles are shortened."""
    if len(ids) <= limit:
        return " -> ".join([*ids, ids[0]]) if ids else ""
    rest = len(ids) - limit
    return " -> ".join([*ids[:limit], f"… ({rest:,} more)", ids[0]])
