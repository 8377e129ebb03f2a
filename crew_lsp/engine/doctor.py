"""`crew-lsp doctor`: is this environment ready to run teams? (README.md, Command line)

    crew-lsp doctor [--cwd DIR] [--json] [--runtime R] [--worker-command 'CMD ARGS'] [--serve-check [HOST:]PORT]

One ✓/✗ line per check — the roots found, user-config agent overrides that name no agent (drift), which runtime `crew-lsp run` would use and why, whether
its program can be found, whether run state can be written, whether a metrics address can be bound,
and whether interrupted runs wait for a decision. Exit 0 when every check passes, 1 when one fails,
2 for a usage error. `diagnose` is the same report as data, for other front ends.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


@dataclass(slots=True, frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _roots(ws) -> list[Check]:
    def root(name: str, path: Path, required: bool, missing: str) -> Check:
        found = path.is_dir()
        return Check(name, found or not required, f"{path}" + ("" if found else f" ({missing})"))

    return [root("repo root", ws.repo, True, "missing"),
            root("crew root", ws.crew, False, "none yet: the first run creates it"),
            root("user root", ws.user, False, "none: no user-level agents, teams or config"),
            root("builtin root", ws.builtin, True, "missing: the installation is incomplete")]


def _pi_homes(ws) -> list[Check]:
    """Where the user config is read when the version ignores the home variable; a symlinked `.pi/agent` the version refuses."""
    checks = []
    if ws.user_config_why:
        checks.append(Check("user config", True, ws.user_config_why))
    if ws.reading.agent_dir_symlink_refused:
        for folder in dict.fromkeys((ws.user, ws.user_config)):
            if folder.is_symlink():
                checks.append(Check("pi agent folder", False, f"{folder} is a symbolic link: pi-crew {'.'.join(map(str, ws.reading.version))} "
                                    "stops with an error when it finds one; make it a real folder"))
    return checks


def _drift(ws) -> list[Check]:
    """User-config agent overrides naming no agent of this workspace (docs/codes.md, CREW510)."""
    from crew_lsp.checks.drift import drift_lines
    from crew_lsp.resources.index import Index

    lines = drift_lines(Index.load(ws).snapshot)
    if not lines:
        return [Check("config drift", True, "none: every agent override names an agent")]
    return [Check("config drift", harmless, text) for harmless, text in lines]


# What runs do as the workspace's pi-crew version does (docs/runs.md, Versions), each from the
# version that changed it: said by `doctor` when the workspace runs a version with the change.
ENGINE_FOLLOWS = (
    ((0, 5, 5), "the config files' merge order and sanitising"),
    ((0, 8, 1), "the role tool defaults and the builtin/project tool policy (`--tools`)"),
    ((0, 9, 17), "the shipped skills and the writer's default skills"),
    ((0, 9, 46), "role permissions (a read-only role without tool defaults gets no `edit` or `write`)"),
    ((0, 9, 60), "a role line's `thinking=`"),
)

# What runs still do as pi-crew 0.2.0 did, though later versions changed it (docs/runs.md, Versions).
ENGINE_KEEPS_0_2 = (
    ((0, 8, 1), "the skill roots `.pi/skills`, `.agents/skills` and the shipped-first skill precedence"),
    ((0, 9, 46), "the guard on a read-only role's shell commands and nested runs (pi-crew's worker extension)"),
    ((0, 9, 60), "a role line's `fallbackModels=` (runs never switch models, for an agent's `fallbackModels` either)"),
)


def version_checks(ws) -> list[Check]:
    """Which pi-crew version the workspace is read as, and why; what runs follow of it and what not."""
    found = ws.detection
    if found is None:
        return []
    checks = [Check("pi-crew version", True, found.describe())]
    followed = [what for since, what in ENGINE_FOLLOWS if found.version >= since]
    if followed:
        checks.append(Check(f"runs follow pi-crew {found.shown} for", True, "; ".join(followed)))
    kept = [what for since, what in ENGINE_KEEPS_0_2 if found.version >= since]
    if kept:
        checks.append(Check("runs follow pi-crew 0.2.0 for", True, "; ".join(kept)))
    return checks


def _worker(runtime: str | None, command: str | None) -> list[Check]:
    from crew_lsp.engine.config import WorkerConfigError, resolve_worker

    try:
        settings = resolve_worker(runtime, command)
    except WorkerConfigError as exc:
        return [Check("runtime", False, str(exc)), Check("worker program", False, "no runtime to run it")]
    resolution = Check("runtime", True, f"{settings.runtime} ({settings.reason})")
    argv = settings.command or settings.pi_argv
    if not argv:
        return [resolution, Check("worker program", True, "none needed: the scaffold runtime writes prompts only")]
    program = argv[0]
    found = shutil.which(program) if os.sep not in program else (program if os.access(program, os.X_OK) else None)
    if found is None:
        where = "PATH" if os.sep not in program else "that path (or not executable)"
        return [resolution, Check("worker program", False, f"{program!r} not found on {where}")]
    return [resolution, Check("worker program", True, found)]


def _state(store) -> Check:
    from crew_lsp.engine.state import RunStateError

    try:
        crew = store.check_root()
    except RunStateError as exc:
        return Check("state writable", False, str(exc))
    folder = crew / "state"
    probe = folder if folder.is_dir() else next((p for p in (crew, *crew.parents) if p.is_dir()), None)
    if probe is None:
        return Check("state writable", False, f"no existing folder above {folder}")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        return Check("state writable", False, f"cannot write in {probe}: {exc.strerror or exc}")
    return Check("state writable", True, str(folder) + ("" if folder.is_dir() else " (created by the first run)"))


def _bindable(address: str) -> Check:
    from crew_lsp.telemetry.exporters import MetricsServeError, parse_serve_address

    try:
        host, port = parse_serve_address(address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((host, port))
    except MetricsServeError as exc:
        return Check("metrics endpoint", False, str(exc))
    except OSError as exc:
        return Check("metrics endpoint", False, f"cannot bind {address}: {exc.strerror or exc}")
    return Check("metrics endpoint", True, f"{host}:{port} can be served")


def _interrupted(store) -> Check:
    from crew_lsp.engine.state import RunStateError
    from crew_lsp.engine.store_ops import find_interrupted

    try:
        waiting = [p["runId"] for p in find_interrupted(store, set())]
    except RunStateError:
        return Check("interrupted runs", True, "none readable (see state writable)")
    if not waiting:
        return Check("interrupted runs", True, "none")
    return Check("interrupted runs", False, f"{len(waiting)} waiting for a decision: {', '.join(waiting[:5])}"
                 f"{' …' if len(waiting) > 5 else ''} (crew-lsp runs recover --accept|--decline RUN)")


def diagnose(folder: str | Path, *, runtime: str | None = None, worker_command: str | None = None,
             serve: str | None = None, pi_crew_version: str | None = None) -> list[Check]:
    """Every check for the workspace ``folder``; ``serve``: a metrics address to try binding."""
    from crew_lsp.engine.state import RunStore
    from crew_lsp.resources.discovery import Workspace

    ws = Workspace.discover(folder, pi_crew_version=pi_crew_version)
    store = RunStore(ws.crew, ws.repo)
    checks = [*_roots(ws), *_pi_homes(ws), *version_checks(ws), *_drift(ws), *_worker(runtime, worker_command), _state(store)]
    if serve:
        checks.append(_bindable(serve))
    checks.append(_interrupted(store))
    return checks


def main(argv: list[str]) -> int:
    from crew_lsp.engine.runtimes import RUNTIMES

    parser = argparse.ArgumentParser(prog="crew-lsp doctor", description="Check the environment crew-lsp runs in.")
    parser.add_argument("--cwd", default=".", help="workspace folder (default: .)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--runtime", choices=RUNTIMES, help="the runtime to check (else CREW_RUNTIME, as `run` does)")
    parser.add_argument("--worker-command", metavar="'CMD ARGS'", help="the command runtime's program to check")
    parser.add_argument("--serve-check", metavar="[HOST:]PORT", help="check that this metrics address can be bound")
    parser.add_argument("--pi-crew-version", metavar="VERSION", help="the pi-crew version to read as (x.y.z, 0.2, 0.10 or auto)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code in (0, None) else EXIT_INVALID
    if not Path(args.cwd).is_dir():
        print(f"crew-lsp: no folder {args.cwd}", file=sys.stderr)
        return EXIT_INVALID
    from crew_lsp.resources.versions import VersionError

    try:
        checks = diagnose(args.cwd, runtime=args.runtime, worker_command=args.worker_command, serve=args.serve_check,
                          pi_crew_version=args.pi_crew_version)
    except VersionError as exc:
        print(f"crew-lsp doctor: --pi-crew-version: {exc}", file=sys.stderr)
        return EXIT_INVALID
    ok = all(c.ok for c in checks)
    if args.json:
        print(json.dumps({"ok": ok, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        for c in checks:
            print(f"{'✓' if c.ok else '✗'} {c.name}: {c.detail}")
    return EXIT_OK if ok else EXIT_FAILED
