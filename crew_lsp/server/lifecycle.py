"""The session's lifecycle: initialize, workspace folders (indexed by folder_loading.py), settings changes."""

from __future__ import annotations

import asyncio
import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from lsprotocol import types as T

from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.early_diagnostics import EarlyCheck, EarlyChecks
from crew_lsp.server.folder_loading import GC_SETTLE_TIMEOUT_S, FolderLoading
from crew_lsp.server.head_start import HeadStart
from crew_lsp.server.profile import ClientProfile
from crew_lsp.server.project import Folder
from crew_lsp.server.sync import Sync

if TYPE_CHECKING:
    from crew_lsp.server.session import Session
    from crew_lsp.server.settings import Settings

EARLY_SCAN_WAIT_S = 1.0  # the settings load after the head-start scans, unless these take longer


class Lifecycle:
    """From `initialize` to `shutdown`: what the session holds, and when it is (re)loaded.

    `initialize` only records what the client sent, so its answer never waits for the workspace or
    for the settings model; after `initialized` the settings model is imported in a worker thread, the
    settings validated and the folders opened before any later message is handled (they wait, the
    event loop stays free: `_open`), and the folders are indexed in the background.
    """

    def __init__(self, session: Session, watch_parent: Callable[[int], Awaitable[None]],
                 after_load: Callable[[], Any] = lambda: None, prepare: Callable[[], Any] = lambda: None):
        self.session = session
        self._after_load = after_load  # loads what `initialize` was answered without (app.load_services)
        self._prepare = prepare  # imports what `after_load` needs, in a worker thread (app.import_services)
        self.sync = Sync(session, self.adopt, self.redetect_versions)
        self._watch_parent = watch_parent
        self._process_id: int | None = None
        self._folders: list[str] = []
        self._init_options: dict[str, Any] = {}
        self._ignored_program_settings: set[str] = set()
        self._told_newer: set[tuple[int, int, int]] = set()  # versions newer than known, already told
        self.head_start = HeadStart()  # what `crew-lsp serve` started before its imports (server/head_start.py)
        self._early = EarlyChecks(session)  # folders whose head-start child is still to be used
        self.loading = FolderLoading(session, self.sync, self._early)
        self._config: asyncio.Future[dict[str, Any]] | None = None  # the client's configuration answer

    # ------------------------------------------------------------ lifecycle

    def initialize(self, params: T.InitializeParams) -> None:
        """Record what the client sent; the answer follows at once (nothing is read or validated here)."""
        session = self.session
        session.loop = asyncio.get_running_loop()
        session.client = ClientProfile(params.capabilities)
        self._process_id = params.process_id
        self._init_options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        folders: list[str] = []
        for wf in params.workspace_folders or []:
            path = session.uris.path(wf.uri)
            if path:
                folders.append(path)
        if not folders:
            root = params.root_uri
            path = session.uris.path(root) if root else params.root_path
            if path:
                folders.append(path)
        self._folders = list(dict.fromkeys(folders))

    def initialized(self) -> None:
        """Settings from initializationOptions, then the folders (`_open`); the rest continues in the background."""
        self.head_start.server_started()  # (a large folder's child now checks on every core)
        # importing the settings model (pydantic) takes about 100 ms: in a worker thread, while the
        # client's next messages wait — except requests about files outside every folder (a client's
        # liveness probe, a loose file never opened), which nothing being opened can change
        self.session.hold_messages(self._outside_the_folders)
        self.session.spawn(self._open())

    def _outside_the_folders(self, message: Any) -> bool:
        if not (isinstance(message, dict) and "id" in message and isinstance(message.get("params"), dict)):
            return False
        document = message["params"].get("textDocument")
        uri = document.get("uri") if isinstance(document, dict) else None
        path = self.session.uris.path(uri) if isinstance(uri, str) else None
        return path is not None and not any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in self._folders)

    async def _open(self) -> None:
        try:
            early = self._early_checks()
            # their scans first (a few milliseconds each, slower when sharing the interpreter with the
            # import): the diagnostics of a child done meanwhile go out before the settings model loads
            # (not longer than EARLY_SCAN_WAIT_S: a client slow to answer the configuration would hold
            # its own messages)
            if early:
                await asyncio.wait([check.scanned for check in early.values()], timeout=EARLY_SCAN_WAIT_S)
            await asyncio.to_thread(importlib.import_module, "crew_lsp.server.settings")
            from crew_lsp.server.raw_settings import section

            self._init_options = section(self._init_options)
            self._apply_settings_values(self._init_options)
            for path in self._folders:
                self._early.adopt(self._add_folder(path), early.pop(path, None))
            pid = self._process_id
            if pid and pid != os.getpid() and os.name == "posix":  # os.kill(pid, 0) kills on Windows
                self.session.spawn(self._watch_parent(pid))
            self.session.spawn(self._after_initialized())
        finally:
            self.session.release_messages()  # (after the loading started: a released `shutdown` stops it)

    def _early_checks(self) -> dict[str, EarlyCheck]:
        """The head-start children (by folder path), each publishing once the settings and the folder's
        scan show it checks what the server would; the configuration is asked for at once for them."""
        children = self.head_start.children  # (kept there: `HeadStart.stop` ends any still running)
        if not children:
            return {}
        if self.session.client.config_pull:
            self._config = asyncio.ensure_future(self._fetch_configuration())
        settings = asyncio.ensure_future(self._client_settings())
        return {path: EarlyCheck(self.session, path, child, settings) for path, child in children.items()}

    async def _client_settings(self) -> dict[str, Any]:
        """The `crew` section as the client gives it, before validation: the options and the answer."""
        from crew_lsp.server.raw_settings import merge, section

        options = section(self._init_options)
        return merge(options, await self._config) if self._config is not None else options

    async def _after_initialized(self) -> None:
        session = self.session
        if session.client.config_pull:
            raw = await (self._config if self._config is not None else self._fetch_configuration())
            if raw:
                from crew_lsp.server.raw_settings import merge

                old, new = self._apply_settings_values(merge(self._init_options, raw))
                if old.roots != new.roots or old.piCrewVersion != new.piCrewVersion:  # nothing is loaded yet: rediscover
                    for folder in list(session.project.folders):
                        session.project.remove(folder)
                        await self._early.withdraw(folder)  # (it checked the folder as the options opened it)
                        self._add_folder(str(folder.ws.folder), implicit=folder.implicit)
        session.spawn(self.sync.register_watchers())
        await self.loading.load(list(session.project.folders))
        session.spawn(self._load_services())

    async def _load_services(self) -> None:
        """The command handlers, the run service and the metrics, once the first diagnostics are out:
        importing them (the engine, pydantic, prometheus_client) would otherwise delay those."""
        session = self.session
        await session.diagnostics.idle(GC_SETTLE_TIMEOUT_S)
        await asyncio.to_thread(self._prepare)
        self._after_load()
        if session.runs is not None:  # interrupted runs of a previous server (docs/runs.md, Reliability)
            session.spawn(session.runs.startup())

    def _add_folder(self, path: str, implicit: bool = False) -> Folder | None:
        session = self.session
        try:
            ws = Workspace.discover(path, session.settings.roots, session.settings.piCrewVersion)
        except Exception as exc:
            session.log_error(f"cannot open workspace folder {path}", exc)
            return None
        if session.project.find(ws.folder) is not None:
            return None
        self._tell_version(ws)
        return session.project.add(ws, implicit=implicit)

    def _tell_version(self, ws: Workspace) -> None:
        """Log the version a folder is read as; say once per session when it is newer than crew-lsp knows."""
        found = ws.detection
        if found is None:
            return
        self.session.log(f"crew-lsp: {ws.folder} is read as {found.describe()}"
                         + (f"; {ws.user_config_why}" if ws.user_config_why else ""), T.MessageType.Info)
        if found.newer_than_known and found.newer_than_known not in self._told_newer:
            self._told_newer.add(found.newer_than_known)
            self.session.show_info(f"crew-lsp: {found.describe()}.")

    def adopt(self, path: str) -> None:
        """A document outside every workspace folder: give it a folder of its own (its repo root)."""
        session = self.session
        ws = session.project.implicit_for(path, session.settings.roots, session.settings.piCrewVersion)
        if ws is None:
            return
        folder = session.project.add(ws, implicit=True)
        if session.loop is not None:
            session.spawn(self.loading.load([folder]))

    async def _fetch_configuration(self) -> dict[str, Any]:
        try:
            result = await asyncio.wait_for(self.session.request(
                T.WORKSPACE_CONFIGURATION, T.ConfigurationParams(items=[T.ConfigurationItem(section="crew")])), 5.0)
        except Exception as exc:
            self.session.log_error("workspace/configuration failed", exc)
            return {}
        if isinstance(result, (list, tuple)) and result and isinstance(result[0], dict):
            return self.client_section(result[0])
        return {}

    def client_section(self, raw: Any) -> dict[str, Any]:
        """The `crew` section of a configuration the client sends or answers (not initializationOptions):
        settings that choose a program are dropped — the answer may come from the repository's own
        editor settings — with one warning per setting and session."""
        from crew_lsp.server.raw_settings import section, without_program_settings

        data, dropped = without_program_settings(section(raw))
        new = [name for name in dropped if name not in self._ignored_program_settings]
        if new:
            self._ignored_program_settings.update(new)
            names = ", ".join(new)
            self.session.show_warning(f"crew-lsp: {names} ignored: workspace settings cannot choose the program a "
                                      "worker runs, open a port or send data elsewhere (a cloned repository could "
                                      "set them). Set them in your user settings.")
        return data

    # ------------------------------------------------------------ settings

    async def did_change_configuration(self, params: T.DidChangeConfigurationParams) -> None:
        from crew_lsp.server.raw_settings import merge

        raw = self.client_section(params.settings) if isinstance(params.settings, dict) else {}
        if not raw and self.session.client.config_pull:
            raw = await self._fetch_configuration()
        await self.apply_settings(merge(self._init_options, raw))

    def _apply_settings_values(self, raw: dict[str, Any]) -> tuple[Settings, Settings]:
        from crew_lsp.server.settings import Settings

        session = self.session
        new, warnings = Settings.from_raw(raw)
        old = getattr(session, "settings", new)  # the first settings of the session replace nothing
        session.settings = new
        session.severity_overrides = new.severity_overrides() or None
        for w in warnings:
            session.log(f"crew-lsp: {w}", T.MessageType.Warning)
        return old, new

    async def apply_settings(self, raw: dict[str, Any]) -> None:
        """A changed setting re-checks what it affects; nothing restarts."""
        old, new = self._apply_settings_values(raw)
        if old.roots != new.roots or old.piCrewVersion != new.piCrewVersion:
            await self._reopen_folders()  # (another version reads every file differently: index again)
            return
        session = self.session
        if old.diagnostics.severity != new.diagnostics.severity:
            session.diagnostics.mark(session.project.reported_paths() | session.diagnostics.known() | set(session.docs))

    async def redetect_versions(self) -> None:
        """A pi settings file or an installed package changed: index again the folders whose version changed."""
        from crew_lsp.resources.version_detect import detect

        session = self.session
        for folder in session.project.folders:
            found = folder.ws.detection
            try:
                now = detect(folder.ws.repo, session.settings.piCrewVersion)
            except Exception as exc:
                session.log_error("detecting the pi-crew version failed", exc)
                return
            if found is None or (now.version, now.newer_than_known) != (found.version, found.newer_than_known):
                await self._reopen_folders()
                return

    async def _reopen_folders(self) -> None:
        session = self.session
        before = session.diagnostics.known()
        old = list(session.project.folders)
        for folder in old:
            session.project.remove(folder)
            await self._early.withdraw(folder)
        for folder in old:
            self._add_folder(str(folder.ws.folder), implicit=folder.implicit)
        await self.loading.load(list(session.project.folders))
        now = session.project.reported_paths() | set(session.docs)
        for path in before - now:
            session.diagnostics.clear(path)

    async def workspace_folders_changed(self, params: T.DidChangeWorkspaceFoldersParams) -> None:
        session = self.session
        project = session.project
        removed_paths: set[str] = set()
        for wf in params.event.removed:
            path = session.uris.path(wf.uri)
            folder = project.find(Path(path).resolve()) if path else None
            if folder is not None:
                removed_paths |= set(folder.snapshot.resources) | await self._early.withdraw(folder)
                project.remove(folder)
        added = []
        for wf in params.event.added:
            path = session.uris.path(wf.uri)
            if path:
                folder = self._add_folder(path)
                if folder is not None:
                    added.append(folder)
        await self.loading.load(added)
        await self.sync.folders_changed()
        for path in removed_paths:
            owner = project.owner(path)
            if owner is None or not (owner.reported(path) or path in session.docs):
                session.diagnostics.clear(path)

    async def shutdown(self) -> None:
        self.head_start.stop()
        await self.sync.stop()
        self.session.cancel_background()
        self.session.metrics.close()
