"""The run service behind the run commands: one `RunManager` per workspace folder, live progress.

`RunService` (one per server, `session.runs`) owns one `RunManager` per workspace folder, created on
first use, reading the server's live index (`snapshot_provider`) and running programs chosen only
by the *user-level* worker settings (`crew.worker` from initializationOptions/the `crew` settings
section) or the environment — never by workspace files. Every run executes as a task of the
service's one anyio task group (opened on first use by a supervising task, closed by `aclose` once
the managers have stopped their runs), so runs outlive the request that started them and shutdown
knows them all. `notify.Notifier` turns the engine's updates into `$/progress`, `crew/*`
notifications and run-end messages; cancelling is one call, `RunService.cancel`, for `crew.cancel`
and for the editor's progress Cancel alike; run_recovery.py handles runs interrupted by a previous
server.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import anyio
from anyio.abc import TaskGroup
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from crew_lsp.server.errors import REQUEST_FAILED
from crew_lsp.server.notify import Notifier
from crew_lsp.server.run_recovery import RunRecovery

if TYPE_CHECKING:
    from crew_lsp.engine.manager import RunManager
    from crew_lsp.server.session import Session
    from crew_lsp.server.project import Folder
    from crew_lsp.server.commands import RunArgs

CLOSE_TIMEOUT_S = 15.0  # shutdown: how long to wait for running runs to stop (kill grace is 3 s)


# ---------------------------------------------------------------- errors

def after_response(callback: Callable[[], None]) -> None:
    """Call ``callback`` once the request being handled has been answered.

    pygls answers a request from the first done-callback of the task running its handler (added
    when the task is created); a callback added later, from inside the handler, runs after it — so
    nothing the callback sends can overtake the response."""
    task = asyncio.current_task()
    if task is None:
        callback()
    else:
        task.add_done_callback(lambda _: callback())


def invalid(cmd: str, arg: str, message: str) -> JsonRpcException:
    return JsonRpcInvalidParams(message=f"{cmd}: argument `{arg}`: {message}")


def failed(cmd: str, message: str, data: Any = None) -> JsonRpcException:
    from crew_lsp.server.errors import redact as _redact

    return JsonRpcException(code=REQUEST_FAILED, message=_redact(f"{cmd}: {message}"), data=data)


# ---------------------------------------------------------------- the service

class RunService(RunRecovery):
    def __init__(self, session: Session):
        self.session = session
        self.managers: dict[Path, RunManager] = {}
        self.notifier = Notifier(session, self.is_active, self.recent_deadletters)
        self.server_id = f"crew-lsp-{os.getpid()}-{secrets.token_hex(3)}"
        self.closing = False
        self._group: TaskGroup | None = None  # where every run executes, while the supervisor holds it open
        self._supervisor: asyncio.Task | None = None
        self._group_open: anyio.Event | None = None
        self._group_done: anyio.Event | None = None  # set by aclose: the supervisor closes the group

    # -- folders and managers

    def folders(self) -> list[Folder]:
        """Workspace folders in the client's order (implicit folders of loose files last)."""
        project = self.session.project.folders
        ordered: list[Folder] = []
        try:
            uris = list(self.session.workspace.folders)
        except Exception:
            uris = []
        for uri in uris:
            path = self.session.uris.path(uri)
            folder = self.session.project.find(Path(path).resolve()) if path else None
            if folder is not None and folder not in ordered:
                ordered.append(folder)
        rest = [f for f in project if f not in ordered]
        return ordered + [f for f in rest if not f.implicit] + [f for f in rest if f.implicit]

    def _where(self, cmd: str, args: Any) -> tuple[str, str] | None:
        for name in ("cwd", "folder"):
            value = getattr(args, name, None)
            if value:
                return name, value
        return None

    def folder_of(self, cmd: str, args: Any) -> Folder | None:
        """The folder an argument names (None when no argument names one)."""
        where = self._where(cmd, args)
        if where is None:
            return None
        name, raw = where
        path = self.session.uris.path(raw) if raw.startswith("file:") else os.path.realpath(os.path.expanduser(raw))
        if not path:
            raise invalid(cmd, name, f"{raw!r} is not a file path or file URI")
        target = Path(path)
        for folder in self.session.project.folders:  # innermost first
            root = folder.ws.folder
            if target == root or root in target.parents:
                return folder
        raise invalid(cmd, name, f"{raw} is not inside a workspace folder")

    async def folder(self, cmd: str, args: Any) -> Folder:
        folder = self.folder_of(cmd, args)
        if folder is None:
            folders = self.folders()
            if not folders:
                raise failed(cmd, "no workspace folder is open")
            folder = folders[0]
        if not await self.session.folder_ready(folder):
            raise failed(cmd, f"the workspace folder {folder.path} is still being indexed; try again")
        return folder

    async def _task_group(self) -> TaskGroup | None:
        """The task group every run executes in, opened on first use (None once the service closed)."""
        if self.closing:
            return None
        if self._supervisor is None:
            self._group_open, self._group_done = anyio.Event(), anyio.Event()
            self._supervisor = self.session.spawn(self._supervise(self._group_open, self._group_done))
        if self._group is None and self._group_open is not None:
            await self._group_open.wait()
        return self._group

    async def _supervise(self, opened: anyio.Event, done: anyio.Event) -> None:
        """Hold the runs' task group open until `aclose` is done with the managers."""
        try:
            async with anyio.create_task_group() as tg:
                self._group = tg
                opened.set()
                await done.wait()
                # `aclose` has stopped the runs it could: whatever is left (a run that outlived its wait) is cancelled
                tg.cancel_scope.cancel()
        finally:
            self._group = None
            opened.set()  # nobody waits for a group that is gone

    async def manager(self, folder: Folder) -> RunManager:
        from crew_lsp.engine.manager import RunManager

        key = folder.ws.folder
        if key not in self.managers:
            group = await self._task_group()
            if key not in self.managers:  # no other request made it meanwhile
                made = RunManager(key, server_id=self.server_id, snapshot_provider=lambda: self._snapshot(key, folder),
                                  extra_roots=list(self.session.settings.roots), task_group=group)
                self.session.metrics.watch(made, folder.ws)  # its MetricsListener and crew/metrics (server/metrics.py)
                made.add_listener(self.notifier.on_update)
                self.managers[key] = made
        mgr = self.managers[key]
        # the user-level worker, read again on every use: a resumed or recovered run runs with the
        # settings of now, never with the runtime its manifest (a workspace file) records
        mgr.runtime = self.session.settings.worker.runtime
        mgr.worker_command = self.session.settings.worker.command
        mgr.pass_env = self.session.settings.worker.passEnv
        return mgr

    def _snapshot(self, key: Path, fallback: Folder) -> Any:
        live = self.session.project.find(key)  # folders are rebuilt when `crew.roots` changes
        return (live or fallback).snapshot

    def is_active(self, run_id: str) -> bool:
        return any(m.is_active(run_id) for m in self.managers.values())

    async def recent_deadletters(self) -> int:
        """Deadletter entries within the alert window, over every crew root this server runs in."""
        return sum([await m.recent_deadletters() for m in list(self.managers.values())])

    async def locate(self, cmd: str, args: Any) -> tuple[Folder, RunManager]:
        """The folder and manager of `args.runId` (the named folder, else the one whose store has it)."""
        run_id = args.runId
        named = self.folder_of(cmd, args)
        candidates = [named] if named is not None else self.folders()
        for folder in candidates:
            mgr = self.managers.get(folder.ws.folder)
            if mgr is not None and mgr.is_active(run_id):
                return folder, await self.manager(folder)
        for folder in candidates:
            manifest = folder.ws.crew / "state" / "runs" / run_id / "manifest.json"
            if await asyncio.to_thread(manifest.is_file):
                return folder, await self.manager(folder)
        raise invalid(cmd, "runId", f"unknown run {run_id}")

    # -- following runs

    async def follow_active(self, mgr: RunManager, run_id: str) -> None:
        """Progress, notifications and a run-end message for a run executing here."""
        if not mgr.is_active(run_id):
            return
        view = await mgr.status(run_id)  # in memory for an active run: no await really suspends
        self.notifier.track(run_id, f"{view.team or '?'}/{view.workflow or '?'}")

    async def cancel(self, run_id: str, reason: str, mgr: RunManager | None = None) -> dict | None:
        """Cancel a run: the manager executing it, else ``mgr`` (the folder whose store holds it,
        which cancels a run of another process too). None when neither: the run has ended."""
        target = next((m for m in self.managers.values() if m.is_active(run_id)), mgr)
        if target is None:
            return None
        return await target.cancel(run_id, reason)

    def progress_cancelled(self, token: Any) -> None:
        """`window/workDoneProgress/cancel`: cancel the run behind the token (the notifier answers once per token)."""
        run_id = self.notifier.run_of_token(token)
        if run_id is not None:
            self.session.spawn(self.cancel(run_id, "cancelled from the editor"))

    async def start_run(self, folder: Folder, args: RunArgs, goal: str, run_id: str) -> str:
        """Start run ``run_id`` (the caller holds its notifications until it has answered)."""
        mgr = await self.manager(folder)
        await mgr.start(goal=goal, team=args.team, workflow=args.workflow, agent=args.agent,
                        runtime=args.runtime, dry_run=args.dryRun, run_id=run_id)
        await self.follow_active(mgr, run_id)
        return run_id

    # -- lifecycle (crash recovery at startup: run_recovery.RunRecovery)

    async def aclose(self) -> None:
        """Shutdown: cancel every running run cleanly (they stay resumable), deliver their end,
        close the task group."""
        self.closing = True
        closing = [asyncio.ensure_future(m.aclose()) for m in self.managers.values()]
        if closing:
            done, pending = await asyncio.wait(closing, timeout=CLOSE_TIMEOUT_S)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    self.session.log_error("stopping runs failed", task.exception())
            if pending:
                self.session.log(f"crew-lsp: {len(pending)} run manager(s) did not stop in {CLOSE_TIMEOUT_S:g} s",
                            T.MessageType.Warning)
        self.notifier.flush_all()
        if self._group_done is not None:
            self._group_done.set()
        if self._supervisor is not None:
            await asyncio.wait([self._supervisor], timeout=CLOSE_TIMEOUT_S)


def service(session: Session) -> RunService:
    if getattr(session, "runs", None) is None:
        session.runs = RunService(session)
    return session.runs
