"""A head-start child's diagnostics, published before the folder is indexed (docs/architecture.md, Head start).

`server/head_start.py` started `crew-lsp check --server-format` for a folder before the server's own
imports, from the `initializationOptions` alone. Once `initialized` arrives, an `EarlyCheck`:

1. reads the settings as they will be — the options merged with the client's configuration answer,
   as plain JSON (`raw_settings.checker_options`) — and keeps the child only when they run it exactly
   as it was started;
2. discovers and scans the folder as the server does (`Workspace.discover`, `list_files`) and computes
   the folder's cache key from that scan;
3. publishes the child's diagnostics when its key is that one, as cached ones are (`publish_found`:
   never for an open document).

The folder is indexed (folder_loading.py) from that same scan. When the validated settings open the folder
exactly so (`serves`), the server checks only its open documents; otherwise the child is stopped and
the folder is checked in the server, which corrects whatever was published early.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Awaitable, Callable

from crew_lsp.cache.key import workspace_part
from crew_lsp.resources.discovery import Workspace
from crew_lsp.server import checker_child
from crew_lsp.server.project import Listing, list_files
from crew_lsp.server.raw_settings import checker_options

if TYPE_CHECKING:
    from crew_lsp.cache.key import Key
    from crew_lsp.server.head_start import Child
    from crew_lsp.server.project import Folder
    from crew_lsp.server.session import Session


@dataclass(frozen=True)
class Scanned:
    """The folder as the child's settings open it: the workspace, its scan and the key of that scan."""

    workspace: str  # (cache.key.workspace_part: every root and the version read as)
    listing: Listing
    key: Key
    reported: Callable[[str], bool]


class EarlyCheck:
    """One folder's head-start child, from `initialized` until the folder is indexed."""

    def __init__(self, session: Session, path: str, child: Child, settings: Awaitable[dict]):
        self.session = session
        self.path = path
        self.child = child
        # clear while the child's output is decoded and published: the folder's reading waits (both
        # need the interpreter, and the folder's problems come first)
        self.not_publishing = asyncio.Event()
        self.not_publishing.set()
        self.scanned: asyncio.Task[Scanned | None] = session.spawn(self._scan(settings))
        self.published: asyncio.Task[list[str] | None] = session.spawn(self._publish())

    async def _scan(self, settings: Awaitable[dict]) -> Scanned | None:
        options = checker_options(await settings)
        if options is None or checker_child.command_for(self.path, *options) != self.child.argv:
            self.child.stop()  # (the settings changed what the child would check)
            return None
        try:
            ws = await asyncio.to_thread(Workspace.discover, self.path, [], options[1])
            listing = await list_files(ws)
            key = await asyncio.to_thread(checker_child.own_key, ws, listing[1])
        except Exception as exc:
            self.session.log_error(f"opening {self.path} failed", exc)
            self.child.stop()
            return None
        return Scanned(workspace_part(ws), listing, key, ws.reported_filter())

    async def _publish(self) -> list[str] | None:
        """The paths published from the child; None when it failed, or checked another state of the folder."""
        scanned = await self.scanned
        if scanned is None:
            return None
        done = await self.child.output()
        if done is None:
            self.session.log_error(f"checking {self.path} in a child process failed to start or took over "
                                   f"{checker_child.CHILD_TIMEOUT_S:.0f} s", None)
            return None
        self.not_publishing.clear()
        try:
            result = await checker_child.read_output(self.session, self.path, *done)
            return await checker_child.publish_if_same(self.session, self.path, result, scanned.key, scanned.reported)
        finally:
            self.not_publishing.set()

    def serves(self, folder: Folder, scanned: Scanned) -> bool:
        """Whether the folder, opened with the validated settings, is the one the child checks."""
        session = self.session
        return (not session.severity_overrides and not session.settings.roots
                and checker_child.command(session, folder) == self.child.argv
                and workspace_part(folder.ws) == scanned.workspace)

    async def withdraw(self) -> list[str]:
        """Stop the child: the folder is checked in the server. The paths already published from it."""
        self.child.stop()
        return await self.published or []

    async def own_key(self) -> Key | None:
        """The key of the server's own scan of the folder (None: the child is not kept)."""
        scanned = await self.scanned
        return scanned.key if scanned is not None else None

    async def facts_line(self) -> bytes | None:
        """The child's facts line, as soon as it comes (None: it ended without one)."""
        return await self.child.facts_line()


class EarlyChecks:
    """The session's early checks by folder, from `initialized` until each folder is loaded."""

    def __init__(self, session: Session):
        self.session = session
        self._by_folder: dict[Folder, EarlyCheck] = {}

    def adopt(self, folder: Folder | None, check: EarlyCheck | None) -> None:
        """The folder a head-start child's path was opened as (none: the child is stopped)."""
        if check is None:
            return
        if folder is None:
            self.session.spawn(check.withdraw())
        else:
            self._by_folder[folder] = check

    def take(self, folder: Folder) -> EarlyCheck | None:
        """The folder's early check, for loading the folder (once)."""
        return self._by_folder.pop(folder, None)

    async def listing(self, folder: Folder) -> Listing | None:
        """The scan the folder's child was checked against, when the child checks the folder as the
        validated settings open it; else None, and the child is withdrawn (what it published is
        marked, to be corrected once the folder is checked in the server)."""
        early = self._by_folder.get(folder)
        if early is None:
            return None
        scanned = await early.scanned
        if scanned is not None and early.serves(folder, scanned):
            return scanned.listing
        self.session.diagnostics.mark(await self.withdraw(folder))
        return None

    async def withdraw(self, folder: Folder) -> set[str]:
        """Stop a folder's child before the folder is loaded (it is removed or opened otherwise); the
        paths the child published."""
        early = self._by_folder.pop(folder, None)
        return set(await early.withdraw()) if early is not None else set()
