"""The language server, wired: the one module that knows pygls' server object.

Layout of `crew_lsp.server` (docs/architecture.md has the module map):
- app.py          this file: creates the pygls server, the `Session`, the lifecycle and the transport,
                  and registers every handler; `serve()`
- session.py      the `Session` every handler receives: documents, project, settings, client profile,
                  diagnostics, runs; notify/request/log/spawn
- profile.py      what the client declared (`ClientProfile`)
- capabilities.py what is advertised: pygls' capabilities fitted to the client
- lifecycle.py    initialize/initialized, workspace folders, settings changes
- folder_loading.py indexing the folders: their files read off the event loop, a large one's checker child
- transport.py    the stdio loop; exit when the editor is gone
- head_start.py   before these imports: read `initialize`, start each folder's checker child
- jsonrpc.py      lifecycle and JSON-RPC rules pygls leaves out: every request gets exactly one response
- errors.py       RequestFailed, redaction
- settings.py     the `crew` settings model (initializationOptions / workspace configuration);
                  raw_settings.py the same JSON before the model loads
- early_diagnostics.py a head-start child's diagnostics, once the folder's own scan agrees
- project.py      one effective index per workspace folder, routing paths to indexes
- sync.py         open documents (incremental sync) and watched files
- watchers.py     the file watchers asked of the client; disk_watch.py the server's own, for clients without
- diagnostics.py  push/pull diagnostics with per-file hashes and a debounce timer
- features.py     LSP requests → crew_lsp.language.*; feature_registry.py how each is registered
- command_names.py the command names advertised to `initialize` (the handlers load after it)
- commands.py     workspace/executeCommand registry (pydantic-validated arguments)
- run_commands.py the run commands; run_service.py, run_recovery.py, recommend.py behind them
- notify.py       run progress, `crew/*` notifications and run-end messages
- metrics.py      the session's metrics: handler timings, `crew/metrics`, the sinks, `/metrics`
- convert.py      core types ↔ lsprotocol, paths ↔ URIs
"""

from __future__ import annotations

import logging
import os
import sys
import time
from types import ModuleType
from typing import Any, Awaitable, Callable

from lsprotocol import types as T
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter
from pygls.protocol.language_server import lsp_method

from crew_lsp import __version__
from crew_lsp.server import features
from crew_lsp.server.capabilities import advertised
from crew_lsp.server.command_names import COMMAND_NAMES
from crew_lsp.server.errors import CLIENT_CAUSED
from crew_lsp.server.head_start import HeadStart
from crew_lsp.server.jsonrpc import LifecycleProtocol
from crew_lsp.server.lifecycle import Lifecycle
from crew_lsp.server.session import Session
from crew_lsp.server.transport import StdioTransport


