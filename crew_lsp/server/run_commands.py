"""The run commands of protocol §3 on the server, and the run service behind them.

`RunService` (one per server, `ls.runs`) owns one `RunManager` per workspace folder, created on
first use, reading the server's live index (`snapshot_provider`) and running programs chosen only
by the *user-level* worker settings (`crew.worker` from initializationOptions/the `crew` settings
section) or the environment — never by workspace files. Runs execute as tasks of the server's event
loop: `crew.run` answers `{runId}` at once and the run outlives the request. `notify.Notifier`
turns the engine's updates into `$/progress`, `crew/*` notifications and run-end messages.

Every command takes an optional `cwd`/`folder` (a path or file URI) to pick the workspace folder;
without one, a command about a run finds the folder whose store holds it, the others use the first
workspace folder. A bad argument is an InvalidParams error naming it (unknown team, workflow,
agent or run included); a run the engine refuses is a RequestFailed error whose `data.diagnostics`
lists why.

Goal-less code lenses: the lenses send `crew.run {team[, workflow], fromLens: true, folder}` and
`crew.plan {workflow, team, fromLens: true, folder}` (features.py adds `fromLens`/`folder`). A client
that can ask the user for a goal (the VS Code client, through command middleware) fills in `goal`;
when `goal` is still missing and `fromLens` is true the server uses
`"<team>/<workflow> run from the editor"` (LSP has no free-text prompt: `window/showMessageRequest`
only offers buttons). Without `fromLens` a missing goal is InvalidParams "argument `goal` is required".
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar

from lsprotocol import types as T
from pydantic import Field, field_validator
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from crew_lsp.server import commands as C
from crew_lsp.server.commands import REQUEST_FAILED, command
from crew_lsp.server.notify import Notifier

if TYPE_CHECKING:
    from crew_lsp.engine.manager import RunManager
    from crew_lsp.server.app import CrewServer
    from crew_lsp.server.project import Folder

CLOSE_TIMEOUT_S = 15.0  # shutdown: how long to wait for running runs to stop (kill grace is 3 s)
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
NAME = Field(None, min_length=1, max_length=200)
ACCEPT, DECLINE = "Accept", "Decline"

R = TypeVar("R")


# ---------------------------------------------------------------- argument models (commands.py + where)

class Where(C.Args):
    """Which workspace folder: a path or file URI of (or inside) a folder."""

    cwd: str | None = Field(None, min_length=1)
    folder: str | None = Field(None, min_length=1)


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


class RunCmd(C.RunArgs, Where):
    team: str | None = NAME
    workflow: str | None = NAME
    agent: str | None = NAME
    goal: str | None = Field(None, min_length=1)  # required unless fromLens (checked in the handler)
    fromLens: bool = False

    blank_check = field_validator("goal", "team", "workflow", "agent")(_not_blank)


class PlanCmd(C.PlanArgs, Where):
    team: str | None = NAME
    workflow: str | None = NAME
    agent: str | None = NAME
    goal: str | None = Field(None, min_length=1)
    fromLens: bool = False

    blank_check = field_validator("goal", "team", "workflow", "agent")(_not_blank)


class RunIdCmd(C.RunIdArgs, Where):
    runId: str = Field(min_length=1, max_length=200, pattern=ID_PATTERN)


class CancelCmd(RunIdCmd):
    reason: str | None = Field(None, max_length=2000)


class RetryCmd(RunIdCmd):
    taskId: str | None = Field(None, min_length=1, max_length=200, pattern=ID_PATTERN)


class StatusCmd(C.StatusArgs, Where):
    runId: str | None = Field(None, min_length=1, max_length=200, pattern=ID_PATTERN)
    limit: int = Field(20, gt=0, le=1000)


class EventsCmd(C.EventsArgs, Where):
    runId: str = Field(min_length=1, max_length=200, pattern=ID_PATTERN)


class RecommendCmd(C.RecommendArgs, Where):
    blank_check = field_validator("goal")(_not_blank)


class RecoverCmd(C.RecoverArgs, Where):
    runId: str = Field(min_length=1, max_length=200, pattern=ID_PATTERN)


# ---------------------------------------------------------------- errors

def invalid(cmd: str, arg: str, message: str) -> JsonRpcException:
    return JsonRpcInvalidParams(message=f"{cmd}: argument `{arg}`: {message}")


def failed(cmd: str, message: str, data: Any = None) -> JsonRpcException:
    from crew_lsp.server.app import _redact

    return JsonRpcException(code=REQUEST_FAILED, message=_redact(f"{cmd}: {message}"), data=data)


async def _engine_call(cmd: str, call: Awaitable[R]) -> R:
    """Map the engine's refusals onto JSON-RPC errors (anything else is an internal failure)."""
    from crew_lsp.engine.manager import PlanError, RunStateError, UnsafePath

    try:
        return await call
    except PlanError as exc:
        raise failed(cmd, f"the run cannot start: {exc}", {"diagnostics": [i.to_dict() for i in exc.issues]}) from None
    except UnsafePath as exc:
        raise JsonRpcInvalidParams(message=f"{cmd}: {exc}") from None
    except (RunStateError, FileNotFoundError) as exc:
        raise failed(cmd, str(exc)) from None


