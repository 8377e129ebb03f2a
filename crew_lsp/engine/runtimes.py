"""The worker runtimes a run can use (docs/runs.md, Workers), named here and nowhere else: the CLI's
`--runtime` choices, the editor's `crew.worker.runtime` setting, the command arguments and the worker
factory all derive from `Runtime`."""

from __future__ import annotations

from typing import Literal, get_args

Runtime = Literal["scaffold", "pi", "command"]
RUNTIMES: tuple[Runtime, ...] = get_args(Runtime)


def spoken(names: tuple[str, ...] = RUNTIMES) -> str:
    """``scaffold, pi or command`` — for messages."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)
