"""Giving memory back once a folder is checked (docs/architecture.md, Memory).

After a folder's first diagnostics are out, the files no editor has open are compacted (their parse
dropped, parsed again when asked: `resources/compact.py`) and the C allocator is asked to return
the freed pages to the system (otherwise the process keeps them: a 50,000-file index would stay at
its cold-start size).
"""

from __future__ import annotations

import asyncio
import ctypes
import sys

from crew_lsp.resources.compact import compact_snapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from crew_lsp.server.project import Folder


async def compact_folders(folders: Iterable[Folder], open_paths: Iterable[str]) -> int:
    """Compact each ready folder's snapshot off the event loop; returns how many were compacted.

    The new snapshot replaces the folder's only if no edit came in meanwhile (an edit's snapshot
    would be lost): that folder then stays as it is (its memory is merely not given back).
    """
    keep = frozenset(open_paths)
    done = 0
    for folder in list(folders):
        if not folder.ready.is_set():
            continue
        before = folder.index.snapshot
        snap = await asyncio.to_thread(compact_snapshot, before, keep)
        if folder.index.snapshot is before:
            folder.index.snapshot = snap
            done += 1
    if done:
        await asyncio.to_thread(release_free_memory)
    return done


def release_free_memory() -> None:
    """glibc's `malloc_trim`: free pages inside the heap go back to the system (elsewhere: nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)  # (the process's own symbols: libc's among them)
    except (OSError, AttributeError):  # (musl has no malloc_trim)
        pass