# ---------------------------------------------------------------- the service

class RunService:
    def __init__(self, ls: CrewServer):
        self.ls = ls
        self.managers: dict[Path, RunManager] = {}
        self.notifier = Notifier(ls, self.is_active)
        self.server_id = f"crew-lsp-{os.getpid()}-{secrets.token_hex(3)}"
        self.closing = False
        self._cancelling: set[str] = set()

    # -- folders and managers

    def folders(self) -> list[Folder]:
        """Workspace folders in the client's order (implicit folders of loose files last)."""
        project = self.ls.project.folders
        ordered: list[Folder] = []
        try:
            uris = list(self.ls.workspace.folders)
        except Exception:
            uris = []
        for uri in uris:
            path = self.ls.uris.path(uri)
            folder = self.ls.project.find(Path(path).resolve()) if path else None
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
        path = self.ls.uris.path(raw) if raw.startswith("file:") else os.path.realpath(os.path.expanduser(raw))
        if not path:
            raise invalid(cmd, name, f"{raw!r} is not a file path or file URI")
        target = Path(path)
        for folder in self.ls.project.folders:  # innermost first
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
        if not await self.ls.folder_ready(folder):
            raise failed(cmd, f"the workspace folder {folder.path} is still being indexed; try again")
        return folder

    def manager(self, folder: Folder) -> RunManager:
        from crew_lsp.engine.manager import RunManager

        key = folder.ws.folder
        mgr = self.managers.get(key)
        if mgr is None:
            mgr = RunManager(key, server_id=self.server_id, snapshot_provider=lambda: self._snapshot(key, folder),
                             extra_roots=list(self.ls.settings.roots))
            mgr.add_listener(self.notifier.on_update)
            self.managers[key] = mgr
        # user-level worker program (resume/recover fall back to it; the runtime kind of a resumed
        # run stays the recorded one)
        mgr.worker_command = self.ls.settings.worker.command
        return mgr

    def _snapshot(self, key: Path, fallback: Folder) -> Any:
        live = self.ls.project.find(key)  # folders are rebuilt when `crew.roots` changes
        return (live or fallback).snapshot

    def is_active(self, run_id: str) -> bool:
        return any(m.is_active(run_id) for m in self.managers.values())

    async def locate(self, cmd: str, args: Any) -> tuple[Folder, RunManager]:
        """The folder and manager of `args.runId` (the named folder, else the one whose store has it)."""
        run_id = args.runId
        named = self.folder_of(cmd, args)
        candidates = [named] if named is not None else self.folders()
        for folder in candidates:
            mgr = self.managers.get(folder.ws.folder)
            if mgr is not None and mgr.is_active(run_id):
                return folder, self.manager(folder)
        for folder in candidates:
            manifest = folder.ws.crew / "state" / "runs" / run_id / "manifest.json"
            if await asyncio.to_thread(manifest.is_file):
                return folder, self.manager(folder)
        raise invalid(cmd, "runId", f"unknown run {run_id}")

    # -- following runs

    def follow(self, mgr: RunManager, run_id: str, team: str | None, workflow: str | None) -> None:
        """Progress, notifications and a run-end message for a run executing here."""
        title = f"{team or '?'}/{workflow or '?'}"
        self.notifier.track(run_id, title, on_cancel=lambda: self._cancel_from_editor(mgr, run_id))

    async def follow_active(self, mgr: RunManager, run_id: str) -> None:
        if not mgr.is_active(run_id):
            return
        view = await mgr.status(run_id)  # in memory for an active run: no await really suspends
        manifest = view.get("manifest") or {}
        self.follow(mgr, run_id, manifest.get("team"), manifest.get("workflow"))

    def _cancel_from_editor(self, mgr: RunManager, run_id: str) -> None:
        if run_id in self._cancelling or not mgr.is_active(run_id):
            return
        self._cancelling.add(run_id)

        async def cancel() -> None:
            try:
                await mgr.cancel(run_id, "cancelled from the editor")
            finally:
                self._cancelling.discard(run_id)

        self.ls.spawn(cancel())

    def progress_cancelled(self, token: Any) -> None:
        self.notifier.progress_cancelled(token)

    async def start(self, folder: Folder, args: RunCmd, goal: str) -> str:
        mgr = self.manager(folder)
        worker = self.ls.settings.worker
        run_id = await mgr.start(goal=goal, team=args.team, workflow=args.workflow, agent=args.agent,
                                 runtime=args.runtime or worker.runtime, worker_command=worker.command,
                                 dry_run=args.dryRun)
        await self.follow_active(mgr, run_id)
        return run_id

    # -- lifecycle

    async def startup(self) -> None:
        """Interrupted runs of a previous server (engine §6): resume them with `autoRecover`, else
        ask the user (window/showMessageRequest with Accept/Decline) when the client can answer."""
        if not self.ls.settings.trustedWorkspace:
            return
        for folder in self.folders():
            if folder.implicit or not await asyncio.to_thread((folder.ws.crew / "state" / "runs").is_dir):
                continue
            if not await self.ls.folder_ready(folder):
                continue
            mgr = self.manager(folder)
            try:
                found = await mgr.startup_recovery()
            except Exception as exc:
                self.ls.log_error(f"crash recovery in {folder.path} failed", exc)
                continue
            for plan in found.get("recovered", []):
                await self.follow_active(mgr, plan["runId"])
                self.notifier.show(T.MessageType.Info, f"crew: resumed the interrupted run {plan['runId']} "
                                                       f"({plan.get('team')}/{plan.get('workflow')})")
            pending = found.get("pending", [])
            if not pending:
                continue
            if self._can_ask():
                for plan in pending:
                    self.ls.spawn(self._ask(mgr, plan))
            else:
                ids = ", ".join(p["runId"] for p in pending)
                self.notifier.show(T.MessageType.Warning, f"crew: {len(pending)} interrupted run(s) found: {ids}. "
                                                          "Resume or decline with crew.recover {runId, accept}.")

    def _can_ask(self) -> bool:
        caps = getattr(self.ls, "client_capabilities", None)
        return caps is not None and get_capability(caps, "window.show_message", None) is not None

    async def _ask(self, mgr: RunManager, plan: dict) -> None:
        run_id = plan["runId"]
        done, total = len(plan.get("completed", [])), sum(len(plan.get(k, [])) for k in ("completed", "requeue", "queued"))
        params = T.ShowMessageRequestParams(
            type=T.MessageType.Warning,
            message=(f"crew: the run {run_id} ({plan.get('team')}/{plan.get('workflow')}) was interrupted with "
                     f"{done}/{total} tasks completed. Resume it? (Decline cancels it.)"),
            actions=[T.MessageActionItem(title=ACCEPT), T.MessageActionItem(title=DECLINE)],
        )
        request = self.ls.protocol.send_request_async(T.WINDOW_SHOW_MESSAGE_REQUEST, params)
        try:
            answer = await asyncio.shield(request)  # never cancel a wait on the client's answer
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.ls.log(f"crew-lsp: window/showMessageRequest failed: {exc}")
            return
        title = getattr(answer, "title", None) if answer is not None else None
        if title not in (ACCEPT, DECLINE) or self.closing:
            return  # dismissed: the run stays interrupted (asked again next time, or crew.recover)
        if title == ACCEPT and not self.ls.settings.trustedWorkspace:
            return
        try:
            await mgr.recover(run_id, title == ACCEPT)
        except Exception as exc:
            self.ls.log_error(f"recovering {run_id} failed", exc)
            return
        await self.follow_active(mgr, run_id)

    async def aclose(self) -> None:
        """Shutdown: cancel every running run cleanly (they stay resumable), deliver their end."""
        self.closing = True
        closing = [asyncio.ensure_future(m.aclose()) for m in self.managers.values()]
        if closing:
            done, pending = await asyncio.wait(closing, timeout=CLOSE_TIMEOUT_S)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    self.ls.log_error("stopping runs failed", task.exception())
            if pending:
                self.ls.log(f"crew-lsp: {len(pending)} run manager(s) did not stop in {CLOSE_TIMEOUT_S:g} s",
                            T.MessageType.Warning)
        self.notifier.flush_all()