class CrewProtocol(LifecycleProtocol):
    """pygls' protocol with the lifecycle rules (jsonrpc.py), our own document store and command dispatch."""

    _server: CrewServer

    @lsp_method(T.INITIALIZE)
    def lsp_initialize(self, params: T.InitializeParams):
        result = yield from super().lsp_initialize(params)
        self.server_capabilities = advertised(result.capabilities, self._server.session.client, COMMAND_NAMES)
        result.capabilities = self.server_capabilities
        return result

    def handle_message(self, message: Any) -> None:
        # a request's task starts after the messages read with it: it must know the text it was asked about
        with self._server.session.receiving(message):
            super().handle_message(message)

    # The four handlers below are pygls' built-in methods replaced: timed here, the others where registered.

    @lsp_method(T.WORKSPACE_EXECUTE_COMMAND)
    async def lsp_workspace__execute_command(self, params: T.ExecuteCommandParams) -> Any:
        # one task per request (pygls wraps commands in a generator whose inner task a
        # `$/cancelRequest` cannot reach): cancelling stops the command's work too
        session = self._server.session
        started = time.perf_counter()
        try:
            commands = load_services(session)
            return await commands.dispatch(session, params.command, list(params.arguments or []))
        finally:
            session.metrics.request(T.WORKSPACE_EXECUTE_COMMAND, time.perf_counter() - started)

    # Documents are kept by `Sync` (incremental, LSP line rules); pygls' own copy is not maintained.
    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        server = self._server
        server.timed_guard(T.TEXT_DOCUMENT_DID_OPEN, server.lifecycle.sync.did_open, params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        server = self._server
        server.timed_guard(T.TEXT_DOCUMENT_DID_CHANGE, server.lifecycle.sync.did_change, params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    async def lsp_text_document__did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        server = self._server
        started = time.perf_counter()
        await server.guard_async(T.TEXT_DOCUMENT_DID_CLOSE, server.lifecycle.sync.did_close, params)
        server.session.metrics.request(T.TEXT_DOCUMENT_DID_CLOSE, time.perf_counter() - started)

    def tell_client(self, line: str) -> None:
        self._server.session.log(line, T.MessageType.Warning)


class CrewServer(LanguageServer):
    """pygls' server holding the session, its lifecycle and its transport."""

    def __init__(self) -> None:
        converter = default_converter()
        super().__init__("crew-lsp", __version__, protocol_cls=CrewProtocol,
                         text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
                         converter_factory=lambda: converter)
        self.session = Session(self, converter)
        self.transport = StdioTransport(self, self.session, on_lost=self.stop_runs)
        self.lifecycle = Lifecycle(self.session, self.transport.watch_parent,
                                   after_load=lambda: load_services(self.session), prepare=import_services)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls reports handler failures here; a log line, never a popup
        if isinstance(error, JsonRpcException) and error.code in CLIENT_CAUSED:
            return
        self.session.log_error("internal error", error)

    def guard(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        """A notification handler: a failure is logged, never raised into pygls."""
        try:
            return fn(*args)
        except Exception as exc:
            self.session.log_error(f"{what} failed", exc)
            return None

    def timed_guard(self, method: str, fn: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.guard(method, fn, *args)
        finally:
            self.session.metrics.request(method, time.perf_counter() - started)

    async def guard_async(self, what: str, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        try:
            return await fn(*args)
        except Exception as exc:  # CancelledError is no Exception: cancellation passes through
            self.session.log_error(f"{what} failed", exc)
            return None

    async def stop_runs(self) -> None:
        """Running runs are cancelled cleanly and stay resumable (on `shutdown`, or when the client is gone)."""
        if self.session.runs is not None:
            await self.guard_async("stopping runs", self.session.runs.aclose)


def load_commands() -> ModuleType:
    """The command registry with every handler registered (pydantic, the checks, the run engine)."""
    from crew_lsp.server import commands, edit_commands, run_commands, skill_commands  # noqa: F401  (importing registers their commands)

    return commands


def import_services() -> None:
    """Import what `load_services` uses, in a worker thread: importing the engine, pydantic and
    prometheus_client takes a few hundred milliseconds that the event loop would otherwise stall for."""
    load_commands()
    import crew_lsp.engine.manager  # noqa: F401  (the run service's managers)
    import crew_lsp.telemetry.metrics  # noqa: F401  (the session's metrics registry)


def load_services(session: Session) -> ModuleType:
    """What answering `initialize` does without: the command handlers, the run service and the
    session's metrics registry. Loaded once the first index is in (lifecycle.py), or by the first
    command before that; returns the command registry."""
    commands = load_commands()
    if session.runs is None:
        from crew_lsp.server.run_commands import install

        install(session)
    session.metrics.start()
    return commands


def create_server() -> CrewServer:
    server = CrewServer()
    session, lifecycle = server.session, server.lifecycle

    def handler(method: str, options: Any = None) -> Callable[[Callable[..., Any]], Any]:
        """`@server.feature`, with the handler's time recorded under its method."""
        return lambda fn: server.feature(method, options)(session.metrics.timed(method, fn))

    @handler(T.INITIALIZE)
    def _initialize(params: T.InitializeParams) -> None:
        server.guard("initialize", lifecycle.initialize, params)

    @handler(T.INITIALIZED)
    def _initialized(params: T.InitializedParams) -> None:
        server.guard("initialized", lifecycle.initialized)

    @handler(T.SHUTDOWN)
    async def _shutdown(params: Any) -> None:
        await server.stop_runs()
        await server.guard_async("shutdown", lifecycle.shutdown)

    @handler(T.TEXT_DOCUMENT_DID_SAVE, T.SaveOptions(include_text=False))
    async def _did_save(params: T.DidSaveTextDocumentParams) -> None:
        await server.guard_async("textDocument/didSave", lifecycle.sync.did_save, params)

    @handler(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def _watched(params: T.DidChangeWatchedFilesParams) -> None:
        await server.guard_async("workspace/didChangeWatchedFiles", lifecycle.sync.did_change_watched_files, params)

    @handler(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def _configuration(params: T.DidChangeConfigurationParams) -> None:
        await server.guard_async("workspace/didChangeConfiguration", lifecycle.did_change_configuration, params)

    @handler(T.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def _folders(params: T.DidChangeWorkspaceFoldersParams) -> None:
        await server.guard_async("workspace/didChangeWorkspaceFolders", lifecycle.workspace_folders_changed, params)

    @handler(T.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def _progress_cancel(params: T.WorkDoneProgressCancelParams) -> None:
        if session.runs is not None:  # a run's progress token: cancel the run
            server.guard("window/workDoneProgress/cancel", session.runs.progress_cancelled, params.token)

    @handler(T.SET_TRACE)
    def _set_trace(params: T.SetTraceParams) -> None:
        return None

    features.register(server, session)
    return server


def _configure_logging() -> None:
    level = logging.DEBUG if os.environ.get("CREW_LSP_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="crew-lsp %(levelname)s %(name)s: %(message)s")
    if not os.environ.get("CREW_LSP_DEBUG"):
        # pygls logs every handled JSON-RPC error with a traceback; ours go to window/logMessage
        logging.getLogger("pygls").setLevel(logging.CRITICAL)


def serve(tcp: str | None = None, head_start: HeadStart | None = None) -> int:
    """`crew-lsp serve [--tcp HOST:PORT]`: LSP on stdio (default) or TCP; ``head_start``: what was read
    and started before these imports (server/head_start.py)."""
    _configure_logging()
    server = create_server()
    head_start = head_start if head_start is not None else HeadStart()
    server.lifecycle.head_start = head_start
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
            code = server.transport.serve(stdin, stdout, head_start.prefix)
        prof.dump_stats(profile)
        return code
    try:
        return server.transport.serve(stdin, stdout, head_start.prefix)
    finally:
        head_start.stop()


__all__ = ["CrewServer", "create_server", "load_commands", "serve"]
