"""The server's view of the workspace: one effective index per workspace folder (no LSP here).

Every folder owns an `Index` (docs/formats.md, Roots and discovery: its repo root, crew root, the builtin and user scopes).
A path can live in several indexes (the user scope is in all of them); text changes go to every
index that classifies the path, diagnostics come from the path's *owner* (the innermost folder that
reports it). Open documents override disk. Files are read by the one loader `crew-lsp check` uses
(`resources/loader.py`): a file it does not read (too large, binary, special, a symlink leaving the
workspace) is indexed as empty text, gets its one CREW114 and no features.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, Iterable

from crew_lsp.resources.discovery import Workspace, repo_root, scan
from crew_lsp.resources.facts import Strings
from crew_lsp.resources.index import Index, KnownFacts, Snapshot, folded_for_checks, prepared_aside, read_entries
from crew_lsp.resources.loader import Loader, Problem, Stamp, internal_problem, stamp_of
from crew_lsp.resources.model import Resource
from crew_lsp.resources.workflow import forget_line_cache


@dataclass(eq=False)
class Folder:
    """One workspace folder and its index."""

    ws: Workspace
    index: Index
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    stamps: dict[str, Stamp] = field(default_factory=dict)  # disk state of the files read from disk
    implicit: bool = False  # created for a document outside every workspace folder
    missed_changes: bool = False  # the disk changed while it was loading: compared with the disk once ready
    # where a path lies never changes for a given Workspace: cache the pathlib work
    _classifies: dict[str, bool] = field(default_factory=dict, repr=False)
    _prefixes: tuple[str, str, tuple[str, ...]] | None = field(default=None, repr=False)

    @property
    def snapshot(self) -> Snapshot:
        return self.index.snapshot

    @property
    def path(self) -> Path:
        return self.ws.folder

    @property
    def skipped(self) -> dict[str, Problem]:
        """Files not read (indexed as empty): their one diagnostic says why, they have no features."""
        return self.index.snapshot.problems

    def classifies(self, path: str) -> bool:
        try:
            return self._classifies[path]
        except KeyError:
            found = self.ws.classify(path) is not None
            if len(self._classifies) > 200_000:
                self._classifies.clear()
            self._classifies[path] = found
            return found

    def reported(self, path: str) -> bool:
        """`Workspace.reported` with plain string prefixes (the paths are normalised absolute paths);
        three `startswith` cost less than a cache of every path would."""
        if self._prefixes is None:
            ws = self.ws
            self._prefixes = (str(ws.user) + os.sep, str(ws.folder) + os.sep, tuple(str(r) + os.sep for r in ws.extra_roots))
        user, folder, extras = self._prefixes
        return not path.startswith(user) and (path.startswith(folder) or path.startswith(extras))

    async def prepare_for_edits(self) -> None:
        """Build what the first edit of a freshly loaded index needs (reference maps, persistent maps) in a
        worker thread, so a keystroke never pays for it; done after the folder's first publish, which
        does not need it. An edit that came first has built it itself."""
        base = self.index.snapshot
        if base.role_counts is None:
            self.index.take_prepared(base, await asyncio.to_thread(prepared_aside, base))

    def set_text(self, path: str, text: str | None, problem: Problem | None = None) -> set[str]:
        """Replace (or remove) one file in this index; the paths whose diagnostics may change."""
        if text is None and path not in self.index.snapshot.resources:
            return set()
        try:
            return self.index.update(path, text, problem=problem)
        except Exception as exc:
            # keep the previous snapshot's neighbours; the file is treated as not read
            try:
                return self.index.update(path, "", problem=internal_problem(exc))
            except Exception:
                return {path}


Listing = tuple[Loader, list[tuple[str, str, str]]]  # a folder's loader and its files, as `scan` lists them


async def list_files(ws: Workspace) -> Listing:
    """Every file of every scope of a folder (listed off the event loop), with the loader that reads them."""
    loader = Loader(ws.boundaries())
    return loader, await asyncio.to_thread(scan, ws, loader)


async def load_folder(folder: Folder, loader: Loader, entries: list[tuple[str, str, str]],
                      progress: Callable[[int, int], None] | None = None, chunk: int = 400, compact: bool = False,
                      yields_to: asyncio.Event | None = None, facts: Awaitable[KnownFacts | None] | None = None) -> int:
    """Read the listed files of a folder off the event loop; returns the number of files. With
    ``compact`` every file is compacted as it is read (a large folder checked by a child process:
    server/checker_child.py); open documents are made whole again when their text is applied.
    ``yields_to``: between chunks, the reading waits while this event is clear (the interpreter is
    then the publisher's: early_diagnostics.py). ``facts``: the folder is indexed once these come
    (from the child), and the files they describe are neither read nor parsed (`index.KnownFacts`)."""
    ws = folder.ws
    strings = Strings() if compact else None
    known = await facts if facts is not None else None
    resources: dict[str, Resource] = {}
    problems: dict[str, Problem] = {}
    stamps: dict[str, Stamp] = {}
    total = len(entries)
    if known is not None:
        chunk *= 10  # (a file made from its facts costs a tenth of one read and parsed)
    for start in range(0, total, chunk):
        if yields_to is not None:
            await yields_to.wait()
        part, unread, stamp = await asyncio.to_thread(read_entries, ws, entries[start:start + chunk], loader, True, strings, known)
        resources.update(part)
        problems.update(unread)
        stamps.update(stamp)
        if progress is not None:
            progress(min(start + chunk, total), total)
    if compact:
        forget_line_cache()  # (its entries, made while parsing, would pin the parses' memory)
    # (what edits need besides is built once the folder is published: `Folder.prepare_for_edits`)
    folder.index.snapshot = await asyncio.to_thread(folded_for_checks, ws, resources, problems)
    folder.stamps = stamps
    return total


def disk_changes(ws: Workspace, known: dict[str, Stamp]) -> dict[str, Stamp | None]:
    """(path → new stamp, or None when gone) for the files whose disk state differs from `known`.

    Runs in a worker thread: `known` must be a copy owned by the caller.
    """
    entries = scan(ws)
    changed: dict[str, Stamp | None] = {}
    seen = set()
    for _kind, _scope, path in entries:
        seen.add(path)
        stamp = stamp_of(path)
        if stamp != known.get(path):
            changed[path] = stamp
    for path in known:
        if path not in seen:
            changed[path] = None
    return changed


class Project:
    """Every folder of the session; routes paths to indexes."""

    def __init__(self) -> None:
        self.folders: list[Folder] = []
        self._owner: dict[str, Folder | None] = {}
        self._holding: dict[str, list[Folder]] = {}
        self._shapes: dict[tuple[Folder, ...], list[Folder]] = {}

    def add(self, ws: Workspace, implicit: bool = False) -> Folder:
        folder = Folder(ws, Index(ws), implicit=implicit)
        self.folders.append(folder)
        # innermost folders first: they own the files they share with an outer folder
        self.folders.sort(key=lambda f: (f.implicit, -len(f.ws.folder.parts)))
        self._owner.clear()
        self._holding.clear()
        self._shapes.clear()
        return folder

    def remove(self, folder: Folder) -> None:
        if folder in self.folders:
            self.folders.remove(folder)
        self._owner.clear()
        self._holding.clear()
        self._shapes.clear()

    def find(self, path: Path) -> Folder | None:
        for folder in self.folders:
            if folder.ws.folder == path:
                return folder
        return None

    def holding(self, path: str) -> list[Folder]:
        try:
            return self._holding[path]
        except KeyError:
            # an indexed path is classified by its folder: skip the pathlib work for it
            found = [f for f in self.folders if path in f.index.snapshot.resources or f.classifies(path)]
            # a handful of distinct folder lists for every path: share them (callers only read them)
            found = self._shapes.setdefault(tuple(found), found)
            if len(self._holding) > 200_000:
                self._holding.clear()
            self._holding[path] = found
            return found

    def owner(self, path: str) -> Folder | None:
        """The folder whose diagnostics and features serve a path."""
        if len(self.folders) == 1:  # the usual case: no routing to remember for each of its files
            folder = self.folders[0]
            return folder if path in folder.index.snapshot.resources or folder.classifies(path) else None
        try:
            return self._owner[path]
        except KeyError:
            pass
        found = None
        holding = self.holding(path)
        for folder in holding:
            if folder.reported(path):
                found = folder
                break
        if found is None and holding:
            found = holding[0]
        if len(self._owner) > 200_000:
            self._owner.clear()
        self._owner[path] = found
        return found

    def set_text(self, path: str, text: str | None, problem: Problem | None = None) -> dict[Folder, set[str]]:
        out: dict[Folder, set[str]] = {}
        for folder in self.holding(path):
            if not folder.ready.is_set():
                continue  # applied from the open documents once the folder is loaded
            affected = folder.set_text(path, text, problem)
            if affected:
                out[folder] = affected
        return out

    def loaders(self, paths: Iterable[str]) -> list[tuple[str, Loader]]:
        """Each path with a loader for the roots of the folder serving it (a path outside every
        folder: its own folder is its root). Call on the event loop; load in a worker thread."""
        by_folder: dict[Folder | None, Loader] = {}
        out = []
        for path in paths:
            folder = self.owner(path)
            loader = by_folder.get(folder)
            if loader is None:
                loader = by_folder[folder] = Loader(folder.ws.boundaries() if folder is not None else [])
            out.append((path, loader))
        return out

    def resource(self, path: str) -> tuple[Folder, Resource] | None:
        folder = self.owner(path)
        if folder is None:
            return None
        res = folder.snapshot.resources.get(path)
        return (folder, res) if res is not None else None

    def reported_paths(self) -> set[str]:
        out: set[str] = set()
        for folder in self.folders:
            for path in folder.snapshot.resources:
                if folder.reported(path):
                    out.add(path)
        return out

    def snapshots(self) -> Iterable[tuple[Folder, Snapshot]]:
        for folder in self.folders:
            yield folder, folder.snapshot

    def implicit_for(self, path: str, roots: list[str], pi_crew_version: str | None = None) -> Workspace | None:
        """A workspace for a document outside every folder (no rootUri, a loose file)."""
        try:
            repo = repo_root(Path(path).parent)
            ws = Workspace.discover(repo, roots, pi_crew_version)
        except Exception:
            return None
        if ws.classify(path) is None or self.find(ws.folder) is not None:
            return None
        return ws