def service(ls: CrewServer) -> RunService:
    if getattr(ls, "runs", None) is None:
        ls.runs = RunService(ls)
    return ls.runs


def install(server: CrewServer) -> None:
    """Called by commands.install(): attach the run service to the server."""
    service(server)


# ---------------------------------------------------------------- the lenses' default goal

def lens_goal(snap: Any, team: str | None, workflow: str | None, agent: str | None) -> str:
    if agent:
        return f"{agent} run from the editor"
    team_name = team or "default"
    res = snap.teams.get(team_name) if snap is not None else None
    wf = workflow or (getattr(res.model, "default_workflow", None) if res is not None else None) or "default"
    return f"{team_name}/{wf} run from the editor"


def _check_names(cmd: str, snap: Any, team: str | None, workflow: str | None, agent: str | None) -> None:
    """Unknown names are bad arguments (InvalidParams naming them), not engine failures."""
    if agent:
        if snap.agent(agent) is None:
            known = ", ".join(sorted(r.name for r in snap.agents.values())) or "none"
            raise invalid(cmd, "agent", f"unknown or disabled agent '{agent}' (agents: {known})")
        return
    if team and team not in snap.teams:
        raise invalid(cmd, "team", f"unknown team '{team}' (teams: {', '.join(sorted(snap.teams)) or 'none'})")
    if workflow and workflow not in snap.workflows:
        raise invalid(cmd, "workflow", f"unknown workflow '{workflow}' (workflows: {', '.join(sorted(snap.workflows)) or 'none'})")


