"""pytest-lsp harness: the real server as a subprocess on stdio, driven with editor capability profiles.

`session` is parametrised over a VS Code-like (push diagnostics, dynamic file watchers) and a
Neovim-like (document pull diagnostics, no dynamic watchers) client. Every server runs with
`diagnostics.delayMs = 0`, its own `PI_TEAMS_HOME` and a workspace in `tmp_path` that has `.crew/`.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types as T
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = {"vscode": "visual-studio-code", "neovim": "neovim", "neovim07": "neovim@v0.7.0", "emacs": "emacs"}
PROFILES = ["vscode", "neovim"]  # every `session` test runs against both

AGENT = """---
name: scribe
description: Writes the documentation
---
You write documentation.
"""
TEAM = """---
name: docs
description: Explores and writes documentation
defaultWorkflow: docs
---
- explorer: agent=explorer find the facts
- scribe: agent=scribe write the docs
"""
BROKEN_TEAM = """---
name: broken
description: A team with a typo
defaultWorkflow: docs
---
- explorer: agent=explorer find the facts
- scribe: agent=scrib write the docs
"""
WORKFLOW = """---
name: docs
description: Explore then write
---

## explore
role: explorer
output: facts.md

Find the facts for {goal}.

## write
role: scribe
dependsOn: explore
reads: facts.md

