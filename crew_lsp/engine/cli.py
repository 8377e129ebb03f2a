"""`crew-lsp run | runs | plan` (README.md, Command line — a contract: scripts depend on these flags and codes).

Exit codes: 0 completed / success, 1 failed, blocked or cancelled, 2 invalid (usage, plan refused,
unknown run). Ctrl-C during a run cancels it cleanly: every worker process group is stopped, the
tasks end `cancelled`, and `crew-lsp runs resume RUN` continues it later.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from crew_lsp.engine.runtimes import RUNTIMES
from crew_lsp.engine.limits import (
    MAX_GOAL_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_PATH_CHARS, MAX_REASON_CHARS, too_long,
)

if TYPE_CHECKING:
    from crew_lsp.engine.views import RunView

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _bounded(limit: int):
    """An argparse type: the string itself, or a usage error (exit 2) when it is over `limit` characters."""
    def parse(value: str) -> str:
        problem = too_long(value, limit)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value
    return parse


NAME, RUN_ID, PATH = _bounded(MAX_NAME_CHARS), _bounded(MAX_ID_CHARS), _bounded(MAX_PATH_CHARS)


def _pi_crew_version(text: str) -> str:
    """`--pi-crew-version`: x.y.z, x.y or `auto` (checked here, so a bad one is a usage error)."""
    from crew_lsp.resources.versions import VersionError, parse_version

    if text.strip().lower() != "auto":
        try:
            parse_version(text)
        except VersionError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crew-lsp", add_help=True)
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--cwd", default=".", type=PATH, help="workspace folder (default: .)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")

    def version(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--pi-crew-version", metavar="VERSION", type=_pi_crew_version,
                        help="the pi-crew version to run as (x.y.z, 0.2, 0.10 or auto, the default: detected)")

    def worker(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--runtime", choices=RUNTIMES, help="worker runtime (or CREW_RUNTIME)")
        sp.add_argument("--worker-command", metavar="'CMD ARGS'", help="the command runtime's program (or CREW_WORKER_COMMAND)")
        sp.add_argument("--pass-env", action="append", metavar="NAME",
                        help="let workers inherit this variable, or PREFIX_* (repeatable; or CREW_WORKER_PASS_ENV)")

    run = sub.add_parser("run", help="run a team on a goal")
    run.add_argument("--team", type=NAME)
    run.add_argument("--workflow", type=NAME)
    run.add_argument("--agent", type=NAME, help="run one agent directly")
    worker(run)
    run.add_argument("--dry-run", action="store_true", help="scaffold only: write prompts, run nothing")
    run.add_argument("--model", type=NAME, help="model override for every task")
    version(run)
    common(run)
    run.add_argument("goal", nargs="+")

    runs = sub.add_parser("runs", help="the run store")
    rsub = runs.add_subparsers(dest="action", required=True)
    for name in ("list", "status", "events", "cancel", "resume", "recover", "export"):
        sp = rsub.add_parser(name)
        common(sp)
        if name != "list":
            sp.add_argument("run", type=RUN_ID)
        if name == "events":
            sp.add_argument("--since", type=int, default=0)
            sp.add_argument("--limit", type=int, default=None)
        if name == "cancel":
            sp.add_argument("--reason", type=_bounded(MAX_REASON_CHARS))
        if name in ("resume", "recover"):
            worker(sp)
        if name == "recover":
            group = sp.add_mutually_exclusive_group()
            group.add_argument("--accept", action="store_true")
            group.add_argument("--decline", action="store_true")

    plan = sub.add_parser("plan", help="show the tasks, dependencies and waves without running")
    plan.add_argument("--team", type=NAME)
    plan.add_argument("--workflow", type=NAME)
    plan.add_argument("--agent", type=NAME)
    version(plan)
    common(plan)
    plan.add_argument("goal", nargs="+")
    return p


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        goal = getattr(args, "goal", None)
        if goal is not None:  # its words, joined: bounded as a whole
            args.goal = " ".join(goal)
            problem = too_long(args.goal, MAX_GOAL_CHARS)
            if problem:
                parser.error(f"argument goal: {problem}")
    except SystemExit as exc:
        return EXIT_OK if exc.code in (0, None) else EXIT_INVALID
    import anyio

    try:
        return anyio.run(_dispatch, args)
    except KeyboardInterrupt:
        return EXIT_FAILED
    except Exception as exc:  # an internal failure is exit code 2, with one readable line
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        print(f"crew-lsp: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INVALID


class _Interrupts:
    """Ctrl-C and SIGTERM, caught from the start of the command: a run in progress is cancelled
    cleanly (and stays resumable) instead of the process dying with its workers orphaned."""

    def __init__(self) -> None:
        self.hit = False
        self.handler: Any = None

    async def listen(self, *, task_status: Any) -> None:
        import signal

        import anyio

        try:
            receiver = anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM)
            signals = receiver.__enter__()
        except (ValueError, RuntimeError, NotImplementedError):  # not the main thread, or no signals here
            task_status.started()
            return
        try:
            task_status.started()
            async for _ in signals:
                self.hit = True
                if self.handler is not None:
                    self.handler()
        finally:
            receiver.__exit__(None, None, None)


async def _dispatch(args: argparse.Namespace) -> int:
    import anyio

    args.interrupts = _Interrupts()
    async with anyio.create_task_group() as tg:
        args.task_group = tg  # for the command's background work (the metrics export)
        await tg.start(args.interrupts.listen)
        code = await _dispatch_command(args)
        tg.cancel_scope.cancel()
    return code


async def _dispatch_command(args: argparse.Namespace) -> int:
    from crew_lsp.engine.config import WorkerConfigError
    from crew_lsp.engine.manager import RunStateError
    from crew_lsp.engine.state import UnsafePath
    from crew_lsp.engine.validate import PlanError

    try:
        if args.command == "run":
            return await _cmd_run(args)
        if args.command == "plan":
            return await _cmd_plan(args)
        return await _cmd_runs(args)
    except PlanError as exc:
        _fail(args, "the run is invalid:", [i.to_dict() for i in exc.issues], [str(i) for i in exc.issues])
    except (WorkerConfigError, RunStateError, UnsafePath, FileNotFoundError) as exc:
        _fail(args, str(exc))
    return EXIT_INVALID


def _fail(args: argparse.Namespace, message: str, diagnostics: list | None = None, lines: list[str] | None = None) -> None:
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "diagnostics": diagnostics or []}, indent=2))
    else:
        print(f"crew-lsp: {message}", file=sys.stderr)
        for line in lines or []:
            print(f"  {line}", file=sys.stderr)


def _manager(args: argparse.Namespace):
    from crew_lsp.engine.manager import RunManager

    return RunManager(args.cwd, runtime=getattr(args, "runtime", None), worker_command=getattr(args, "worker_command", None),
                      pass_env=getattr(args, "pass_env", None), pi_crew_version=getattr(args, "pi_crew_version", None))


async def _cmd_run(args: argparse.Namespace) -> int:
    from crew_lsp.engine.metrics_cli import session_metrics

    async with _manager(args) as mgr, session_metrics(mgr, args.task_group):  # measured from the run's first event
        run_id = await mgr.start(goal=args.goal, team=args.team, workflow=args.workflow, agent=args.agent,
                                 dry_run=args.dry_run, model=args.model)
        return await _follow(mgr, run_id, args)


async def _follow(mgr: Any, run_id: str, args: argparse.Namespace, title: str | None = None) -> int:
    """Show a run until it ends; Ctrl-C (or SIGTERM) cancels it cleanly."""
    import anyio

    from crew_lsp.engine.display import make_display

    display = make_display(args.json)
    unsubscribe = mgr.add_listener(display.event) if display is not None else (lambda: None)
    try:
        view = await mgr.status(run_id)
        if display is not None:
            display.start(run_id, title or f"{view.team}/{view.workflow}: {view.goal[:60]}")
        async with anyio.create_task_group() as tg:

            async def redraw() -> None:
                while display is not None:
                    display.update(await mgr.status(run_id))
                    await anyio.sleep(0.25)

            interrupts = args.interrupts
            interrupts.handler = lambda: tg.start_soon(mgr.cancel, run_id, "interrupted (Ctrl-C)")
            if interrupts.hit:  # Ctrl-C while the run was being created
                interrupts.handler()
            tg.start_soon(redraw)
            final = await mgr.wait(run_id)
            interrupts.handler = None
            tg.cancel_scope.cancel()
    finally:
        unsubscribe()
    if display is not None:
        display.stop(final)
    if args.json:
        print(json.dumps({"runId": run_id, "status": final.status,
                          "tasks": [{"id": t.id, "role": t.role, "status": t.status} for t in final.tasks]}, indent=2))
    else:
        _print_result(final)
    return EXIT_OK if final.status == "completed" else EXIT_FAILED


def _print_result(view: RunView) -> None:
    print(f"{view.run_id}: {view.status}" + (f" — {view.reason}" if view.reason else ""))
    from crew_lsp.engine.metric_lines import format_metrics

    for t in view.tasks:
        err = f"  {t.error}" if t.error and t.status != "completed" else ""
        metrics = f"  {format_metrics(t.metrics)}" if t.metrics else ""
        print(f"  {t.id:<28} {t.role:<18} {t.status}{metrics}{err}")
    print(f"  artifacts: {view.artifacts_dir or ''}")


async def _cmd_plan(args: argparse.Namespace) -> int:
    from crew_lsp.engine.manager import RunManager

    result = await RunManager(args.cwd, pi_crew_version=args.pi_crew_version).plan(goal=args.goal, team=args.team, workflow=args.workflow, agent=args.agent)
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK if result["ok"] else EXIT_INVALID
    if not result["ok"]:
        print("crew-lsp: the run is invalid:", file=sys.stderr)
        for d in result["diagnostics"]:
            where = d.get("path") or ""
            if where and d.get("range"):
                where += f":{d['range']['start']['line'] + 1}:{d['range']['start']['character'] + 1}"
            print(f"  {where + ': ' if where else ''}{d.get('code') or 'error'}: {d['message']}", file=sys.stderr)
        return EXIT_INVALID
    print(f"team {result['team']} · workflow {result['workflow']} · concurrency {result['concurrency']}"
          + (" · adaptive (tasks are added after `assess`)" if result["adaptive"] else ""))
    for n, wave in enumerate(result["waves"], 1):
        print(f"wave {n}:")
        for tid in wave:
            t = next(x for x in result["tasks"] if x["id"] == tid)
            deps = f" ← {', '.join(t['dependsOn'])}" if t["dependsOn"] else ""
            print(f"  {t['id']:<24} {t['role']:<18} agent={t['agent']}{deps}")
    for w in result["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK


async def _cmd_runs(args: argparse.Namespace) -> int:
    from crew_lsp.engine.metrics_cli import session_metrics

    async with _manager(args) as mgr:
        action = args.action
        if action == "list":
            runs = await mgr.list_runs()
            if args.json:
                print(json.dumps([r.to_json() for r in runs], indent=2))
            else:
                for r in runs:
                    flag = "  (interrupted)" if r.interrupted else ""
                    print(f"{r.run_id}  {r.status:<9}  {r.team}/{r.workflow}  "
                          f"{r.progress.done}/{r.progress.total}  {r.created_at}{flag}")
            return EXIT_OK
        if action == "status":
            view = await mgr.status(args.run)
            if args.json:
                print(json.dumps(view.to_json(), indent=2))
            else:
                _print_result(view)
                print(f"  {view.progress.message}" + ("  (interrupted: `crew-lsp runs recover --accept RUN`)" if view.interrupted else ""))
            return EXIT_OK
        if action == "events":
            page = await mgr.events(args.run, args.since, args.limit)
            if args.json:
                print(json.dumps(page, indent=2))
            else:
                for e in page["events"]:
                    print(f"{e['metadata']['seq']:>5} {e['time']} {e['type']:<26} {e.get('taskId') or '':<24} {e.get('message') or ''}")
            return EXIT_OK
        if action == "export":  # the figures come from the run's own events (no session has them)
            path = await mgr.export_diagnostics(args.run)
            zipped = path[: -len(".json")] + ".zip"
            print(json.dumps({"runId": args.run, "path": path, "zip": zipped}, indent=2) if args.json else path)
            return EXIT_OK
        if action == "cancel":
            result = await mgr.cancel(args.run, args.reason)
            print(json.dumps(result, indent=2) if args.json else f"{args.run}: {result['status']} ({len(result['cancelledTaskIds'])} tasks cancelled)")
            return EXIT_OK
        if action == "resume":
            async with session_metrics(mgr, args.task_group):
                result = await mgr.resume(args.run)
                if not args.json:
                    print(f"{args.run}: resumed, re-queued {', '.join(result['requeuedTaskIds']) or 'nothing'}",
                          file=sys.stderr)
                return await _follow(mgr, args.run, args)
        # recover
        if not args.accept and not args.decline:
            found = [r for r in await mgr.interrupted() if r["runId"] == args.run]
            if args.json:
                print(json.dumps({"interrupted": bool(found), "plan": found[0] if found else None}, indent=2))
            elif found:
                p = found[0]
                print(f"{args.run} was interrupted: re-queue {', '.join(p['requeue'] + p['queued']) or 'nothing'}; "
                      f"keep {len(p['completed'])} completed. Use --accept or --decline.")
            else:
                print(f"{args.run} is not interrupted.")
            return EXIT_OK if found else EXIT_FAILED
        if args.decline:
            result = await mgr.recover(args.run, accept=False)
            print(json.dumps(result, indent=2) if args.json else f"{args.run}: cancelled (interrupted-not-resumed)")
            return EXIT_OK
        async with session_metrics(mgr, args.task_group):
            await mgr.recover(args.run, accept=True)
            return await _follow(mgr, args.run, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