# ---------------------------------------------------------------- commands

@command("crew.run", RunCmd)
async def run(ls: CrewServer, args: RunCmd) -> dict[str, Any]:
    from crew_lsp.engine.config import WorkerConfigError

    svc = service(ls)
    if svc.closing:
        raise failed("crew.run", "the server is shutting down")
    folder = await svc.folder("crew.run", args)
    snap = folder.snapshot
    goal = args.goal
    if goal is None:
        if not args.fromLens:
            raise JsonRpcInvalidParams(message="crew.run: argument `goal` is required")
        goal = lens_goal(snap, args.team, args.workflow, args.agent)
    _check_names("crew.run", snap, args.team, args.workflow, args.agent)
    # the run is created even when the request is cancelled meanwhile (it then simply runs)
    starting = asyncio.ensure_future(svc.start(folder, args, goal))
    try:
        run_id = await _engine_call("crew.run", asyncio.shield(starting))
    except WorkerConfigError as exc:
        if args.runtime:
            raise invalid("crew.run", "runtime", str(exc)) from None
        raise failed("crew.run", f"{exc} (set crew.worker.runtime / crew.worker.command in the user settings)") from None
    return {"runId": run_id}


@command("crew.cancel", CancelCmd)
async def cancel(ls: CrewServer, args: CancelCmd) -> dict[str, Any]:
    svc = service(ls)
    _, mgr = await svc.locate("crew.cancel", args)
    stopping = asyncio.ensure_future(mgr.cancel(args.runId, args.reason or "cancelled by the user"))
    return await _engine_call("crew.cancel", asyncio.shield(stopping))