Write the docs for {goal}.
"""


def write_project(root: Path, files: dict[str, str] | None = None) -> Path:
    files = files if files is not None else {
        ".crew/agents/scribe.md": AGENT,
        ".crew/teams/docs.team.md": TEAM,
        ".crew/teams/broken.team.md": BROKEN_TEAM,
        ".crew/workflows/docs.workflow.md": WORKFLOW,
    }
    (root / ".crew").mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


CREW_METHODS = ("crew/runUpdate", "crew/heartbeat", "crew/health", "crew/metrics")
# variables of the test run's own environment that would change what a server under test does
SERVER_ENV_DROPPED = ("CREW_LSP_DEBUG", "CREW_RUNTIME", "CREW_WORKER_COMMAND", "PI_TEAMS_PI_BIN", "PI_CREW_DEPTH", "PI_CREW_MAX_DEPTH")


def plain(value: Any) -> Any:
    """pygls hands custom notifications over as namedtuples: back to JSON values."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def make_client(answer: str | None = None) -> LanguageClient:
    """The test client: records what a server sends, in arrival order.

    - ``publishes``: every publishDiagnostics; ``refreshes``: workspace/diagnostic/refresh count;
      ``registrations``: every dynamic registration;
    - ``events``: ``(monotonic time, method, params)`` of every `crew/*` notification, progress
      creation and report, showMessage and response; ``asked``: every showMessageRequest, answered
      with the action titled ``answer`` (or dismissed when ``answer`` is None); ``edits``: every
      workspace/applyEdit, answered as applied (the test applies it itself) — or, when a test sets
      ``apply_edit_with`` to an editor's apply function, answered by that function.
    """
    client = LanguageClient(converter_factory=default_converter)
    client.publishes = []  # type: ignore[attr-defined]
    client.refreshes = 0  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    client.events = []  # type: ignore[attr-defined]
    client.asked = []  # type: ignore[attr-defined]
    client.edits = []  # type: ignore[attr-defined]
    client.apply_edit_with = None  # type: ignore[attr-defined]
    features = dict(DEFAULT_CLIENT_FEATURES)

    def record(method: str):
        def handler(client: LanguageClient, params: Any) -> None:
            client.events.append((time.monotonic(), method, plain(params)))
        return handler

    for method in CREW_METHODS:
        features[method] = record(method)

    def publish(client: LanguageClient, params: T.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.publishes.append(params)

    def refresh(client: LanguageClient, params: Any) -> None:
        client.refreshes += 1

    def register(client: LanguageClient, params: T.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    def create(client: LanguageClient, params: T.WorkDoneProgressCreateParams) -> None:
        client.progress_reports.setdefault(params.token, [])
        client.events.append((time.monotonic(), "create", params.token))

    keep_progress = DEFAULT_CLIENT_FEATURES[T.PROGRESS]  # pytest-lsp's: typed values in progress_reports

    def progress(client: LanguageClient, params: T.ProgressParams) -> None:
        keep_progress(client, params)
        value = params.value if isinstance(params.value, dict) else client.protocol._converter.unstructure(params.value)
        client.events.append((time.monotonic(), "progress", (params.token, value)))

    def show(client: LanguageClient, params: T.ShowMessageParams) -> None:
        client.messages.append(params)
        client.events.append((time.monotonic(), "showMessage", params))

    def ask(client: LanguageClient, params: T.ShowMessageRequestParams) -> T.MessageActionItem | None:
        client.asked.append(params)
        return T.MessageActionItem(title=answer) if answer else None

    def apply_edit(client: LanguageClient, params: T.ApplyWorkspaceEditParams) -> T.ApplyWorkspaceEditResult:
        client.edits.append(params)
        if client.apply_edit_with is not None:
            return client.apply_edit_with(params)
        return T.ApplyWorkspaceEditResult(applied=True)  # recorded, not applied: the test applies it where it wants to

    features.update({
        T.WORKSPACE_APPLY_EDIT: apply_edit,
        T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish, T.WORKSPACE_DIAGNOSTIC_REFRESH: refresh,
        T.CLIENT_REGISTER_CAPABILITY: register, T.WINDOW_WORK_DONE_PROGRESS_CREATE: create, T.PROGRESS: progress,
        T.WINDOW_SHOW_MESSAGE: show, T.WINDOW_SHOW_MESSAGE_REQUEST: ask,
    })
    register_lsp_features(client, features)

    # responses are recorded in arrival order too, so tests can check what came before an answer
    # (pygls has no public hook for incoming responses: the client's own handler is wrapped)
    handle_response = client.protocol._handle_response

    def record_response(msg_id: Any, *args: Any, **kwargs: Any) -> Any:
        client.events.append((time.monotonic(), "response", msg_id))
        return handle_response(msg_id, *args, **kwargs)

    client.protocol._handle_response = record_response  # type: ignore[method-assign]
    return client


class Session:
    """A started, initialised client plus helpers that read like what an editor does."""

    def __init__(self, client: LanguageClient, root: Path, profile: str, init: T.InitializeResult):
        self.client = client
        self.root = root
        self.profile = profile
        self.init = init
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    # -- addressing
    def path(self, rel: str) -> Path:
        return self.root / rel

    def uri(self, rel: str) -> str:
        return self.path(rel).as_uri()

    @property
    def pull(self) -> bool:
        return self.init.capabilities.diagnostic_provider is not None

    @property
    def publishes(self) -> list[T.PublishDiagnosticsParams]:
        return self.client.publishes  # type: ignore[attr-defined]

    def publishes_for(self, rel: str, since: int = 0) -> list[T.PublishDiagnosticsParams]:
        uri = self.uri(rel)
        return [p for p in self.publishes[since:] if p.uri == uri]

    def pushed(self, rel: str) -> list[T.Diagnostic]:
        """What the editor holds from push for a file (empty when never published)."""
        return list(self.client.diagnostics.get(self.uri(rel), []))

    # -- documents
    def open(self, rel: str, text: str | None = None) -> str:
        if text is None:
            text = self.path(rel).read_bytes().decode("utf-8", errors="replace")
        self.versions[rel] = 1
        self.texts[rel] = text
        self.client.text_document_did_open(T.DidOpenTextDocumentParams(
            text_document=T.TextDocumentItem(uri=self.uri(rel), language_id="markdown", version=1, text=text)))
        return text

    def change(self, rel: str, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        self.versions[rel] += 1
        self.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=self.uri(rel), version=self.versions[rel]),
            content_changes=[T.TextDocumentContentChangePartial(
                range=T.Range(T.Position(*start), T.Position(*end)), text=text)],
        ))

    def replace_all(self, rel: str, text: str) -> None:
        self.versions[rel] += 1
        self.texts[rel] = text
        self.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=self.uri(rel), version=self.versions[rel]),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)],
        ))

    def close(self, rel: str) -> None:
        self.client.text_document_did_close(T.DidCloseTextDocumentParams(
            text_document=T.TextDocumentIdentifier(uri=self.uri(rel))))

    def watched(self, *changes: tuple[str, T.FileChangeType]) -> None:
        self.client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(
            changes=[T.FileEvent(uri=self.uri(rel), type=kind) for rel, kind in changes]))

    # -- synchronisation
    async def barrier(self) -> None:
        """A round trip: every notification the server sent before answering has arrived."""
        await self.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri="file:///nonexistent/barrier.md"), position=T.Position(0, 0)))

    async def until(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        """Poll ``predicate`` (a function or a coroutine function) until it returns something true."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    async def hovers(self, rel: str, line: int, character: int) -> bool:
        """Whether the server answers a hover there: what it holds as the file's text, seen from outside."""
        found = await self.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=self.uri(rel)), position=T.Position(line, character)))
        return found is not None

    async def ready(self) -> None:
        """Wait until the background index is loaded and its diagnostics are out: the broken team has
        been published (maybe early, from the head start's child) and a request about it, which waits
        for its folder to be loaded, has been answered."""
        await self.until(lambda: self.publishes_for(".crew/teams/broken.team.md"), what="initial diagnostics")
        await self.hovers(".crew/teams/broken.team.md", 0, 0)

    # -- diagnostics as the editor shows them
    async def diagnostics(self, rel: str) -> list[T.Diagnostic]:
        if self.pull and rel in self.versions:
            report = await self.client.text_document_diagnostic_async(
                T.DocumentDiagnosticParams(text_document=T.TextDocumentIdentifier(uri=self.uri(rel))))
            return list(report.items)
        await self.barrier()
        return list(self.client.diagnostics.get(self.uri(rel), []))

    async def command(self, name: str, *arguments: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            T.ExecuteCommandParams(command=name, arguments=list(arguments)))


