"""Document sync (incremental) and watched files.

Open documents live here (not in pygls' workspace): the text is patched in place from each
incremental change, then only that file is re-parsed (`Project.set_text` → `Index.update`), and the
paths the index reports as affected are handed to the publisher. Disk changes arrive through
`workspace/didChangeWatchedFiles` (watchers registered dynamically when the client allows it) or,
for clients that cannot register watchers, the server's own OS watcher (disk_watch.py).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable

from lsprotocol import types as T

from crew_lsp.resources.loader import Problem, stamp_of
from crew_lsp.resources.text import index_of_col16
from crew_lsp.server.disk_watch import DiskWatcher
from crew_lsp.server.project import disk_changes
from crew_lsp.server.session import Doc
from crew_lsp.server.watchers import directories_to_watch, file_watchers, is_version_source

if TYPE_CHECKING:
    from crew_lsp.server.session import Session

def _offset(text: str, line: int, character: int, base: int = 0, base_line: int = 0) -> int:
    """Python offset of an LSP position, scanning from a known line start (`base` at `base_line`)."""
    offset = base
    for _ in range(line - base_line):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    nl = text.find("\n", offset)
    end = nl if nl >= 0 else len(text)
    if end > offset and text[end - 1] == "\r":
        end -= 1
    line_text = text[offset:end]
    return offset + index_of_col16(line_text, character)


def _line_start(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset


def apply_changes(text: str, changes: Iterable[Any]) -> str:
    """Apply LSP content changes in order (ranged = incremental, otherwise the whole text)."""
    for change in changes:
        rng = getattr(change, "range", None)
        if rng is None:
            text = change.text
            continue
        s_line, e_line = rng.start.line, rng.end.line
        if (e_line, rng.end.character) < (s_line, rng.start.character):
            s_line, e_line = e_line, s_line
            start_pos, end_pos = rng.end, rng.start
        else:
            start_pos, end_pos = rng.start, rng.end
        line_base = _line_start(text, s_line)
        start = _offset(text, 0, start_pos.character, line_base, 0)
        end = _offset(text, e_line - s_line, end_pos.character, line_base, 0)
        text = text[:start] + change.text + text[end:]
    return text


class Sync:
    """Documents and disk → the indexes → the publisher; `adopt` gives a loose document a folder."""

    def __init__(self, session: Session, adopt: Callable[[str], None], redetect: Callable[[], Awaitable[None]] | None = None):
        self.session = session
        self.adopt = adopt
        self.redetect = redetect  # a file that says the pi-crew version changed: detect it again
        self._closing: dict[str, int] = {}
        self._disk: DiskWatcher | None = None
        self._registration_id: str | None = None

    # ------------------------------------------------------------ documents

    def did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        session = self.session
        td = params.text_document
        path = session.uris.remember(td.uri)
        if path is None:
            return
        session.docs[path] = Doc(td.uri, path, td.text, td.version)
        session.metrics.documents_changed()
        self._closing.pop(path, None)
        if not session.project.holding(path):
            self.adopt(path)
        self.apply(path, td.text, force=session.project.owner(path) is not None)

    def did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        session = self.session
        path = session.uris.path(params.text_document.uri)
        doc = session.docs.get(path) if path else None
        if doc is None:
            return
        doc.text = apply_changes(doc.text, params.content_changes)
        doc.version = params.text_document.version
        session.diagnostics.edited(doc.path)
        self.apply(doc.path, doc.text, typed=True)

    async def did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        session = self.session
        path = session.uris.path(params.text_document.uri)
        if path is None or session.docs.pop(path, None) is None:
            return
        session.metrics.documents_changed()
        ticket = self._closing[path] = self._closing.get(path, 0) + 1
        ((_path, loader),) = session.project.loaders([path])
        loaded = await asyncio.to_thread(loader.load, path)
        if self._closing.get(path) != ticket or path in session.docs:
            return  # reopened meanwhile: the open text wins
        self._closing.pop(path, None)
        for folder in session.project.holding(path):
            if loaded.stamp is None:
                folder.stamps.pop(path, None)
            else:
                folder.stamps[path] = loaded.stamp
        self.apply(path, loaded.text, loaded.problem)
        if loaded.text is None:
            session.diagnostics.mark({path})

    async def did_save(self, params: T.DidSaveTextDocumentParams) -> None:
        session = self.session
        path = session.uris.path(params.text_document.uri)
        if path is None:
            return
        doc = session.docs.get(path)
        if doc is not None:
            if params.text is not None and params.text != doc.text:
                doc.text = params.text
                self.apply(path, doc.text)
            stamp = await asyncio.to_thread(stamp_of, path)
            for folder in session.project.holding(path):
                if stamp is not None:
                    folder.stamps[path] = stamp
            return
        await self.reload([path])

    def apply(self, path: str, text: str | None, problem: Problem | None = None, *, force: bool = False,
              typed: bool = False) -> None:
        """Put a text (None = gone; not read when there is a problem) into every index holding the path;
        queue what it affects (`typed`: an edit of the open document, part of a burst when quick)."""
        session = self.session
        changed = session.project.set_text(path, text, problem)
        paths: set[str] = set()
        for affected in changed.values():
            paths |= affected
        if force:
            session.diagnostics.mark(paths | {path}, republish={path})
        else:
            session.diagnostics.mark(paths, typed=path if typed else None)

    # ------------------------------------------------------------ disk

    async def reload(self, paths: Iterable[str]) -> None:
        """Re-read files from disk (not open ones: the editor's text wins) and apply them."""
        session = self.session
        todo = [p for p in dict.fromkeys(paths) if p not in session.docs]
        if not todo:
            return
        readers = session.project.loaders(todo)
        results = await asyncio.to_thread(lambda: [(p, loader.load(p)) for p, loader in readers])
        for path, loaded in results:
            if path in session.docs:
                continue
            holding = session.project.holding(path)
            if loaded.text is None:
                for folder in holding:
                    folder.stamps.pop(path, None)
                if any(path in f.snapshot.resources for f in holding):
                    self.apply(path, None)
                    session.diagnostics.mark({path})
                else:
                    self._remove_under(path)
                continue
            for folder in holding:
                folder.stamps[path] = loaded.stamp
            self.apply(path, loaded.text, loaded.problem)

    def _remove_under(self, directory: str) -> None:
        """A deleted folder: drop every indexed file below it."""
        session = self.session
        prefix = directory.rstrip(os.sep) + os.sep
        gone: set[str] = set()
        for folder in session.project.folders:
            gone |= {p for p in folder.snapshot.resources if p.startswith(prefix) and p not in session.docs}
        for path in sorted(gone):
            for folder in session.project.holding(path):
                folder.stamps.pop(path, None)
            self.apply(path, None)
        session.diagnostics.mark(gone)

    async def did_change_watched_files(self, params: T.DidChangeWatchedFilesParams) -> None:
        session = self.session
        changes = []
        for change in params.changes:
            path = session.uris.path(change.uri)
            if path is not None:
                changes.append((path, change.type == T.FileChangeType.Deleted))
        await self.disk_changed(changes)

    async def disk_changed(self, changes: list[tuple[str, bool]]) -> None:
        """Paths changed on disk (with whether each was deleted): re-read those the indexes hold; any
        other (a created folder, a file of a new root) makes the server look at every folder again; a
        file that says which pi-crew version runs makes it detect the version again."""
        paths: list[str] = []
        rescan = False
        version_changed = False
        for folder in self.session.project.folders:
            if not folder.ready.is_set():
                folder.missed_changes = True  # (its load may have read the files before the change)
        for path, deleted in changes:
            if is_version_source(path):
                version_changed = True
            elif deleted or self.session.project.holding(path):
                paths.append(path)
            else:
                rescan = True
        if version_changed and self.redetect is not None:
            await self.redetect()
        await self.reload(paths)
        if rescan:
            await self.rescan()

    async def rescan(self) -> bool:
        """Compare every folder with the disk and apply the differences; whether there were any."""
        session = self.session
        differed = False
        for folder in list(session.project.folders):
            if not folder.ready.is_set():
                folder.missed_changes = True  # (compared once it is loaded)
                continue
            folder.missed_changes = False
            known = dict(folder.stamps)
            for path, res in folder.snapshot.resources.items():
                if path not in known and path not in session.docs and res.scope != "loose":
                    known[path] = (-1, -1)
            changed = await asyncio.to_thread(disk_changes, folder.ws, known)
            if changed:
                differed = True
                await self.reload([p for p in changed if p not in session.docs])
        return differed

    # ------------------------------------------------------------ watchers

    async def register_watchers(self) -> None:
        """File watchers asked of the client when it can register them; otherwise the server's own."""
        session = self.session
        client = session.client
        if not client.watch_dynamic:
            self.watch_disk()
            return
        watchers = file_watchers([f.ws for f in session.project.folders], client.watch_relative, session.uris.uri)
        registration_id = str(uuid.uuid4())
        try:
            await session.request(T.CLIENT_REGISTER_CAPABILITY, T.RegistrationParams(registrations=[
                T.Registration(id=registration_id, method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                               register_options=T.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)),
            ]))
            self._registration_id = registration_id
        except Exception as exc:
            session.log_error("registering file watchers failed; watching the folders instead", exc)
            self.watch_disk()

    def watch_disk(self) -> None:
        """The server's own watcher (disk_watch.py) over every folder of the session."""
        if self._disk is None:
            project = self.session.project
            self._disk = DiskWatcher(lambda: directories_to_watch([f.ws for f in list(project.folders)]),
                                     self.disk_changed, self.rescan, self.session.log_error)
        self._disk.start()

    async def folders_changed(self) -> None:
        """A folder was added or removed: the server's own watcher watches what the folders list now."""
        if self._disk is not None:
            await self._disk.refresh()

    async def stop(self) -> None:
        if self._disk is not None:
            await self._disk.stop()


__all__ = ["Sync", "apply_changes"]
