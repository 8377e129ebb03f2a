"""`workspace/executeCommand`: one registry of handlers with pydantic argument models (docs/editor.md, Commands).

A command is an (async) handler decorated with `@command("crew.name")` (or passed to `register(...)`):
the built-in ones below, the run commands in run_commands.py. Exactly the registered commands are
advertised. A handler receives `(session, args)` where `args` is the validated model; an invalid
argument is a JSON-RPC InvalidParams error naming the argument; a handler marked
`starts_programs=True` is refused when the client says the workspace is untrusted
(`crew.trustedWorkspace: false`).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from crew_lsp.checks import check_resource
from crew_lsp.checks.codes import Severity
from crew_lsp.engine.limits import MAX_GOAL_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_REASON_CHARS
from crew_lsp.engine.runtimes import Runtime

from crew_lsp.server.errors import REQUEST_FAILED, request_failed

if TYPE_CHECKING:
    from crew_lsp.server.session import Session


# ---------------------------------------------------------------- argument models (docs/editor.md, Commands)

class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Empty(Args):
    pass


# every string argument is bounded (engine/limits.py): an oversized one is InvalidParams naming it
Goal = Field(min_length=1, max_length=MAX_GOAL_CHARS)
Name = Field(None, max_length=MAX_NAME_CHARS)
RunId = Field(min_length=1, max_length=MAX_ID_CHARS)


class RunArgs(Args):
    team: str | None = Name
    workflow: str | None = Name
    agent: str | None = Name
    goal: str = Goal
    runtime: Runtime | None = None
    dryRun: bool = False


class RunIdArgs(Args):
    runId: str = RunId


class CancelArgs(RunIdArgs):
    reason: str | None = Field(None, max_length=MAX_REASON_CHARS)


class RetryArgs(RunIdArgs):
    taskId: str | None = Field(None, max_length=MAX_ID_CHARS)


class StatusArgs(Args):
    runId: str | None = Field(None, max_length=MAX_ID_CHARS)


class EventsArgs(RunIdArgs):
    sinceSeq: int | None = Field(None, ge=0)
    limit: int | None = Field(None, gt=0, le=10_000)


class PlanArgs(Args):
    team: str | None = Name
    workflow: str | None = Name
    goal: str = Goal


class RecommendArgs(Args):
    goal: str = Goal


class RecoverArgs(RunIdArgs):
    accept: bool


class MetricsArgs(Args):
    filter: str | None = Field(None, min_length=1, max_length=200)  # a glob on metric names
    format: Literal["json", "prometheus"] = "json"


ARGUMENTS: dict[str, type[Args]] = {
    "crew.run": RunArgs,
    "crew.cancel": CancelArgs,
    "crew.resume": RunIdArgs,
    "crew.retry": RetryArgs,
    "crew.status": StatusArgs,
    "crew.events": EventsArgs,
    "crew.plan": PlanArgs,
    "crew.recommend": RecommendArgs,
    "crew.validateWorkspace": Empty,
    "crew.doctor": Empty,
    "crew.exportDiagnostics": RunIdArgs,
    "crew.recover": RecoverArgs,
    "crew.metrics": MetricsArgs,
}

# Commands that start programs: refused in an untrusted workspace.
STARTS_PROGRAMS = {"crew.run", "crew.resume", "crew.retry", "crew.recover"}


# ---------------------------------------------------------------- registry

Handler = Callable[["Session", Any], Any | Awaitable[Any]]


@dataclass(slots=True)
class Command:
    name: str
    args: type[BaseModel]
    handler: Handler
    starts_programs: bool = False


COMMANDS: dict[str, Command] = {}


def register(name: str, handler: Handler, args: type[BaseModel] | None = None, *, starts_programs: bool | None = None) -> None:
    model = args or ARGUMENTS.get(name) or Empty
    starts = name in STARTS_PROGRAMS if starts_programs is None else starts_programs
    COMMANDS[name] = Command(name, model, handler, starts)


def command(name: str, args: type[BaseModel] | None = None, *, starts_programs: bool | None = None):
    def deco(fn: Handler) -> Handler:
        register(name, fn, args, starts_programs=starts_programs)
        return fn

    return deco


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(argument)"
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "is required"
        elif err["type"] == "extra_forbidden":
            msg = "is not a known argument"
        parts.append(f"argument `{loc}` {msg}" if err["type"] in ("missing", "extra_forbidden") else f"argument `{loc}`: {msg}")
    return "; ".join(parts)


async def dispatch(session: Session, name: str, arguments: list[Any]) -> Any:
    spec = COMMANDS.get(name)
    if spec is None:
        raise JsonRpcInvalidParams(message=f"unknown command {name!r}")
    if len(arguments) > 1:
        raise JsonRpcInvalidParams(message=f"{name} takes one argument object, got {len(arguments)} arguments")
    raw = arguments[0] if arguments else {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise JsonRpcInvalidParams(message=f"{name}: the argument must be an object, got {type(raw).__name__}")
    try:
        args = spec.args.model_validate(raw)
    except ValidationError as exc:
        raise JsonRpcInvalidParams(message=f"{name}: {_describe(exc)}") from None
    if spec.starts_programs and not session.settings.trustedWorkspace:
        raise JsonRpcException(code=REQUEST_FAILED,
                               message=f"{name} refused: the workspace is not trusted (crew.trustedWorkspace is false)")
    try:
        result = spec.handler(session, args)
        if inspect.isawaitable(result):
            result = await result
    except (JsonRpcException, asyncio.CancelledError):
        raise
    except Exception as exc:
        session.log_error(f"{name} failed", exc)
        raise request_failed(f"{name} failed: {exc}") from None
    return result


# ---------------------------------------------------------------- built-in commands

_LABELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "information", Severity.HINT: "hint"}


def _counts() -> dict[str, Any]:
    return {"files": 0, "severity": {"error": 0, "warning": 0, "information": 0, "hint": 0}, "codes": {}}


@command("crew.validateWorkspace")
async def validate_workspace(session: Session, args: Empty) -> dict[str, Any]:
    """Counts per severity and per code, for every scope (cancellable: it yields between files)."""
    total = _counts()
    scopes: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    folders = []
    versions: list[dict[str, Any]] = []  # the pi-crew version each folder is read as, and why (the language status)
    overrides = session.severity_overrides
    slice_start = time.perf_counter()
    for folder in list(session.project.folders):
        if not await session.folder_ready(folder):
            continue
        folders.append(str(folder.ws.folder))
        versions.append({"folder": str(folder.ws.folder), **_pi_crew(folder.ws)})
        snap = folder.snapshot
        for path, res in list(snap.resources.items()):
            if path in seen:
                continue
            seen.add(path)
            diags = check_resource(res, snap, overrides)
            bucket = scopes.setdefault(res.scope, _counts())
            for counts in (total, bucket):
                counts["files"] += 1
                for d in diags:
                    counts["severity"][_LABELS[d.severity]] += 1
                    counts["codes"][d.code] = counts["codes"].get(d.code, 0) + 1
            if time.perf_counter() - slice_start > 0.002:
                await asyncio.sleep(0)
                slice_start = time.perf_counter()
    for counts in [total, *scopes.values()]:
        counts["codes"] = dict(sorted(counts["codes"].items()))
    return {**total, "scopes": dict(sorted(scopes.items())), "folders": folders, "piCrew": versions}


def _pi_crew(ws: Any) -> dict[str, Any]:
    """The version a workspace is read as: `version`, `source`, `why` and a one-line `summary`."""
    from crew_lsp.resources.versions import show

    found = ws.detection
    if found is None:  # a workspace built without detection (tests): its reading says the version
        return {"version": show(ws.reading.version), "source": "", "why": "", "summary": ""}
    summary = found.describe() + (f"; {ws.user_config_why}" if ws.user_config_why else "")
    return {"version": found.shown, "source": found.source, "why": found.why, "summary": summary}


def _redact_value(value: Any) -> Any:
    from crew_lsp.telemetry.redact import redact

    return redact(value)


def _writable_dir(path: Path) -> tuple[bool, str]:
    """Whether `path` exists writable, or could be created (its nearest existing parent is writable)."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return False, f"no existing parent of {path}"
        probe = probe.parent
    ok = probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)
    return ok, (f"{path} is writable" if probe == path else f"{path} can be created under {probe}") if ok else f"{probe} is not writable"