def server_config(home: Path, env: dict[str, str] | None = None, answer: str | None = None) -> ClientServerConfig:
    """`crew-lsp serve` with its own PI_TEAMS_HOME, this checkout on the path, ``env`` on top, and `make_client(answer)`."""
    server_env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_DROPPED and not k.startswith("FAKE_PI_")}
    server_env["PI_TEAMS_HOME"] = str(home)
    server_env["PYTHONPATH"] = str(ROOT) + os.pathsep + server_env.get("PYTHONPATH", "")
    # compiled bytecode in a private cache: each server start would otherwise recompile every module
    server_env.pop("PYTHONDONTWRITEBYTECODE", None)
    server_env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "crew-lsp-test-pycache")
    server_env.update(env or {})
    return ClientServerConfig(server_command=[sys.executable, "-m", "crew_lsp", "serve"],
                              client_factory=lambda: make_client(answer), server_env=server_env)


async def start_session(tmp_path: Path, profile: str, files: dict[str, str] | None = None,
                        init_options: dict[str, Any] | None = None, write: bool = True,
                        configuration: dict[str, Any] | None = None,
                        capabilities: T.ClientCapabilities | None = None, env: dict[str, str] | None = None) -> Session:
    """A started session of the client `profile` (or one declaring `capabilities`); ``env``: the server's environment on top."""
    root = tmp_path / "ws"
    root.mkdir(parents=True, exist_ok=True)
    if write:
        write_project(root, files)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    client = await server_config(home, env).start()
    if configuration is not None:
        client.set_configuration(configuration)  # answers the server's workspace/configuration requests
    options = {"diagnostics": {"delayMs": 0}}
    if init_options:
        options.update(init_options)
    result = await client.initialize_session(T.InitializeParams(
        capabilities=capabilities or client_capabilities(CLIENTS[profile]),
        root_uri=root.as_uri(),
        workspace_folders=[T.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options=options,
    ))
    return Session(client, root, profile, result)


async def stop_session(session: Session) -> None:
    try:
        await asyncio.wait_for(session.client.shutdown_session(), 10)
    finally:
        await session.client.stop()