async def _requeue(ls: CrewServer, cmd: str, args: Any, call: Callable[[RunManager], Awaitable[dict]]) -> dict:
    from crew_lsp.engine.config import WorkerConfigError

    svc = service(ls)
    if svc.closing:
        raise failed(cmd, "the server is shutting down")
    folder, mgr = await svc.locate(cmd, args)
    if not await ls.folder_ready(folder):
        raise failed(cmd, f"the workspace folder {folder.path} is still being indexed; try again")

    async def go() -> dict:
        result = await call(mgr)
        await svc.follow_active(mgr, args.runId)
        return result

    try:
        return await _engine_call(cmd, asyncio.shield(asyncio.ensure_future(go())))
    except WorkerConfigError as exc:
        raise failed(cmd, f"{exc} (set crew.worker.runtime / crew.worker.command in the user settings)") from None


@command("crew.resume", RunIdCmd)
async def resume(ls: CrewServer, args: RunIdCmd) -> dict[str, Any]:
    return await _requeue(ls, "crew.resume", args,
                          lambda mgr: mgr.resume(args.runId, worker_command=ls.settings.worker.command))


@command("crew.retry", RetryCmd)
async def retry(ls: CrewServer, args: RetryCmd) -> dict[str, Any]:
    return await _requeue(ls, "crew.retry", args,
                          lambda mgr: mgr.retry(args.runId, args.taskId, worker_command=ls.settings.worker.command))


@command("crew.recover", RecoverCmd)
async def recover(ls: CrewServer, args: RecoverCmd) -> dict[str, Any]:
    return await _requeue(ls, "crew.recover", args,
                          lambda mgr: mgr.recover(args.runId, args.accept, worker_command=ls.settings.worker.command))


@command("crew.status", StatusCmd)
async def status(ls: CrewServer, args: StatusCmd) -> dict[str, Any]:
    svc = service(ls)
    if args.runId is not None:
        _, mgr = await svc.locate("crew.status", args)
        return await _engine_call("crew.status", mgr.status(args.runId))
    named = svc.folder_of("crew.status", args)
    folders = [named] if named is not None else [f for f in svc.folders() if not f.implicit]
    runs: list[dict] = []
    for folder in folders:
        listed = await _engine_call("crew.status", svc.manager(folder).status(None, limit=args.limit))
        for entry in listed.get("runs", []):
            runs.append({**entry, "folder": str(folder.ws.folder)})
    runs.sort(key=lambda r: str(r.get("createdAt") or ""), reverse=True)
    return {"runs": runs[: args.limit], "health": svc.notifier.health()}


@command("crew.events", EventsCmd)
async def events(ls: CrewServer, args: EventsCmd) -> dict[str, Any]:
    _, mgr = await service(ls).locate("crew.events", args)
    return await _engine_call("crew.events", mgr.events(args.runId, args.sinceSeq or 0, args.limit or 200))


@command("crew.plan", PlanCmd)
async def plan(ls: CrewServer, args: PlanCmd) -> dict[str, Any]:
    svc = service(ls)
    folder = await svc.folder("crew.plan", args)
    snap = folder.snapshot
    goal = args.goal
    if goal is None:
        if not args.fromLens:
            raise JsonRpcInvalidParams(message="crew.plan: argument `goal` is required")
        goal = lens_goal(snap, args.team, args.workflow, args.agent)
    _check_names("crew.plan", snap, args.team, args.workflow, args.agent)
    return await _engine_call("crew.plan", svc.manager(folder).plan(goal=goal, team=args.team, workflow=args.workflow,
                                                                     agent=args.agent))


