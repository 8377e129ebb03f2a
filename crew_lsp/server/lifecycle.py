"""Session lifecycle of `CrewServer`: initialize, workspace folders and their indexing, settings changes."""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types as T

from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.capabilities import Flags
from crew_lsp.server.convert import DiagnosticStyle, EditStyle
from crew_lsp.server.project import Folder, count_files, load_folder
from crew_lsp.server.settings import Settings, merge, section

PROGRESS_MIN_FILES = 200  # index loads of fewer files finish too fast to be worth a progress bar
READY_TIMEOUT_S = 10.0
GC_SETTLE_TIMEOUT_S = 10.0  # the GC stays paused at most this long after a load


class WorkspaceLifecycle:
    """The lifecycle part of `CrewServer` (uses its state: project, docs, settings, publisher, flags)."""

    # ------------------------------------------------------------ lifecycle

    def on_initialize(self, params: T.InitializeParams) -> None:
        self.loop = asyncio.get_running_loop()
        caps = params.capabilities
        self.flags = Flags(caps)
        self.diag_style = DiagnosticStyle(caps)
        self.edit_style = EditStyle(caps)
        self._init_options = section(params.initialization_options)
        self._apply_settings_values(self._init_options, initial=True)
        folders: list[str] = []
        for wf in params.workspace_folders or []:
            path = self.uris.path(wf.uri)
            if path:
                folders.append(path)
        if not folders:
            root = params.root_uri
            path = self.uris.path(root) if root else params.root_path
            if path:
                folders.append(path)
        for path in dict.fromkeys(folders):
            self._add_folder(path)

    def _add_folder(self, path: str, implicit: bool = False) -> Folder | None:
        try:
            ws = Workspace.discover(path, self.settings.roots)
        except Exception as exc:
            self.log_error(f"cannot open workspace folder {path}", exc)
            return None
        if self.project.find(ws.folder) is not None:
            return None
        return self.project.add(ws, implicit=implicit)

    async def on_initialized(self) -> None:
        if self.process_id and self.process_id != os.getpid() and os.name == "posix":  # os.kill(pid, 0) kills on Windows
            self.spawn(self._watch_parent(self.process_id))
        if self.flags.config_pull:
            raw = await self._fetch_configuration()
            if raw:
                self._client_settings = raw
                old, new = self._apply_settings_values(merge(self._init_options, raw), initial=True)
                if old.roots != new.roots:  # nothing is loaded yet: rediscover with the new roots
                    for folder in list(self.project.folders):
                        self.project.remove(folder)
                        self._add_folder(str(folder.ws.folder), implicit=folder.implicit)
        self.spawn(self.sync.register_watchers())
        await self.load(list(self.project.folders))
        if self.runs is not None:  # interrupted runs of a previous server (docs/runs.md, Reliability)
            self.spawn(self.runs.startup())

    async def load(self, folders: list[Folder]) -> None:
        """Index folders in the background, then apply open documents and check everything."""
        folders = [f for f in folders if not f.ready.is_set()]
        if not folders:
            return
        total = 0
        counts = {}
        for folder in folders:
            counts[folder] = await count_files(folder.ws)
            total += counts[folder]
        # the cyclic GC would repeatedly walk the growing index while it is built and checked (tens of
        # milliseconds of cold start for nothing: the index is long-lived): paused until the first
        # diagnostics are out, then one full collection and a freeze (`_gc_settle`)
        self._gc_pause()
        try:
            await self._load(folders, counts, total)
        finally:
            self.spawn(self._gc_settle())

    async def _load(self, folders: list[Folder], counts: dict[Folder, int], total: int) -> None:
        token = await self._progress_begin("crew-lsp: indexing", total) if total >= PROGRESS_MIN_FILES else None
        done_before = 0
        for folder in folders:
            def report(done: int, _total: int, base: int = done_before) -> None:
                if token is not None:
                    self._progress_report(token, base + done, total)
            try:
                await load_folder(folder, report)
            except Exception as exc:
                self.log_error(f"indexing {folder.path} failed", exc)
            done_before += counts[folder]
            self._folder_ready(folder)
        if token is not None:
            self._progress_end(token, f"{total} files indexed")

    _gc_paused = 0
    _gc_was_enabled = True

    def _gc_pause(self) -> None:
        if self._gc_paused == 0:
            self._gc_was_enabled = gc.isenabled()
            gc.disable()
        self._gc_paused += 1

    async def _gc_settle(self) -> None:
        """After a load: once its diagnostics are published, collect once and freeze the index."""
        try:
            await self.publisher.idle(GC_SETTLE_TIMEOUT_S)
        finally:
            self._gc_paused -= 1
            if self._gc_paused == 0:
                # the freshly loaded index is long-lived: keep it out of the cyclic GC's full collections,
                # which otherwise walk every parsed file and add tens of milliseconds to a random keystroke
                gc.collect()
                gc.freeze()
                if self._gc_was_enabled:
                    gc.enable()

    def _folder_ready(self, folder: Folder) -> None:
        for path, doc in self.docs.items():
            if folder.classifies(path):
                folder.set_text(path, doc.text)
        folder.ready.set()
        self.publisher.enabled = True
        paths = {p for p in folder.snapshot.resources if folder.reported(p) or p in self.docs}
        self.publisher.mark(paths)
        self.publisher.force.update(p for p in self.docs if folder.classifies(p))

    def adopt(self, path: str) -> None:
        """A document outside every workspace folder: give it a folder of its own (its repo root)."""
        ws = self.project.implicit_for(path, self.settings.roots)
        if ws is None:
            return
        folder = self.project.add(ws, implicit=True)
        if self.loop is not None:
            self.spawn(self.load([folder]))

    async def _fetch_configuration(self) -> dict[str, Any]:
        try:
            result = await asyncio.wait_for(self.workspace_configuration_async(
                T.ConfigurationParams(items=[T.ConfigurationItem(section="crew")])), 5.0)
        except Exception as exc:
            self.log_error("workspace/configuration failed", exc)
            return {}
        if isinstance(result, (list, tuple)) and result and isinstance(result[0], dict):
            return section(result[0])
        return {}

    # ------------------------------------------------------------ progress

    async def _progress_begin(self, title: str, total: int) -> str | None:
        if not self.flags.progress:
            return None
        token = str(uuid.uuid4())
        try:
            # never cancelled while the client answers `create` (a known pygls failure mode)
            await asyncio.shield(self.work_done_progress.create_async(token))
        except Exception:
            return None
        self.work_done_progress.begin(token, T.WorkDoneProgressBegin(
            title=title, percentage=0, message=f"0/{total} files", cancellable=False))
        return token

    def _progress_report(self, token: str, done: int, total: int) -> None:
        pct = int(done * 100 / total) if total else 100
        self.work_done_progress.report(token, T.WorkDoneProgressReport(percentage=min(pct, 100), message=f"{done}/{total} files"))

    def _progress_end(self, token: str, message: str) -> None:
        self.work_done_progress.end(token, T.WorkDoneProgressEnd(message=message))

    # ------------------------------------------------------------ settings

    async def on_did_change_configuration(self, params: T.DidChangeConfigurationParams) -> None:
        raw = section(params.settings) if isinstance(params.settings, dict) else {}
        if not raw and self.flags.config_pull:
            raw = await self._fetch_configuration()
        self._client_settings = raw
        await self.apply_settings(merge(self._init_options, raw))

    def _apply_settings_values(self, raw: dict[str, Any], initial: bool = False) -> tuple[Settings, Settings]:
        new, warnings = Settings.from_raw(raw)
        old = self.settings
        self.settings = new
        self.severity_overrides = new.severity_overrides() or None
        for w in warnings:
            self.log(f"crew-lsp: {w}", T.MessageType.Warning)
        return old, new

    async def apply_settings(self, raw: dict[str, Any]) -> None:
        """A changed setting re-checks what it affects; nothing restarts."""
        old, new = self._apply_settings_values(raw)
        if old.roots != new.roots:
            await self._reopen_folders()
            return
        if old.diagnostics.severity != new.diagnostics.severity:
            self.publisher.mark(self.project.reported_paths() | set(self.publisher.cache) | set(self.docs))

    async def _reopen_folders(self) -> None:
        before = set(self.publisher.cache) | set(self.publisher.pushed)
        old = list(self.project.folders)
        for folder in old:
            self.project.remove(folder)
        for folder in old:
            self._add_folder(str(folder.ws.folder), implicit=folder.implicit)
        await self.load(list(self.project.folders))
        now = self.project.reported_paths() | set(self.docs)
        for path in before - now:
            self.publisher.clear(path)

    async def on_workspace_folders(self, params: T.DidChangeWorkspaceFoldersParams) -> None:
        removed_paths: set[str] = set()
        for wf in params.event.removed:
            path = self.uris.path(wf.uri)
            folder = self.project.find(Path(path).resolve()) if path else None
            if folder is not None:
                removed_paths |= set(folder.snapshot.resources)
                self.project.remove(folder)
        added = []
        for wf in params.event.added:
            path = self.uris.path(wf.uri)
            if path:
                folder = self._add_folder(path)
                if folder is not None:
                    added.append(folder)
        await self.load(added)
        for path in removed_paths:
            if self.project.owner(path) is None or not (self.project.owner(path).reported(path) or path in self.docs):
                self.publisher.clear(path)

    def request_diagnostic_refresh(self) -> None:
        if self.flags.pull_refresh:
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception as exc:
                self.log_error("diagnostic refresh failed", exc)

    # ------------------------------------------------------------ helpers for features

    async def folder_ready(self, folder: Folder) -> bool:
        if folder.ready.is_set():
            return True
        try:
            await asyncio.wait_for(folder.ready.wait(), READY_TIMEOUT_S)
        except asyncio.TimeoutError:
            return False
        return True
