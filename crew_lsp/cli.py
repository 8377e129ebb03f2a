"""`crew-lsp` command line: check | serve | run | runs | plan | metrics | doctor | schemas (README.md, Command line).

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
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--pi-crew-version", metavar="VERSION", default=None,
                       help="read the files as this pi-crew version (x.y.z, 0.2, 0.10 or auto; default: detected)")
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT")
    serve.add_argument("--stdio", action="store_true", help="accepted for editor clients that add it")
    schemas = sub.add_parser("schemas", help="write the JSON Schemas of the frontmatter kinds and the config")
    schemas.add_argument("--out", default="schemas", metavar="DIR")
    for name, text in (("run", "run a team"), ("runs", "inspect and control runs"),
                       ("plan", "show a run's tasks without running"),
                       ("metrics", "run metrics: durations, tokens, retries, heartbeats"),
                       ("doctor", "check the environment: roots, worker, state, metrics endpoint")):
        sub.add_parser(name, help=text, add_help=False)
    return parser


_CHECK_OPTIONS = {"--format": ("text", "json", "sarif"), "--color": ("auto", "always", "never")}


def _plain_check_args(argv: list[str]) -> tuple[list[str], str, str] | None:
    """(paths, format, color) of a `check` command line in the plain forms, else None (argparse decides).

    Plain: `--format X`/`--format=X`/`--color X`/`--color=X` with a valid choice, and paths that do not
    start with `-`, all in one run (argparse rejects paths on both sides of an option). argparse reads
    these the same way, so `crew-lsp check` need not import argparse and build the parser.
    """
    paths: list[str] = []
    chosen = {"--format": "text", "--color": "auto"}
    option_after_paths = False
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-"):
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
    return paths or ["."], chosen["--format"], chosen["--color"]


def main(argv: list[str] | None = None) -> int:
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
    if argv and argv[0] == "check":
        plain = _plain_check_args(argv)
        if plain is not None:
            from crew_lsp.report import run_check

            return run_check(*plain)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "check":
        from crew_lsp.report import run_check

        return run_check(args.paths, args.format, args.color, args.pi_crew_version)
    if args.command == "serve":
        from crew_lsp.server.app import serve

        return serve(args.tcp)
    if args.command == "schemas":
        from crew_lsp.schemas import write_schemas

        for path in write_schemas(args.out):
            print(path)
        return 0
    parser.print_help()
    return 2
