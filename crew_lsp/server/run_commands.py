"""The run commands on the server (docs/editor.md, Commands): argument models and handlers.

The handlers drive `run_service.RunService` (one per server, `session.runs`, one `RunManager` per
workspace folder): `crew.run` answers `{runId}` at once and the run outlives the request.
`crew.recommend` scores teams in recommend.py; `crew.teams` lists them for an editor's pickers.

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
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar

from pydantic import Field, field_validator
from pygls.exceptions import JsonRpcInvalidParams

from crew_lsp.engine.limits import MAX_GOAL_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_PATH_CHARS, MAX_REASON_CHARS
from crew_lsp.server import commands as C
from crew_lsp.server.commands import command
from crew_lsp.server.recommend import recommend
from crew_lsp.engine.state import new_run_id
from crew_lsp.server.run_service import after_response, failed, invalid, service

if TYPE_CHECKING:
    from crew_lsp.engine.manager import RunManager
    from crew_lsp.server.session import Session

ID_PATTERN = r"^[A-Za-z0-9_-]+$"
NAME = Field(None, min_length=1, max_length=MAX_NAME_CHARS)
GOAL = Field(None, min_length=1, max_length=MAX_GOAL_CHARS)  # required unless fromLens (checked in the handler)

R = TypeVar("R")


# ---------------------------------------------------------------- argument models (commands.py + where)

class Where(C.Args):
    """Which workspace folder: a path or file URI of (or inside) a folder."""

    cwd: str | None = Field(None, min_length=1, max_length=MAX_PATH_CHARS)
    folder: str | None = Field(None, min_length=1, max_length=MAX_PATH_CHARS)


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


class RunCmd(C.RunArgs, Where):
    team: str | None = NAME
    workflow: str | None = NAME
    agent: str | None = NAME
    goal: str | None = GOAL
    fromLens: bool = False

    blank_check = field_validator("goal", "team", "workflow", "agent")(_not_blank)


class PlanCmd(C.PlanArgs, Where):
    team: str | None = NAME
    workflow: str | None = NAME
    agent: str | None = NAME
    goal: str | None = GOAL
    fromLens: bool = False

    blank_check = field_validator("goal", "team", "workflow", "agent")(_not_blank)


class RunIdCmd(C.RunIdArgs, Where):
    runId: str = Field(min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)


class CancelCmd(RunIdCmd):
    reason: str | None = Field(None, max_length=MAX_REASON_CHARS)


class RetryCmd(RunIdCmd):
    taskId: str | None = Field(None, min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)


class StatusCmd(C.StatusArgs, Where):
    runId: str | None = Field(None, min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)
    limit: int = Field(20, gt=0, le=1000)


class EventsCmd(C.EventsArgs, Where):
    runId: str = Field(min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)


class RecommendCmd(C.RecommendArgs, Where):
    blank_check = field_validator("goal")(_not_blank)


class TeamsCmd(Where):
    pass


class RecoverCmd(C.RecoverArgs, Where):
    runId: str = Field(min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)


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


def install(server: Session) -> None:
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

def _goal_and_names(method: str, snap: Any, args: Any) -> str:
    """The goal to run with (a code lens carries none) after checking the named team/workflow/agent."""
    goal = args.goal
    if goal is None:
        if not args.fromLens:
            raise JsonRpcInvalidParams(message=f"{method}: argument `goal` is required")
        goal = lens_goal(snap, args.team, args.workflow, args.agent)
    _check_names(method, snap, args.team, args.workflow, args.agent)
    return goal


@command("crew.run", RunCmd)
async def run(session: Session, args: RunCmd) -> dict[str, Any]:
    from crew_lsp.engine.config import WorkerConfigError

    svc = service(session)
    if svc.closing:
        raise failed("crew.run", "the server is shutting down")
    folder = await svc.folder("crew.run", args)
    goal = _goal_and_names("crew.run", folder.snapshot, args)
    run_id = new_run_id()
    svc.notifier.hold(run_id)  # the answer {runId} comes before any notification of the run
    after_response(lambda: svc.notifier.release(run_id))
    # the run is created even when the request is cancelled meanwhile (it then simply runs)
    starting = asyncio.ensure_future(svc.start_run(folder, args, goal, run_id))
    try:
        run_id = await _engine_call("crew.run", asyncio.shield(starting))
    except WorkerConfigError as exc:
        if args.runtime:
            raise invalid("crew.run", "runtime", str(exc)) from None
        raise failed("crew.run", f"{exc} (set crew.worker.runtime / crew.worker.command in the user settings)") from None
    return {"runId": run_id}


@command("crew.cancel", CancelCmd)
async def cancel(session: Session, args: CancelCmd) -> dict[str, Any]:
    svc = service(session)
    _, stored = await svc.locate("crew.cancel", args)
    stopping = asyncio.ensure_future(svc.cancel(args.runId, args.reason or "cancelled by the user", stored))
    return await _engine_call("crew.cancel", asyncio.shield(stopping))


async def _requeue(session: Session, cmd: str, args: Any, call: Callable[[RunManager], Awaitable[dict]]) -> dict:
    from crew_lsp.engine.config import WorkerConfigError

    svc = service(session)
    if svc.closing:
        raise failed(cmd, "the server is shutting down")
    folder, mgr = await svc.locate(cmd, args)
    if not await session.folder_ready(folder):
        raise failed(cmd, f"the workspace folder {folder.path} is still being indexed; try again")

    async def go() -> dict:
        result = await call(mgr)
        await svc.follow_active(mgr, args.runId)
        return result

    svc.notifier.hold(args.runId)  # the answer comes before the notifications of the continued run
    after_response(lambda: svc.notifier.release(args.runId))
    try:
        return await _engine_call(cmd, asyncio.shield(asyncio.ensure_future(go())))
    except WorkerConfigError as exc:
        raise failed(cmd, f"{exc} (set crew.worker.runtime / crew.worker.command in the user settings)") from None


@command("crew.resume", RunIdCmd)
async def resume(session: Session, args: RunIdCmd) -> dict[str, Any]:
    return await _requeue(session, "crew.resume", args,
                          lambda mgr: mgr.resume(args.runId))


@command("crew.retry", RetryCmd)
async def retry(session: Session, args: RetryCmd) -> dict[str, Any]:
    return await _requeue(session, "crew.retry", args,
                          lambda mgr: mgr.retry(args.runId, args.taskId))


@command("crew.recover", RecoverCmd)
async def recover(session: Session, args: RecoverCmd) -> dict[str, Any]:
    return await _requeue(session, "crew.recover", args,
                          lambda mgr: mgr.recover(args.runId, args.accept))


@command("crew.status", StatusCmd)
async def status(session: Session, args: StatusCmd) -> dict[str, Any]:
    svc = service(session)
    if args.runId is not None:
        _, mgr = await svc.locate("crew.status", args)
        return (await _engine_call("crew.status", mgr.status(args.runId))).to_json()
    named = svc.folder_of("crew.status", args)
    folders = [named] if named is not None else [f for f in svc.folders() if not f.implicit]
    runs: list[dict] = []
    for folder in folders:
        listed = await _engine_call("crew.status", (await svc.manager(folder)).list_runs(args.limit))
        runs.extend({**summary.to_json(), "folder": str(folder.ws.folder)} for summary in listed)
    runs.sort(key=lambda r: str(r.get("createdAt") or ""), reverse=True)
    return {"runs": runs[: args.limit], "health": svc.notifier.health()}


@command("crew.events", EventsCmd)
async def events(session: Session, args: EventsCmd) -> dict[str, Any]:
    _, mgr = await service(session).locate("crew.events", args)
    return await _engine_call("crew.events", mgr.events(args.runId, args.sinceSeq or 0, args.limit or 200))


@command("crew.plan", PlanCmd)
async def plan(session: Session, args: PlanCmd) -> dict[str, Any]:
    svc = service(session)
    folder = await svc.folder("crew.plan", args)
    goal = _goal_and_names("crew.plan", folder.snapshot, args)
    mgr = await svc.manager(folder)
    return await _engine_call("crew.plan", mgr.plan(goal=goal, team=args.team, workflow=args.workflow, agent=args.agent))


@command("crew.exportDiagnostics", RunIdCmd)
async def export_diagnostics(session: Session, args: RunIdCmd) -> dict[str, Any]:
    _, mgr = await service(session).locate("crew.exportDiagnostics", args)
    path = await _engine_call("crew.exportDiagnostics", mgr.export_diagnostics(args.runId))
    return {"runId": args.runId, "path": path}


@command("crew.recommend", RecommendCmd)
async def recommend_command(session: Session, args: RecommendCmd) -> dict[str, Any]:
    folder = await service(session).folder("crew.recommend", args)
    return recommend(folder.snapshot, args.goal)


@command("crew.teams", TeamsCmd)
async def teams(session: Session, args: TeamsCmd) -> dict[str, Any]:
    """The effective teams by name, for an editor's pickers: description, scope, file and default workflow."""
    folder = await service(session).folder("crew.teams", args)
    listed = []
    for name, res in sorted(folder.snapshot.teams.items()):
        frontmatter = res.doc.frontmatter if res.doc is not None else {}
        listed.append({"name": name, "description": str(frontmatter.get("description") or ""), "scope": res.scope,
                       "path": res.path, "defaultWorkflow": res.model.workflow})  # type: ignore[union-attr]
    return {"teams": listed}


__all__ = ["install", "lens_goal"]
