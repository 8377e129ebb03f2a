"""Indexing workspace folders (docs/editor.md, Start-up): listing, reading and folding their files
in worker threads, the checker child of a large folder, the first checks, and the garbage collector
kept out of the way until the index is in."""

from __future__ import annotations

import asyncio
import gc
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Awaitable, Callable

from crew_lsp.server import checker_child
from crew_lsp.server.cached_diagnostics import publish_cached, store_when_checked
from crew_lsp.server.files_progress import FilesProgress
from crew_lsp.server.project import Folder, Listing, list_files, load_folder

if TYPE_CHECKING:
    from crew_lsp.cache.key import Key
    from crew_lsp.server.early_diagnostics import EarlyChecks
    from crew_lsp.server.session import Session
    from crew_lsp.server.sync import Sync

PROGRESS_MIN_FILES = 200  # index loads of fewer files finish too fast to be worth a progress bar
GC_SETTLE_TIMEOUT_S = 10.0  # the GC stays paused at most this long after a load


@dataclass(frozen=True)
class FolderChild:
    """A folder's checker child as its load sees it."""

    published: asyncio.Task[list[str] | None]  # the paths it published; None: the folder is left to the server
    own_key: Callable[[], Awaitable[Key | None]]  # the server's own key of the folder
    facts_line: Callable[[], Awaitable[bytes | None]]  # the child's facts line (None: none came)
    yields_to: asyncio.Event | None  # clear while its diagnostics are published (the folder's reading waits)


class FolderLoading:
    """Loads folders into the session's index (`load`), with the head-start children still to be used."""

    def __init__(self, session: Session, sync: Sync, early: EarlyChecks):
        self.session = session
        self.sync = sync
        self.early = early  # folders whose head-start child is still to be used
        self._gc_paused = 0
        self._gc_was_enabled = True

    async def load(self, folders: list[Folder]) -> None:
        """Index folders in the background, then apply open documents and check everything."""
        folders = [f for f in folders if not f.ready.is_set()]
        if not folders:
            return
        listed = {folder: await self.early.listing(folder) or await list_files(folder.ws) for folder in folders}
        total = sum(len(files) for _loader, files in listed.values())
        # the cyclic GC would repeatedly walk the growing index while it is built and checked (tens of
        # milliseconds of cold start for nothing: the index is long-lived): paused until the first
        # diagnostics are out, then the heap is frozen (`_settle`)
        self._gc_pause()
        try:
            await self._load(listed, total)
        finally:
            self.session.spawn(self._settle(folders))
        await self.sync.folders_changed()

    async def _load(self, listed: dict[Folder, Listing], total: int) -> None:
        # the checks are imported while the files are read, not on the event loop once they are
        checks = asyncio.ensure_future(asyncio.to_thread(importlib.import_module, "crew_lsp.checks.run"))
        progress = await FilesProgress.begin(self.session, "crew-lsp: indexing", total) if total >= PROGRESS_MIN_FILES else None
        done_before = 0
        for folder, (loader, entries) in listed.items():
            def report(done: int, _total: int, base: int = done_before) -> None:
                if progress is not None:
                    progress.report(base + done)
            # a child checks the folder: its head-start one, or one started now for a large folder
            child = self._child(folder, entries)
            checked = child.published if child is not None else None
            cached = await publish_cached(self.session, folder, entries) if checked is None else None  # (docs/cache.md)
            compact = child is not None and len(entries) >= checker_child.large_folder_files()
            known = None
            if child is not None and compact:  # (indexed from the child's facts once it has parsed the files)
                if progress is not None:
                    progress.note(f"checking {len(entries)} files on every core")
                known = asyncio.ensure_future(checker_child.facts_within(child.facts_line(), child.own_key(), folder.ws, entries))
            try:
                await load_folder(folder, loader, entries, report, compact=compact,
                                  yields_to=child.yields_to if child is not None else None, facts=known)
            except Exception as exc:
                self.session.log_error(f"indexing {folder.path} failed", exc)
            done_before += len(entries)
            await asyncio.gather(checks, return_exceptions=True)  # a failure shows when the checks are used
            if checked is None:
                self._folder_ready(folder)
                store_when_checked(self.session, folder, cached)
                continue
            self._folder_ready(folder, check_all=False)
            if await checked is None:  # (the child stored the cache when it is on)
                self._check_all(folder)
            elif known is not None and known.done() and not known.cancelled() and known.result() is not None:
                self.session.log(f"crew-lsp: {folder.path} indexed from its child's facts "
                                 f"({known.result().used} of {len(entries)} files neither read nor parsed here)")
        if progress is not None:
            progress.end(f"{total} files indexed")

    def _child(self, folder: Folder, entries: list[tuple[str, str, str]]) -> FolderChild | None:
        """The child that checks a folder: its head-start one, or one started now for a large folder."""
        early = self.early.take(folder)
        if early is not None:
            return FolderChild(early.published, early.own_key, early.facts_line, early.not_publishing)
        if not checker_child.wanted(self.session, entries):
            return None
        key = asyncio.ensure_future(asyncio.to_thread(checker_child.own_key, folder.ws, entries))
        line: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        published = self.session.spawn(checker_child.check(self.session, folder, key, line))
        return FolderChild(published, lambda: key, lambda: line, None)

    def _gc_pause(self) -> None:
        if self._gc_paused == 0:
            self._gc_was_enabled = gc.isenabled()
            gc.disable()
        self._gc_paused += 1

    async def _settle(self, folders: list[Folder]) -> None:
        """After a load: once its diagnostics are published, prepare the folders for edits, then freeze
        the index (out of the GC's reach)."""
        try:
            await self.session.diagnostics.idle(GC_SETTLE_TIMEOUT_S)
            for folder in folders:
                if folder in self.session.project.folders:  # (not removed meanwhile)
                    await folder.prepare_for_edits()
        finally:
            self._gc_paused -= 1
            if self._gc_paused == 0:
                # the freshly loaded index is long-lived: keep it out of the cyclic GC's full collections,
                # which otherwise walk every parsed file and add tens of milliseconds to a random keystroke.
                # No collection first: over the whole index it would stall the event loop (0.5 s of CPU at
                # 10,000 files), and loading and checking leave no cyclic garbage for it to find
                # (bench/scale.py measures the stall)
                gc.freeze()
                if self._gc_was_enabled:
                    gc.enable()

    def _folder_ready(self, folder: Folder, check_all: bool = True) -> None:
        """The folder serves requests; its files are checked (or, when a child checks the rest, its open
        documents, the files their editor text affects and what was marked while it loaded). Disk
        changes it missed while loading are looked for again."""
        docs, diagnostics = self.session.docs, self.session.diagnostics
        affected: set[str] = set()
        for path, doc in docs.items():
            if folder.classifies(path):
                affected |= folder.set_text(path, doc.text)
        folder.ready.set()
        diagnostics.start()
        opened = [p for p in docs if folder.classifies(p)]
        diagnostics.mark(affected | set(opened) | diagnostics.waiting_for(folder), republish=opened)
        if check_all:
            self._check_all(folder)
        if folder.missed_changes:
            self.session.spawn(self.sync.rescan())

    def _check_all(self, folder: Folder) -> None:
        reported = folder.ws.reported_filter()  # (not `folder.reported`: it would cache every path at once)
        self.session.diagnostics.mark(p for p in folder.snapshot.resources if reported(p))
