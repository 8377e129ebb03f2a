"""Helpers of the diagnostics cache tests: a workspace old enough to be stored, a look at the cache."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from crew_lsp.cache import FolderCache
from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.report import run_check
from crew_lsp.resources.discovery import Workspace, scan

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "checks")]  # the generator; the golden fixtures' helpers
from bench.workspace import generate  # noqa: E402

AN_HOUR_AGO = time.time() - 3600


def backdate(root: Path) -> Path:
    """Every file and folder below ``root`` as last changed an hour ago (a state the cache may store:
    a file changed within the last seconds could change again without its stamp changing)."""
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (AN_HOUR_AGO, AN_HOUR_AGO), follow_symlinks=False)
    return root


def generated(root: Path, size: int = 120) -> Path:
    """A generated project (bench/workspace.py: agents, teams, workflows, some broken), backdated."""
    return backdate(generate(root, size=size))


def cached(folder: Path, severity_overrides: dict[str, str] | None = None,
           pi_crew_version: str | None = None) -> dict[str, list[Diagnostic]] | None:
    """What the cache holds for the folder's current state (None: a miss)."""
    ws = Workspace.discover(folder, pi_crew_version=pi_crew_version)
    return FolderCache(ws, scan(ws), severity_overrides).load()


def check_output(capsys, folder: Path, fmt: str = "json", cache: bool = True) -> tuple[int, str, str]:
    """`crew-lsp check --format FMT FOLDER [--no-cache]` in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = run_check([str(folder)], fmt, color="never", cache=cache)
    out = capsys.readouterr()
    return code, out.out, out.err
