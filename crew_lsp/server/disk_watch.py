"""Disk changes noticed by the server itself, for clients that watch no files for it (no dynamic
`workspace/didChangeWatchedFiles` registration).

An OS watcher (`watchfiles`: inotify, FSEvents, ReadDirectoryChangesW, waited for in a worker thread)
on exactly the directories the index lists (`watchers.directories_to_watch`), none recursively: an
idle workspace costs nothing, whatever its size. When the OS refuses the watcher (the inotify watch
limit reached), a poll takes over that costs little: the watched directories' mtimes every two
seconds (a file created, deleted or renamed), and every file's stamp at an interval that backs off
from two seconds to a minute while nothing changes (a file rewritten in place).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Awaitable, Callable

POLL_SECONDS = 2.0  # directory mtimes, and the first full comparison after a change
FULL_POLL_MAX_SECONDS = 60.0  # the full comparison's interval backs off up to this
WATCH_STEP_MS = 50  # how long the OS watcher waits for more changes before it reports a batch

# (content directories, watched directories): see watchers.directories_to_watch
Plan = tuple[frozenset[str], frozenset[str]]


class DiskWatcher:
    """Reports changed paths (`changed`, with whether each was deleted) and full rescans (`rescan`,
    true when something differed); re-plans what it watches when the layout changes."""

    def __init__(self, plan: Callable[[], Plan], changed: Callable[[list[tuple[str, bool]]], Awaitable[None]],
                 rescan: Callable[[], Awaitable[bool]], log_error: Callable[[str, BaseException], None]):
        self._plan = plan
        self._changed = changed
        self._rescan = rescan
        self._log_error = log_error
        self._stopped = False
        self._replan = asyncio.Event()  # ends the current OS watcher: watch a new plan
        self._task: asyncio.Task | None = None
        self._current: Plan = (frozenset(), frozenset())  # what is watched

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    @property
    def watched(self) -> frozenset[str]:
        """The directories watched (or polled) now."""
        return self._current[1]

    async def refresh(self) -> None:
        """The folders changed: watch what they list now (the watcher restarts only when that differs)."""
        if (await asyncio.to_thread(self._plan)) != self._current:
            self._replan.set()

    async def stop(self) -> None:
        self._stopped = True
        self._replan.set()  # the watcher's thread sees it within one step
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        vanished = False
        try:
            while not self._stopped:
                self._replan = asyncio.Event()  # before planning: a refresh from now on starts another round
                self._current = await asyncio.to_thread(self._plan)
                try:
                    await self._watch(self._current)
                    vanished = False
                except FileNotFoundError:
                    if vanished:
                        raise
                    vanished = True  # a directory went between planning and watching: plan again, once
        except Exception as exc:  # the OS watcher cannot start (watch limit, no such facility) or failed
            self._log_error("watching the resource folders failed; polling them instead", exc)
            await self.poll()

    async def _watch(self, plan: Plan) -> None:
        """Watch until the directory layout changes, or `refresh`."""
        content, watched = plan
        if not watched:
            await self._replan.wait()
            return
        from watchfiles import Change, awatch  # only for clients without watchers, after `initialize`

        # a rescan as soon as the watcher runs: what changed while it was being (re)started is not lost
        rescan_once_started = asyncio.ensure_future(self._rescan())
        try:
            async for batch in awatch(*sorted(watched), watch_filter=None, recursive=False, step=WATCH_STEP_MS,
                                      stop_event=self._replan, ignore_permission_denied=True):
                changes = [(path, change == Change.deleted) for change, path in batch if _relevant(path, content)]
                if not changes:
                    continue
                await self._changed(changes)
                if (await asyncio.to_thread(self._plan))[1] != watched:
                    return
        finally:
            await asyncio.gather(rescan_once_started, return_exceptions=True)

    async def poll(self) -> None:
        """Instead of the OS watcher: directory mtimes every `POLL_SECONDS`; every file's stamp when
        one changed, or when the backed-off interval has passed (`PollSchedule`)."""
        self._replan = asyncio.Event()
        self._current = await asyncio.to_thread(self._plan)
        schedule = PollSchedule(time.monotonic())
        mtimes = await asyncio.to_thread(_mtimes, self._current[1])
        while not self._stopped:
            await asyncio.sleep(POLL_SECONDS)
            try:
                if self._replan.is_set():  # `refresh`: the folders changed
                    self._replan = asyncio.Event()
                    self._current = await asyncio.to_thread(self._plan)
                now = await asyncio.to_thread(_mtimes, self._current[1])
                layout_changed = now != mtimes
                if not schedule.due(time.monotonic(), layout_changed):
                    continue
                schedule.compared(time.monotonic(), await self._rescan() or layout_changed)
                if layout_changed:
                    self._current = await asyncio.to_thread(self._plan)
                    now = await asyncio.to_thread(_mtimes, self._current[1])
                mtimes = now
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._log_error("polling the resource folders failed", exc)


class PollSchedule:
    """When the poll compares every file with the disk: at once when a directory changed, otherwise
    after an interval that doubles from `POLL_SECONDS` up to `FULL_POLL_MAX_SECONDS` while the
    comparisons find nothing, and starts again from `POLL_SECONDS` when one finds something."""

    def __init__(self, now: float):
        self.interval = POLL_SECONDS
        self._last = now

    def due(self, now: float, layout_changed: bool) -> bool:
        return layout_changed or now - self._last >= self.interval

    def compared(self, now: float, found_changes: bool) -> None:
        self._last = now
        self.interval = POLL_SECONDS if found_changes else min(self.interval * 2, FULL_POLL_MAX_SECONDS)


def _relevant(path: str, content: frozenset[str]) -> bool:
    """A change the index may care about: inside a content directory, or a content directory (or one
    of its ancestors) itself appearing or going."""
    if os.path.dirname(path) in content or path in content:
        return True
    prefix = path + os.sep
    return any(folder.startswith(prefix) for folder in content)


def _mtimes(folders: frozenset[str]) -> dict[str, int]:
    out = {}
    for folder in folders:
        try:
            out[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            out[folder] = -1
    return out
