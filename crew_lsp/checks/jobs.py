"""How many processes `crew-lsp check` uses (`--jobs`, $CREW_LSP_JOBS): read without loading the checker,
so a cached check (docs/cache.md) stays light."""

from __future__ import annotations

import os

JOBS_VARIABLE = "CREW_LSP_JOBS"
MAX_JOBS = 4


class JobsError(ValueError):
    """A worker count that is not a whole number from 1 up."""


def parse_jobs(value: str, where: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise JobsError(f"{where}: expected a whole number of processes from 1 up, got {value!r}")
    return jobs


def default_jobs() -> int:
    """$CREW_LSP_JOBS, else one process per core this process may use (at most MAX_JOBS)."""
    value = os.environ.get(JOBS_VARIABLE)
    if value:
        return parse_jobs(value, JOBS_VARIABLE)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every system)
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))
