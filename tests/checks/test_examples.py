"""The shipped examples: the clean project and our builtins have nothing above Information."""

from pathlib import Path

from crew_lsp.checks import check_snapshot
from crew_lsp.checks.codes import Severity
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index

ROOT = Path(__file__).resolve().parents[2]


def _worst(folder: Path) -> list:
    snap = Index.load(Workspace.discover(folder)).snapshot
    return [(p, d.code, d.message) for p, ds in check_snapshot(snap).items() for d in ds if d.severity <= Severity.WARNING]


def test_builtins_are_clean():
    assert _worst(ROOT) == []


def test_clean_example_is_clean():
    assert _worst(ROOT / "examples" / "clean") == []
