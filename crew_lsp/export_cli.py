"""`crew-lsp export`: write the files Claude Code, Cursor or Codex read for this workspace's resources.

    crew-lsp export --target claude|cursor|codex [--cwd DIR] [--out DIR] [--dry-run] [--json] [PATH ...]

Without PATHs every project agent, team, workflow and skill is exported; with them, those files.
Files go below `--out` (default: the repository root), which must lie inside the repository; a file
is written only when its text changes, never through a symlink. `--dry-run` says what would be
written. Each field a target cannot hold is listed. Exit 0 when done, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID = 0, 2
EXPORTABLE = ("agent", "team", "workflow", "skill")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def main(argv: list[str]) -> int:
    from crew_lsp.language.export import TARGETS

    parser = argparse.ArgumentParser(prog="crew-lsp export", description="Export agents, teams, workflows and skills "
                                     "to Claude Code, Cursor or Codex.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="resource files to export (default: every project resource)")
    parser.add_argument("--target", required=True, choices=tuple(TARGETS))
    parser.add_argument("--cwd", default=".", help="workspace folder (default: .)")
    parser.add_argument("--out", help="folder the files go below (default: the repository root); inside the repository")
    parser.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code in (0, None) else EXIT_INVALID
    try:
        plan, dropped = _plan(args)
    except ValueError as exc:
        print(f"crew-lsp export: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for entry in plan:
        if entry["action"] != "unchanged" and not args.dry_run:
            _write(entry["path"], entry.pop("text"))
        entry.pop("text", None)
    if args.json:
        print(json.dumps({"dryRun": args.dry_run, "files": plan, "dropped": dropped}, indent=2, ensure_ascii=False))
        return EXIT_OK
    verb = {"create": "would create", "update": "would update"} if args.dry_run else {"create": "created", "update": "updated"}
    for entry in plan:
        print(f"{verb.get(entry['action'], entry['action'])} {_shown(entry['path'])}")
    for d in dropped:
        print(f"dropped {_shown(d['path'])}: {d['field']} — {d['reason']}")
    return EXIT_OK


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _plan(args: argparse.Namespace) -> tuple[list[dict], list[dict]]:
    from crew_lsp.language.export import export
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index
    from crew_lsp.resources.loader import Loader

    if not Path(args.cwd).is_dir():
        raise ValueError(f"no folder {args.cwd}")
    ws = Workspace.discover(args.cwd)
    repo = os.path.realpath(ws.repo)
    out = os.path.realpath(args.out) if args.out else repo
    if not _inside(out, repo):
        raise ValueError(f"--out {args.out} is outside the repository {ws.repo}: files are written only inside it")
    snap = Index.load(ws).snapshot
    if args.paths:
        resources = []
        for raw in args.paths:
            res = snap.resources.get(os.path.abspath(raw))
            if res is None or res.kind not in EXPORTABLE:
                raise ValueError(f"{raw} is no agent, team, workflow or skill of the workspace")
            resources.append(res)
    else:
        reported = ws.reported_filter()
        resources = [r for r in snap.resources.values() if r.scope == "project" and r.kind in EXPORTABLE and reported(r.path)]
    loader = Loader([out])
    result = export(args.target, resources, out, lambda p: loader.load(p).text)
    plan = []
    for path, text in sorted(result.files.items()):
        if not _inside(os.path.realpath(os.path.dirname(path)), out):
            raise ValueError(f"{path} lies behind a symlink leaving {out}: not written")
        if os.path.islink(path):
            raise ValueError(f"{path} is a symlink: not written through")
        current = loader.load(path).text
        action = "create" if current is None else "unchanged" if current == text else "update"
        plan.append({"path": path, "action": action, "text": text})
    return plan, [d.as_dict() for d in result.dropped]


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
