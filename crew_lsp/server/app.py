"""The language server: pygls glue, session state, capabilities, lifecycle, settings.

Layout of `crew_lsp.server` (each module maps one LSP area onto the pure layers below it):
- app.py          this file: `CrewServer` (state + plumbing), `CrewProtocol`, `create_server()`, `serve()`
- capabilities.py client capability flags and the server capabilities we advertise
- lifecycle.py    initialize, workspace folders and their indexing, settings changes (a `CrewServer` base)
- transport.py    the stdio loop and the parent-process watch (a `CrewServer` base)
- jsonrpc.py      lifecycle and JSON-RPC rules pygls leaves out: every request gets exactly one response
- settings.py     the `crew` settings model (initializationOptions / didChangeConfiguration)
- project.py      one effective index per workspace folder, routing paths to indexes
- sync.py         open documents (incremental sync) and watched files
- diagnostics.py  push/pull diagnostics with per-file hashes and a debounce timer
- features.py     LSP requests → crew_lsp.language.*
- commands.py     workspace/executeCommand registry (pydantic-validated arguments)
- run_commands.py the run commands; run_service.py, run_recovery.py, recommend.py behind them
- notify.py       run progress, `crew/*` notifications and run-end messages
- convert.py      core types ↔ lsprotocol, paths ↔ URIs
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import traceback
from typing import Any, Callable

from lsprotocol import types as T
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter
from pygls.protocol.language_server import lsp_method

from crew_lsp import __version__
from crew_lsp.server.capabilities import Flags, available_language_modules, build_capabilities
from crew_lsp.server.convert import DiagnosticStyle, EditStyle, Uris
from crew_lsp.server.diagnostics import Publisher
from crew_lsp.server.jsonrpc import LifecycleProtocol
from crew_lsp.server.lifecycle import WorkspaceLifecycle
from crew_lsp.server.project import Project
from crew_lsp.server.settings import Settings
from crew_lsp.server.sync import Doc, Sync
from crew_lsp.server.transport import StdioTransport


def _redact(text: str) -> str:
    try:
        from crew_lsp.telemetry.redact import redact_text
    except Exception:  # pragma: no cover - telemetry is optional for the server
        return text
    return redact_text(text)


class CrewProtocol(LifecycleProtocol):
    """pygls' protocol with the lifecycle rules (jsonrpc.py), our own document store and capability set."""

    _server: CrewServer

    @lsp_method(T.INITIALIZE)
    def lsp_initialize(self, params: T.InitializeParams):
        result = yield from super().lsp_initialize(params)
        caps = build_capabilities(self._server)
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


class CrewServer(WorkspaceLifecycle, StdioTransport, LanguageServer):
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
        self.runs: Any = None  # the run service (crew_lsp.server.run_service.RunService), when installed
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


__all__ = ["CrewServer", "create_server", "serve"]
