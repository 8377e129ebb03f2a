"""`crew-lsp` command line: check | serve | run | runs | plan | metrics | doctor | export | skills | schemas (README.md, Command line).

Imports are deferred to the subcommand that needs them so `crew-lsp check` never pays for the
language server, pydantic (unless a config file exists) or rich.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def _parser() -> argparse.ArgumentParser:
    import argparse

    from crew_lsp import __version__

    parser = argparse.ArgumentParser(prog="crew-lsp", description="Language server, checker and runner for pi-crew teams.")
    parser.add_argument("--version", action="version", version=f"crew-lsp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", help="check workspace folders or files and print diagnostics")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    # (the language server's own: one folder's diagnostics and cache key, for its cold start; not for people)
    check.add_argument("--server-format", dest="format", action="store_const", const="server", help=argparse.SUPPRESS)
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--pi-crew-version", metavar="VERSION", default=None,
                       help="read the files as this pi-crew version (x.y.z, 0.2, 0.10 or auto; default: detected)")
    check.add_argument("--no-cache", dest="cache", action="store_false",
                       help="check every file, neither reading nor writing the diagnostics cache")
    check.add_argument("--jobs", metavar="N", type=_jobs, default=None,
                       help="check a large folder (1,000 files or more) on up to N processes; 1: one process "
                            "(default: $CREW_LSP_JOBS, else one per core, at most 4)")
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT")
    serve.add_argument("--stdio", action="store_true", help="accepted for editor clients that add it")
    schemas = sub.add_parser("schemas", help="write the JSON Schemas of the frontmatter kinds and the config")
    schemas.add_argument("--out", default="schemas", metavar="DIR")
    skills = sub.add_parser("skills", help="create skills").add_subparsers(dest="action", metavar="ACTION", required=True)
    new = skills.add_parser("new", help="write skills/NAME/SKILL.md, from a template or as a short skeleton")
    new.add_argument("name", metavar="NAME")
    new.add_argument("--template", metavar="T", help="code-review, testing, security-audit, refactor or documentation")
    new.add_argument("--description", metavar="D", help="the skill's description (default: the template's)")
    new.add_argument("--cwd", default=".", metavar="DIR", help="workspace folder (default: .)")
    for name, text in (("run", "run a team"), ("runs", "inspect and control runs"),
                       ("plan", "show a run's tasks without running"),
                       ("metrics", "run metrics: durations, tokens, retries, heartbeats"),
                       ("doctor", "check the environment: roots, worker, state, metrics endpoint"),
                       ("export", "write the files Claude Code, Cursor or Codex read for the workspace's resources")):
        sub.add_parser(name, help=text, add_help=False)
    return parser


def _jobs(value: str) -> int:
    import argparse

    from crew_lsp.checks.jobs import JobsError, parse_jobs

    try:
        return parse_jobs(value, "--jobs")
    except JobsError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--jobs: ")) from None


_CHECK_OPTIONS = {"--format": ("text", "json", "sarif"), "--color": ("auto", "always", "never")}


def _plain_check_args(argv: list[str]) -> tuple[list[str], str, str, bool] | None:
    """(paths, format, color, cache) of a `check` command line in the plain forms, else None (argparse decides).

    Plain: `--format X`/`--format=X`/`--color X`/`--color=X` with a valid choice, `--no-cache`, and
    paths that do not start with `-`, all in one run (argparse rejects paths on both sides of an
    option). argparse reads these the same way, so `crew-lsp check` need not import argparse and build
    the parser.
    """
    paths: list[str] = []
    chosen = {"--format": "text", "--color": "auto"}
    cache = True
    option_after_paths = False
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "--no-cache":
            cache = False
            option_after_paths = bool(paths)
        elif arg.startswith("-"):
            name, eq, value = arg.partition("=")
            if name not in _CHECK_OPTIONS:
                return None
            if not eq:
                if i + 1 >= len(argv):
                    return None
                i += 1
                value = argv[i]
            if value not in _CHECK_OPTIONS[name]:
                return None
            chosen[name] = value
            option_after_paths = bool(paths)
        elif option_after_paths:
            return None
        else:
            paths.append(arg)
        i += 1
    return paths or ["."], chosen["--format"], chosen["--color"], cache


def main(argv: list[str] | None = None) -> int:
    """Run one command. Without ``argv`` this is the process's entry point (the console script,
    `python -m crew_lsp`): it reads ``sys.argv``, and `check` then ends the process itself."""
    entry = argv is None
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("run", "runs", "plan"):
        from crew_lsp.engine.cli import main as engine_main

        return engine_main(argv)
    if argv and argv[0] == "metrics":
        from crew_lsp.engine.metrics_cli import main as metrics_main

        return metrics_main(argv[1:])
    if argv and argv[0] == "doctor":
        from crew_lsp.engine.doctor import main as doctor_main

        return doctor_main(argv[1:])
    if argv and argv[0] == "export":
        from crew_lsp.export_cli import main as export_main

        return export_main(argv[1:])
    if argv and argv[0] == "check":
        plain = _plain_check_args(argv)
        if plain is not None:
            return _check(entry, *plain)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "check":
        return _check(entry, args.paths, args.format, args.color, args.cache, args.pi_crew_version, args.jobs)
    if args.command == "serve":
        import gc

        # pygls and lsprotocol allocate hundreds of thousands of objects that live as long as the
        # process: a collection while they load walks them all for nothing (tens of milliseconds of
        # `initialize`); afterwards they are kept out of every collection's way
        gc.disable()
        from crew_lsp.server.head_start import begin

        head_start = None if args.tcp else begin()  # (before the server's imports: server/head_start.py)
        from crew_lsp.server.app import serve

        gc.freeze()
        gc.enable()
        return serve(args.tcp, head_start)
    if args.command == "schemas":
        from crew_lsp.schemas import write_schemas

        for path in write_schemas(args.out):
            print(path)
        return 0
    if args.command == "skills":
        return _new_skill(args.name, args.template, args.description, args.cwd)
    parser.print_help()
    return 2


def _check(entry: bool, paths: list[str], fmt: str, color: str, cache: bool = True, pi_crew_version: str | None = None,
           jobs: int | None = None) -> int:
    """`crew-lsp check`. As the process's entry point it leaves with `os._exit` once its output is
    flushed: freeing a large index object by object costs up to a second, for nothing."""
    from crew_lsp.report import run_check

    if not entry:
        return run_check(paths, fmt, color, pi_crew_version, cache, jobs)
    import gc
    import os

    # No cyclic garbage collection in a process about to end: the checks pause it anyway while files
    # are parsed and checked, and a full collection after them would walk every parsed file (seconds
    # at 50,000 files) to free nothing.
    gc.disable()
    kept: list = []  # (the folders' snapshots: alive until the process ends)
    status = run_check(paths, fmt, color, pi_crew_version, cache, jobs, keep=kept)

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # (a closed pipe: what the interpreter's own exit would report)
        status = 120
    os._exit(status)


def _new_skill(name: str, template: str | None, description: str | None, cwd: str) -> int:
    """`crew-lsp skills new`: the file `crew.newSkill` would create, written directly (docs/editor.md, New skill)."""
    from pathlib import Path

    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.skill_new import (
        NewSkillError, check_description, check_name, check_template, render_skill, skill_file, write_skill_file,
    )

    folder = Path(cwd)
    if not folder.is_dir():
        print(f"crew-lsp: skills new: --cwd {cwd} is not a folder", file=sys.stderr)
        return 2
    try:
        name, chosen, text = check_name(name), check_template(template), check_description(description)
        ws = Workspace.discover(folder)
        path = skill_file(ws.folder, ws.skill_roots()[0][1], name)
        write_skill_file(path, render_skill(name, chosen, text))
    except NewSkillError as exc:
        print(f"crew-lsp: skills new: {'--' + exc.argument if exc.argument != 'name' else 'NAME'}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"crew-lsp: skills new: cannot write the skill: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0
