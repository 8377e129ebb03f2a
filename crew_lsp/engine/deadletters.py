"""Deadletters across every run of a crew root (docs/runs.md, Reliability).

The hourly alert counts what is on disk, not what one process saw: runs of the CLI, of another
server, or of this server before a restart all count, and an entry is never counted twice.
"""

from __future__ import annotations

import json
import os

from crew_lsp.engine.model import parse_iso
from crew_lsp.engine.state import ID_RE, RunStore

ALERT_WINDOW_S = 3600.0
ALERT_ABOVE = 3  # more than this many entries within the window → one alert


def count_since(store: RunStore, since: float) -> int:
    """Deadletter entries whose timestamp is at or after ``since`` (epoch seconds), in every run."""
    total = 0
    runs = store.crew / "state" / "runs"
    try:
        names = [n for n in os.listdir(runs) if ID_RE.match(n)]
    except OSError:
        return 0
    for run_id in names:
        path = store.paths(run_id).deadletter
        try:
            if os.stat(path).st_mtime < since:
                continue  # nothing appended within the window
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn last line
            stamp = parse_iso(entry.get("timestamp")) if isinstance(entry, dict) else None
            if stamp is not None and stamp >= since:
                total += 1
    return total
