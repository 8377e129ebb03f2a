"""How many processes `crew-lsp check` uses (`--jobs`, $CREW_LSP_JOBS): read without loading the checker,
so a cached check (docs/cache.md) stays light."""

from __future__ import annotations

import os
import stat
import sys

TYPE_CHECKING = False  # (not `typing.TYPE_CHECKING`: `crew-lsp check` does not import typing)
if TYPE_CHECKING:
    from typing import Callable

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


LARGE_FOLDER_FILES = 10_000  # from this many files the language server indexes a folder from its child's facts
# (tests and benchmarks lower it for a small folder; not a user setting)
LARGE_FOLDER_VARIABLE = "CREW_LSP_LARGE_FOLDER_FILES"


def large_folder_files() -> int:
    """From how many files a folder is large for the language server (server/checker_child.py): its
    cold start uses a child, and is indexed from the facts the child sends."""
    value = os.environ.get(LARGE_FOLDER_VARIABLE, "").strip()
    return int(value) if value.isdigit() else LARGE_FOLDER_FILES


SERVER_WAIT_FILES = 10_000  # from this many files a head-start child waits for the server's start (below: one process)
SERVER_WAIT_S = 1.0


def for_server_child(jobs: int, fd: int = 0) -> Callable[[int], int]:
    """The processes of the language server's cold-start child, once it knows how many files it checks.

    A head-start child (server/head_start.py) runs while the server imports, on the core the server
    does not use; its stdin is a pipe the server closes once it has started. A folder smaller than
    `SERVER_WAIT_FILES` is then checked on one process (done before the server is), a larger one waits
    for the pipe to close (at most `SERVER_WAIT_S`) and then uses ``jobs``. Any other child (stdin not
    a pipe, or closed already) uses ``jobs``."""
    def decide(files: int) -> int:
        import select  # (only the server's child: not part of every check's start-up)

        try:
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                return jobs
            wait = SERVER_WAIT_S if files >= SERVER_WAIT_FILES else 0.0
            if not select.select([fd], [], [], wait)[0] or os.read(fd, 1):
                return 1 if files < SERVER_WAIT_FILES else jobs  # (still starting, or never closing it)
        except (OSError, ValueError):
            pass
        return jobs

    return decide


def end_with_parent() -> None:
    """Have this process killed when the process that started it ends (Linux): the language server's
    checker child of a server that was killed (editors kill a server they restart) stops at once
    instead of checking for no one. Elsewhere, or if the call fails, it stops when it next writes."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        parent = os.getppid()
        if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # (it ended before the call)
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
