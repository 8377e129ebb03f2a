"""The diagnostics cache at a folder's cold start (docs/cache.md, In the editor).

After the scan and before any file is read, a folder whose cache entry matches (the same key as
`crew-lsp check`'s, with the `diagnostics.severity` setting in it) has its stored diagnostics
published at once: the Problems panel of a big workspace fills before it is indexed. The index is
then built and checked as always, and the publisher sends again only a set that differs. Once the
folder's own check has settled, its diagnostics are stored, off the event loop, when they are what
the files on disk say (no unsaved editor text, nothing changed meanwhile). Setting
`crew.diagnostics.cache: false` (or `CREW_LSP_NO_CACHE=1`) turns both off.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from crew_lsp.cache import FolderCache
    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session

STORE_WAIT_S = 300.0  # the folder's first check must settle within this to be stored
SLICE_S = 0.008  # cached publishing gives the loop back after this much work


class Pending:
    """A folder's cache entry (keyed at its cold start) and the paths published from it."""

    __slots__ = ("entry", "published")

    def __init__(self, entry: FolderCache, published: list[str]):
        self.entry = entry
        self.published = published


def _wanted(session: Session) -> bool:
    from crew_lsp.cache import enabled

    return enabled(session.settings.diagnostics.cache)


async def publish_cached(session: Session, folder: Folder, entries: list[tuple[str, str, str]]) -> Pending | None:
    """Publish the folder's cached diagnostics when its entry matches; the entry to store into later."""
    if not _wanted(session):
        return None
    try:
        entry, found = await asyncio.to_thread(_look_up, folder.ws, entries, session.severity_overrides)
    except Exception as exc:
        session.log_error(f"reading the diagnostics cache of {folder.path} failed", exc)
        return None
    return Pending(entry, await publish_found(session, folder.reported, found or {}))


async def publish_found(session: Session, reported: Callable[[str], bool], found: dict[str, list[Diagnostic]]) -> list[str]:
    """Publish diagnostics not checked by this server (the cache's, a child checker's) for a folder's
    reported files, a slice of work at a time; the paths published."""
    published = []
    start = time.perf_counter()
    for path, diags in found.items():
        if reported(path) and session.diagnostics.publish_cached(path, diags):
            published.append(path)
        if time.perf_counter() - start > SLICE_S:
            await asyncio.sleep(0)
            start = time.perf_counter()
    return published


def _look_up(ws: Workspace, entries: list[tuple[str, str, str]], overrides: dict[str, str] | None,
             ) -> tuple[FolderCache, dict[str, list[Diagnostic]] | None]:
    from crew_lsp.cache import FolderCache

    entry = FolderCache(ws, entries, overrides)
    return entry, entry.load()


def store_when_checked(session: Session, folder: Folder, pending: Pending | None) -> None:
    """Once the folder's first check has settled, store its diagnostics (in the background)."""
    if pending is not None:
        session.spawn(_store(session, folder, pending))


async def _store(session: Session, folder: Folder, pending: Pending) -> None:
    publisher = session.diagnostics
    await publisher.idle(STORE_WAIT_S)
    checked = publisher.settled()
    if checked is None or session.project.find(folder.path) is not folder:
        return  # still checking (typing meanwhile), or the folder is gone: the next start stores it
    for path in pending.published:
        if path not in checked:
            publisher.clear(path)  # published from the cache, no longer reported
    snap = folder.snapshot
    others = [f.ws for f in session.project.folders if f is not folder]
    texts = {path: doc.text for path, doc in session.docs.items() if folder.classifies(path)}
    try:
        await asyncio.to_thread(_store_if_on_disk, pending.entry, snap.workspace, snap.resources, checked, others, texts,
                                session.severity_overrides)
    except Exception as exc:
        session.log_error(f"storing the diagnostics cache of {folder.path} failed", exc)


def _store_if_on_disk(entry: FolderCache, ws: Workspace, resources, checked: dict, others: list[Workspace],
                      texts: dict[str, str], overrides: dict[str, str] | None) -> bool:
    """Store the checked diagnostics of the folder's reported files when they are the disk's: the key
    is unchanged, every open document holds its file's text, and no other folder serves any of them."""
    from crew_lsp.cache import FolderCache
    from crew_lsp.resources.discovery import scan
    from crew_lsp.resources.loader import Loader

    reported = ws.reported_filter()
    paths = [p for p in resources if reported(p)]
    if any(other.reported_filter()(p) for other in others for p in paths):
        return False  # a file another folder reports may be served by that folder: not this folder's result
    found = {}
    for path in paths:
        result = checked.get(path)
        if result is None:
            return False
        found[path] = result.diags
    loader = Loader(ws.boundaries())
    if FolderCache(ws, scan(ws, loader), overrides).key.digest != entry.key.digest:
        return False  # the disk changed since the cold start
    for path, text in texts.items():
        loaded = loader.load(path)
        if loaded.problem is not None or loaded.text != text:
            return False  # an unsaved (or unread) editor text: not what the files say
    return entry.store(found)