@command("crew.metrics")
def metrics(session: Session, args: MetricsArgs) -> Any:
    """The session's metrics: `{metrics: snapshot}`, or the Prometheus exposition text (docs/telemetry.md)."""
    return session.metrics.render(args.filter, args.format)


def _bindable(session: Session, address: str) -> tuple[bool, str]:
    """Whether `metrics.serve` can be (or is) served."""
    from crew_lsp.telemetry.exporters import MetricsServeError, parse_serve_address

    http = session.metrics.http
    if http is not None:
        return True, f"serving {http.url}"
    try:
        host, port = parse_serve_address(address)
        with socket.create_server((host, port)):
            pass
    except MetricsServeError as exc:
        return False, str(exc)
    except OSError as exc:
        return False, f"cannot bind {address}: {exc.strerror or exc}"
    return True, f"{host}:{port} can be bound"


@command("crew.doctor")
async def doctor(session: Session, args: Empty) -> dict[str, Any]:
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append({"name": name, "ok": ok, "detail": detail})

    roots = []
    for folder in session.project.folders:
        ws = folder.ws
        entry = {
            "folder": str(ws.folder), "repo": str(ws.repo), "crewRoot": str(ws.crew), "crewRootExists": ws.crew.is_dir(),
            "builtin": str(ws.builtin), "user": str(ws.user), "userExists": ws.user.is_dir(),
            "extraRoots": [str(r) for r in ws.extra_roots],
            "files": len(folder.snapshot.resources),
            "piCrew": _pi_crew(ws),
        }
        roots.append(entry)
        check(f"roots of {ws.folder}", True,
              f"crew root {ws.crew} ({'found' if entry['crewRootExists'] else 'missing'}), "
              f"user root {ws.user} ({'found' if entry['userExists'] else 'missing'}), builtin {ws.builtin}")
        for extra in ws.extra_roots:
            check(f"extra root {extra}", extra.is_dir(), "found" if extra.is_dir() else "missing")
        from crew_lsp.checks.drift import drift_lines

        for harmless, text in drift_lines(folder.snapshot):
            check("config drift", harmless, text)
        ok, detail = _writable_dir(ws.crew / "state")
        check(f"state writable in {ws.folder}", ok, detail)
        from crew_lsp.engine.doctor import version_checks

        for found in version_checks(ws):
            check(f"{found.name} of {ws.folder}", found.ok, found.detail)
    if not roots:
        check("workspace folders", False, "the client opened no workspace folder")

    worker = session.settings.worker
    runtime: dict[str, Any] = {"runtime": None, "reason": None, "command": None}
    try:
        from crew_lsp.engine.config import WorkerConfigError, resolve_worker
    except Exception:
        resolve_worker = None  # type: ignore[assignment]
        WorkerConfigError = ValueError  # type: ignore[assignment,misc]
    if resolve_worker is not None:
        try:
            resolved = resolve_worker(worker.runtime, worker.command)
            runtime = {"runtime": resolved.runtime, "reason": resolved.reason,
                       "command": list(resolved.command) or list(resolved.pi_argv) or None}
            check("runtime resolution", True, f"{resolved.runtime} ({resolved.reason})")
            program = (resolved.command or resolved.pi_argv or (None,))[0]
            if program:
                found = shutil.which(program) or (program if os.path.isfile(program) and os.access(program, os.X_OK) else None)
                check("worker command reachable", found is not None, found or f"{program} not found on PATH")
            else:
                check("worker command reachable", True, "the scaffold runtime runs no program")
        except WorkerConfigError as exc:
            check("runtime resolution", False, str(exc))
    else:
        runtime = {"runtime": worker.runtime or os.environ.get("CREW_RUNTIME") or "scaffold", "reason": "settings", "command": worker.command}
        check("runtime resolution", True, f"{runtime['runtime']} (engine not installed)")
    check("workspace trust", True, "trusted" if session.settings.trustedWorkspace else "untrusted: run commands are refused")
    if session.settings.metrics.serve:
        check("metrics endpoint bindable", *_bindable(session, session.settings.metrics.serve))
    return {
        "ok": all(c["ok"] for c in checks),
        "version": session.version,
        "python": sys.version.split()[0],
        "checks": checks,
        "roots": roots,
        "runtime": runtime,
        "settings": _redact_value(session.settings.model_dump()),
        "openDocuments": len(session.docs),
    }
