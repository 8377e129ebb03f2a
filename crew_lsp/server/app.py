"""The language server: pygls glue, session state, capabilities, lifecycle, settings.

Layout of `crew_lsp.server` (each module maps one LSP area onto the pure layers below it):
- app.py          this file: `CrewServer` (state + lifecycle), `CrewProtocol`, `serve()`
- settings.py     the `crew` settings model (initializationOptions / didChangeConfiguration)
- project.py      one effective index per workspace folder, routing paths to indexes
- sync.py         open documents (incremental sync) and watched files
- diagnostics.py  push/pull diagnostics with per-file hashes and a debounce timer
- features.py     LSP requests → crew_lsp.language.*
- commands.py     workspace/executeCommand registry (pydantic-validated arguments)
- convert.py      core types ↔ lsprotocol, paths ↔ URIs
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types as T
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from crew_lsp import __version__
from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.convert import DiagnosticStyle, EditStyle, Uris
from crew_lsp.server.diagnostics import Publisher
from crew_lsp.server.project import Folder, Project, count_files, load_folder
from crew_lsp.server.settings import Settings, merge, section
from crew_lsp.server.sync import Doc, Sync

log = logging.getLogger(__name__)

PROGRESS_MIN_FILES = 200  # index loads of fewer files finish too fast to be worth a progress bar
READY_TIMEOUT_S = 10.0
PARENT_POLL_S = 2.0
LANGUAGE_MODULES = ("completion", "hover", "navigation", "symbols", "lenses", "hints", "structure", "tokens",
                    "actions", "formatting")


def _redact(text: str) -> str:
    try:
        from crew_lsp.telemetry.redact import redact_text
    except Exception:  # pragma: no cover - telemetry is optional for the server
        return text
    return redact_text(text)


class Flags:
    """What the client declared it supports (decided once, at initialize)."""

    def __init__(self, caps: T.ClientCapabilities | None):
        caps = caps or T.ClientCapabilities()

        def has(path: str, default: Any = False) -> Any:
            return get_capability(caps, path, default)

        self.snippets = bool(has("text_document.completion.completion_item.snippet_support"))
        self.completion_markdown = T.MarkupKind.Markdown in (has("text_document.completion.completion_item.documentation_format", []) or [])
        self.hover_markdown = T.MarkupKind.Markdown in (has("text_document.hover.content_format", []) or [T.MarkupKind.Markdown])
        self.pull = has("text_document.diagnostic", None) is not None
        self.pull_refresh = bool(has("workspace.diagnostics.refresh_support"))
        self.watch_dynamic = bool(has("workspace.did_change_watched_files.dynamic_registration"))
        self.watch_relative = bool(has("workspace.did_change_watched_files.relative_pattern_support"))
        self.progress = bool(has("window.work_done_progress"))
        self.config_pull = bool(has("workspace.configuration"))
        self.workspace_folders = bool(has("workspace.workspace_folders"))
        self.hierarchical_symbols = bool(has("text_document.document_symbol.hierarchical_document_symbol_support"))
        self.link_tooltip = bool(has("text_document.document_link.tooltip_support"))
        self.code_lens = has("text_document.code_lens", None) is not None
        self.inlay_hints = has("text_document.inlay_hint", None) is not None
        self.semantic_tokens = has("text_document.semantic_tokens", None) is not None
        self.folding = has("text_document.folding_range", None) is not None
        self.document_links = has("text_document.document_link", None) is not None
        self.code_action_literals = has("text_document.code_action.code_action_literal_support", None) is not None
        self.prepare_rename = bool(has("text_document.rename.prepare_support"))
        self.folding_limit = has("text_document.folding_range.range_limit", None)
        experimental = caps.experimental if isinstance(caps.experimental, dict) else {}
        self.crew_notifications = bool(experimental.get("crewNotifications"))


def available_language_modules() -> set[str]:
    found = set()
    for name in LANGUAGE_MODULES:
        try:
            if importlib.util.find_spec(f"crew_lsp.language.{name}") is not None:
                found.add(name)
        except (ImportError, ValueError):
            pass
    return found


class CrewProtocol(LanguageServerProtocol):
    """pygls' protocol with our own document store and capability set."""

    _server: CrewServer

    @lsp_method(T.INITIALIZE)
    def lsp_initialize(self, params: T.InitializeParams):
        result = yield from super().lsp_initialize(params)
        caps = self._server.build_capabilities()
        self.server_capabilities = caps
        result.capabilities = caps
        return result

    @lsp_method(T.WORKSPACE_EXECUTE_COMMAND)
    async def lsp_workspace__execute_command(self, params: T.ExecuteCommandParams) -> Any:
        # one task per request (pygls wraps commands in a generator whose inner task a
        # `$/cancelRequest` cannot reach): cancelling stops the command's work too
        from crew_lsp.server import commands

        return await commands.dispatch(self._server, params.command, list(params.arguments or []))

    # Documents are kept by `Sync` (incremental, LSP line rules); pygls' own copy is not maintained.
    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        self._server.guard("textDocument/didOpen", self._server.sync.did_open, params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        self._server.guard("textDocument/didChange", self._server.sync.did_change, params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    async def lsp_text_document__did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        await self._server.guard_async("textDocument/didClose", self._server.sync.did_close, params)


class CrewServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("crew-lsp", __version__, protocol_cls=CrewProtocol,
                         text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
                         converter_factory=default_converter)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.uris = Uris()
        self.docs: dict[str, Doc] = {}
        self.project = Project()
        self.settings = Settings()
        self.severity_overrides: dict[str, str] | None = None
        self.flags = Flags(None)
        self.diag_style = DiagnosticStyle(None)
        self.edit_style = EditStyle(None)
        self.publisher = Publisher(self)
        self.sync = Sync(self)
        self.modules = available_language_modules()
        self._init_options: dict[str, Any] = {}
        self._client_settings: dict[str, Any] = {}
        self._tasks: set[asyncio.Task] = set()
        self._errors: list[float] = []
        self._transport: asyncio.BaseTransport | None = None
        self.runs: Any = None  # the run service (crew_lsp.server.run_commands.RunService), when installed
        self.exit_code = 0
        self.started = time.monotonic()

    # ------------------------------------------------------------ plumbing

    def spawn(self, coro) -> asyncio.Task:
        """Run a background coroutine, keep a reference, log (never raise) its failure."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self.log_error("background task failed", t.exception())

        task.add_done_callback(done)
        return task

    def send_raw_notification(self, method: str, params: dict[str, Any]) -> None:
        """Send a notification built from plain JSON values (skips cattrs on hot paths)."""
        self.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})

    def log(self, message: str, kind: T.MessageType = T.MessageType.Log) -> None:
        try:
            self.window_log_message(T.LogMessageParams(type=kind, message=_redact(message)))
        except Exception:
            pass

    def log_error(self, context: str, exc: BaseException | None) -> None:
        """Report an internal failure as a redacted window/logMessage (rate limited); never raises."""
        now = time.monotonic()
        self._errors = [t for t in self._errors if now - t < 60.0]
        if len(self._errors) >= 30:
            return
        self._errors.append(now)
        detail = ""
        if exc is not None:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=8))
            detail = f": {type(exc).__name__}: {exc}\n{tb}"
        self.log(f"crew-lsp: {context}{detail}", T.MessageType.Error)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls reports handler failures here; a log line, never a popup
        if isinstance(error, JsonRpcException) and error.code in (-32602, -32800, -32803):
            return
        self.log_error("internal error", error)

    def guard(self, what: str, fn: Callable, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            self.log_error(f"{what} failed", exc)
            return None

    async def guard_async(self, what: str, fn: Callable, *args: Any) -> Any:
        try:
            return await fn(*args)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.log_error(f"{what} failed", exc)
            return None

    # ------------------------------------------------------------ capabilities

    def build_capabilities(self) -> T.ServerCapabilities:
        from crew_lsp.server import commands, features

        flags = self.flags
        caps = T.ServerCapabilities(
            position_encoding=T.PositionEncodingKind.Utf16,
            text_document_sync=T.TextDocumentSyncOptions(
                open_close=True, change=T.TextDocumentSyncKind.Incremental, save=T.SaveOptions(include_text=False),
            ),
            execute_command_provider=T.ExecuteCommandOptions(commands=commands.names()),
        )
        features.advertise(self, caps)
        if flags.pull:
            caps.diagnostic_provider = T.DiagnosticOptions(
                inter_file_dependencies=True, workspace_diagnostics=False, identifier="crew",
            )
        if flags.workspace_folders:
            caps.workspace = T.WorkspaceOptions(
                workspace_folders=T.WorkspaceFoldersServerCapabilities(supported=True, change_notifications=True),
            )
        return caps

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
        if self.runs is not None:  # interrupted runs of a previous server (engine §6)
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
        # the freshly loaded index is long-lived: keep it out of the cyclic GC's full collections,
        # which otherwise walk every parsed file and add tens of milliseconds to a random keystroke
        gc.collect()
        gc.freeze()
        if token is not None:
            self._progress_end(token, f"{total} files indexed")

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

    # ------------------------------------------------------------ transport

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """stdio with the input read by the event loop itself (no thread hop per message).

        pygls reads stdin through a thread pool: three executor round trips per message, each
        waiting for the GIL while a check runs, which adds milliseconds to every keystroke and
        delays `$/cancelRequest`. A pipe is read natively here; anything else falls back to pygls.
        """
        from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

        stdin = stdin or sys.stdin.buffer
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def main() -> None:
            loop = asyncio.get_running_loop()
            reader: Any
            try:
                stream = asyncio.StreamReader(limit=1 << 20)
                self._transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
                reader = stream
            except (OSError, ValueError):
                reader = StdinAsyncReader(stdin, self.thread_pool)
            await run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol,
                            logger=log, error_handler=self.report_server_error)
            if self.runs is not None:  # the client went away without `shutdown`: stop runs cleanly
                await self.guard_async("stopping runs", self.runs.aclose)

        try:
            asyncio.run(main())
        except BrokenPipeError:
            pass
        except asyncio.IncompleteReadError:
            pass  # the client went away mid-message
        except KeyboardInterrupt:
            pass
        except SystemExit as exc:  # `exit`: 0 after `shutdown`, 1 without (LSP)
            self.exit_code = exc.code if isinstance(exc.code, int) else 0
        finally:
            self.shutdown()

    def stop_reading(self) -> None:
        """End the session as if the client closed stdin (used when the editor process is gone)."""
        if self._transport is not None:
            self._transport.close()
        else:
            os._exit(0)

    async def _watch_parent(self, pid: int) -> None:
        """LSP: exit when the process that started us is gone (editors killed with -9 leave servers)."""
        while True:
            await asyncio.sleep(PARENT_POLL_S)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                self.log("crew-lsp: the editor process is gone; exiting")
                self.stop_reading()
                return
            except OSError:
                return  # exists but not ours to signal (another user): nothing to watch

    def send_crew_notification(self, method: str, params: dict[str, Any]) -> bool:
        """A custom `crew/*` notification, only to clients that opted in (experimental.crewNotifications)."""
        if not self.flags.crew_notifications:
            return False
        self.send_raw_notification(method, params)
        return True

    def shutdown_tasks(self) -> None:
        self.sync.stop()
        for task in list(self._tasks):
            task.cancel()


def create_server() -> CrewServer:
    from crew_lsp.server import commands, features

    server = CrewServer()

    @server.feature(T.INITIALIZE)
    def _initialize(ls: CrewServer, params: T.InitializeParams) -> None:
        ls.guard("initialize", ls.on_initialize, params)

    @server.feature(T.INITIALIZED)
    async def _initialized(ls: CrewServer, params: T.InitializedParams) -> None:
        await ls.guard_async("initialized", ls.on_initialized)

    @server.feature(T.SHUTDOWN)
    async def _shutdown(ls: CrewServer, params: Any) -> None:
        if ls.runs is not None:  # running runs are cancelled cleanly and stay resumable
            await ls.guard_async("stopping runs", ls.runs.aclose)
        ls.guard("shutdown", ls.shutdown_tasks)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    async def _did_save(ls: CrewServer, params: T.DidSaveTextDocumentParams) -> None:
        await ls.guard_async("textDocument/didSave", ls.sync.did_save, params)

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def _watched(ls: CrewServer, params: T.DidChangeWatchedFilesParams) -> None:
        await ls.guard_async("workspace/didChangeWatchedFiles", ls.sync.did_change_watched_files, params)

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def _configuration(ls: CrewServer, params: T.DidChangeConfigurationParams) -> None:
        await ls.guard_async("workspace/didChangeConfiguration", ls.on_did_change_configuration, params)

    @server.feature(T.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def _folders(ls: CrewServer, params: T.DidChangeWorkspaceFoldersParams) -> None:
        await ls.guard_async("workspace/didChangeWorkspaceFolders", ls.on_workspace_folders, params)

    @server.feature(T.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def _progress_cancel(ls: CrewServer, params: T.WorkDoneProgressCancelParams) -> None:
        if ls.runs is not None:  # a run's progress token: cancel the run
            ls.guard("window/workDoneProgress/cancel", ls.runs.progress_cancelled, params.token)

    @server.feature(T.SET_TRACE)
    def _set_trace(ls: CrewServer, params: T.SetTraceParams) -> None:
        return None

    features.register(server)
    commands.install(server)
    return server


def _configure_logging() -> None:
    level = logging.DEBUG if os.environ.get("CREW_LSP_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="crew-lsp %(levelname)s %(name)s: %(message)s")
    if not os.environ.get("CREW_LSP_DEBUG"):
        # pygls logs every handled JSON-RPC error with a traceback; ours go to window/logMessage
        logging.getLogger("pygls").setLevel(logging.CRITICAL)


def serve(tcp: str | None = None) -> int:
    """`crew-lsp serve [--tcp HOST:PORT]`: LSP on stdio (default) or TCP."""
    _configure_logging()
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        try:
            port_no = int(port)
        except ValueError:
            print(f"crew-lsp: --tcp expects HOST:PORT, got {tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(host or "127.0.0.1", port_no)
        return 0
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must never corrupt the protocol stream
    profile = os.environ.get("CREW_LSP_PROFILE")  # developer aid: cProfile stats of the session
    if profile:
        import cProfile

        with cProfile.Profile() as prof:
            server.start_io(stdin, stdout)
        prof.dump_stats(profile)
        return server.exit_code
    server.start_io(stdin, stdout)
    return server.exit_code


__all__ = ["CrewServer", "create_server", "serve", "Flags"]
