"""The `Session`: what every handler works with, and the only way handlers reach the client.

A session holds the state of one editor connection — open documents, the project (one index per
workspace folder), the settings, what the client supports (`ClientProfile`), the diagnostics
publisher, the session's metrics and the run service — and the few ways to talk back: `notify`,
`notify_crew`, `request`, `log`, `log_error`, `show_warning`, plus `spawn` for background work. Handler modules (features,
commands, lifecycle, sync, the run commands) receive a session; only `app.py` knows pygls' server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Coroutine, Iterator

from lsprotocol import types as T

from crew_lsp.server.convert import Uris
from crew_lsp.server.diagnostics import Publisher
from crew_lsp.server.errors import redact
from crew_lsp.server.jsonrpc import send_bodies, send_json
from crew_lsp.server.metrics import SessionMetrics
from crew_lsp.server.profile import ClientProfile
from crew_lsp.server.project import Folder, Project

if TYPE_CHECKING:
    import cattrs
    from pygls.lsp.server import LanguageServer
    from pygls.progress import Progress
    from pygls.workspace import Workspace

    from crew_lsp.server.settings import Settings

READY_TIMEOUT_S = 10.0
ERRORS_PER_MINUTE = 30  # internal failures logged per minute at most (a failing hot path must not flood the client)


@dataclass(slots=True)
class Doc:
    """An open document: the editor's text wins over the disk while it is open."""

    uri: str
    path: str
    text: str
    version: int


# The open document a request names and its text, as they were when the request was read. Set while the
# request is dispatched: the task that serves it copies this context, later messages do not see it.
_RECEIVED: ContextVar[tuple[Doc, str] | None] = ContextVar("crew_lsp_received", default=None)


class Session:
    # validated when `initialized` arrives (lifecycle.py), not before: `initialize` is answered without
    # loading pydantic; nothing reads settings earlier (the client sends nothing else before `initialized`)
    settings: Settings

    def __init__(self, server: LanguageServer, converter: cattrs.Converter):
        self._server = server
        self.converter = converter  # lsprotocol's, shared with pygls: JSON ↔ LSP objects
        self.version = server.version or ""
        self.loop: asyncio.AbstractEventLoop | None = None  # set at initialize
        self.uris = Uris()
        self.docs: dict[str, Doc] = {}
        self.project = Project()
        self.severity_overrides: dict[str, str] | None = None
        self.client = ClientProfile(None)
        self.diagnostics = Publisher(self)
        self.metrics = SessionMetrics(self)  # the registry itself is created once `initialize` is answered
        self.runs: Any = None  # the run service (run_service.RunService), attached by run_commands.install
        self._tasks: set[asyncio.Task] = set()
        self._errors: list[float] = []
        self.started = time.monotonic()

    # ------------------------------------------------------------ talking to the client

    def notify(self, method: str, params: dict[str, Any]) -> None:
        """A notification built from plain JSON values (no cattrs on the hot paths: diagnostics, progress)."""
        send_json(self._server.protocol, {"jsonrpc": "2.0", "method": method, "params": params})

    def send_bodies(self, bodies: list[str]) -> None:
        """Messages already serialised as ASCII JSON, written together (the publisher's cold-start batches)."""
        send_bodies(self._server.protocol, bodies)

    def hold_messages(self, passes: Callable[[Any], bool]) -> None:
        """Let the client's messages wait (in order) until `release_messages`, except those `passes` lets through."""
        self._server.protocol.hold(passes)

    def release_messages(self) -> None:
        self._server.protocol.release()

    def notify_crew(self, method: str, params: dict[str, Any]) -> bool:
        """A custom `crew/*` notification, only to clients that opted in (experimental.crewNotifications)."""
        if not self.client.crew_notifications:
            return False
        self.notify(method, params)
        return True

    def request(self, method: str, params: Any) -> asyncio.Future:
        """A request to the client; the future holds its answer."""
        return self._server.protocol.send_request_async(method, params)

    @property
    def progress(self) -> Progress:
        return self._server.work_done_progress

    @property
    def workspace(self) -> Workspace:
        """pygls' view of the client's workspace folders, in the client's order."""
        return self._server.workspace

    def refresh_pull_diagnostics(self) -> None:
        if self.client.pull_refresh:
            try:
                self._server.workspace_diagnostic_refresh(None)
            except Exception as exc:
                self.log_error("diagnostic refresh failed", exc)

    # ------------------------------------------------------------ messages

    def log(self, message: str, kind: T.MessageType = T.MessageType.Log) -> None:
        try:
            self._server.window_log_message(T.LogMessageParams(type=kind, message=redact(message)))
        except Exception:
            pass  # a client that is gone cannot read the log either

    def log_error(self, context: str, exc: BaseException | None) -> None:
        """Report an internal failure as a redacted window/logMessage (rate limited); never raises."""
        now = time.monotonic()
        self._errors = [t for t in self._errors if now - t < 60.0]
        if len(self._errors) >= ERRORS_PER_MINUTE:
            return
        self._errors.append(now)
        detail = ""
        if exc is not None:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=8))
            detail = f": {type(exc).__name__}: {exc}\n{tb}"
        self.log(f"crew-lsp: {context}{detail}", T.MessageType.Error)

    def show_info(self, message: str) -> None:
        try:
            self._server.window_show_message(T.ShowMessageParams(type=T.MessageType.Info, message=redact(message)))
        except Exception:
            pass
        self.log(message, T.MessageType.Info)

    def show_warning(self, message: str) -> None:
        try:
            self._server.window_show_message(T.ShowMessageParams(type=T.MessageType.Warning, message=redact(message)))
        except Exception:
            pass
        self.log(message, T.MessageType.Warning)

    # ------------------------------------------------------------ requests overtaken by edits

    @contextlib.contextmanager
    def receiving(self, message: Any) -> Iterator[None]:
        """Around the dispatch of one raw message: a request remembers the text of the open document it
        names (see `overtaken`)."""
        doc = self._named_document(message)
        if doc is None:
            yield
            return
        token = _RECEIVED.set((doc, doc.text))
        try:
            yield
        finally:
            _RECEIVED.reset(token)

    def _named_document(self, message: Any) -> Doc | None:
        if not (isinstance(message, dict) and "id" in message and "method" in message):
            return None  # a notification or a response: no answer depends on a text
        params = message.get("params")
        document = params.get("textDocument") if isinstance(params, dict) else None
        uri = document.get("uri") if isinstance(document, dict) else None
        path = self.uris.path(uri) if isinstance(uri, str) else None
        return self.docs.get(path) if path is not None else None

    def overtaken(self) -> bool:
        """Whether the open document of the request being served was edited (or closed) after the request
        was read: a request is served by a task that starts after the messages already read, edits included."""
        received = _RECEIVED.get()
        if received is None:
            return False
        doc, text = received
        return self.docs.get(doc.path) is not doc or doc.text is not text

    # ------------------------------------------------------------ background work

    def spawn(self, coro: Coroutine[Any, Any, Any] | Awaitable[Any]) -> asyncio.Task:
        """Run a background coroutine, keep a reference, log (never raise) its failure."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self.log_error("background task failed", t.exception())

        task.add_done_callback(done)
        return task

    def cancel_background(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def folder_ready(self, folder: Folder) -> bool:
        """Wait (bounded) until a folder's first index is loaded; False when it did not come in time."""
        if folder.ready.is_set():
            return True
        try:
            await asyncio.wait_for(folder.ready.wait(), READY_TIMEOUT_S)
        except asyncio.TimeoutError:
            return False
        return True