@command("crew.exportDiagnostics", RunIdCmd)
async def export_diagnostics(ls: CrewServer, args: RunIdCmd) -> dict[str, Any]:
    _, mgr = await service(ls).locate("crew.exportDiagnostics", args)
    path = await _engine_call("crew.exportDiagnostics", mgr.export_diagnostics(args.runId))
    return {"runId": args.runId, "path": path}


@command("crew.recommend", RecommendCmd)
async def recommend_command(ls: CrewServer, args: RecommendCmd) -> dict[str, Any]:
    folder = await service(ls).folder("crew.recommend", args)
    return recommend(folder.snapshot, args.goal)


# ---------------------------------------------------------------- crew.recommend

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_STOP = frozenset("""a an and are as at be but by can do for from has have i if in into is it its me my no not of on
or our so that the their then there these this to too was we were what when where which who why will with you your
need needs should would could""".split())
TRIGGER_WEIGHT = 2.0  # a matched trigger phrase scores this plus one per word of the phrase
USE_WHEN_WEIGHT = 1.0  # per distinct useWhen word in the goal
AVOID_WHEN_WEIGHT = 0.5  # subtracted per distinct avoidWhen word in the goal


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower().replace("-", " "))]


def _csv(res: Any, key: str) -> list[str]:
    doc = getattr(res, "doc", None)
    value = doc.frontmatter.get(key) if doc is not None else None
    if key == "triggers" and not value and doc is not None:
        value = doc.frontmatter.get("trigger")
    if not value:
        return []
    return [p.strip().strip("\"'") for p in str(value).split(",") if p.strip().strip("\"'")]


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def recommend(snap: Any, goal: str) -> dict[str, Any]:
    """The best team for a goal by `triggers` (phrases) and `useWhen`/`avoidWhen` (words), with the reason."""
    words = _words(goal)
    content = {w for w in words if w not in _STOP and len(w) > 2}
    scored = []
    for name, res in sorted(snap.teams.items()):
        triggers = [t for t in _csv(res, "triggers") if _contains(words, _words(t))]
        use = sorted({w for item in _csv(res, "useWhen") for w in _words(item)} & content)
        avoid = sorted({w for item in _csv(res, "avoidWhen") for w in _words(item)} & content)
        score = (sum(TRIGGER_WEIGHT + len(_words(t)) for t in triggers) + USE_WHEN_WEIGHT * len(use)
                 - AVOID_WHEN_WEIGHT * len(avoid))
        scored.append((score, len(triggers), name, res, triggers, use, avoid))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2] != "default", s[2]))
    best = scored[0] if scored and scored[0][0] > 0 else None
    if best is None:
        fallback = snap.teams.get("default") or (scored[0][3] if scored else None)
        if fallback is None:
            return {"team": None, "workflow": None, "score": 0, "reason": "no team is defined", "matches": {},
                    "alternatives": []}
        return {"team": fallback.name, "workflow": getattr(fallback.model, "default_workflow", None) or "default",
                "score": 0, "reason": f"nothing in the goal matches the triggers or useWhen of any team; "
                                      f"`{fallback.name}` is the general-purpose choice",
                "matches": {"triggers": [], "useWhen": [], "avoidWhen": []}, "alternatives": []}
    score, _, name, res, triggers, use, avoid = best
    parts = []
    if triggers:
        parts.append("triggers " + ", ".join(f"'{t}'" for t in triggers))
    if use:
        parts.append("useWhen words " + ", ".join(use))
    reason = f"`{name}` matches " + " and ".join(parts) if parts else f"`{name}` scores best"
    if avoid:
        reason += "; but avoidWhen mentions " + ", ".join(avoid)
    return {
        "team": name, "workflow": getattr(res.model, "default_workflow", None) or "default", "score": score,
        "reason": reason, "matches": {"triggers": triggers, "useWhen": use, "avoidWhen": avoid},
        "alternatives": [{"team": s[2], "score": s[0]} for s in scored[1:4] if s[0] > 0],
    }


__all__ = ["RunService", "service", "install", "recommend", "lens_goal"]
