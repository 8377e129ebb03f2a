"""The shipped examples: the clean project and our builtins have nothing above Information, and
`examples/broken` reports exactly what its README promises."""

import re
from collections import Counter
from pathlib import Path

import pytest

from checkutil import check

from crew_lsp.checks import check_snapshot
from crew_lsp.checks.codes import Severity
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "examples" / "broken"

# file → (code, 1-based line) of every diagnostic, as the README table states them
EXPECTED_BROKEN = {
    ".crew/agents/bom.md": [("CREW101", 1)],
    ".crew/agents/executor.md": [("CREW407", 2)],
    ".crew/agents/quoted.md": [("CREW105", 2), ("CREW112", 2)],
    ".crew/agents/yaml-tools.md": [("CREW104", 4)],
    ".crew/config.json": [("CREW502", 1), ("CREW504", 1), ("CREW505", 1)],
    ".crew/teams/typo.team.md": [("CREW109", 5), ("CREW110", 6), ("CREW201", 10), ("CREW204", 12), ("CREW205", 13)],
    ".crew/teams/unclosed.team.md": [("CREW102", 1), ("CREW204", 1)],
    ".crew/workflows/bool.workflow.md": [("CREW108", 15)],
    ".crew/workflows/crlf.workflow.md": [("CREW311", 1)],
    ".crew/workflows/cycle.workflow.md": [("CREW301", 6), ("CREW302", 13), ("CREW303", 7), ("CREW303", 13)],
    ".crew/workflows/fence.workflow.md": [("CREW306", 20)],
    ".crew/workflows/glued.workflow.md": [("CREW305", 8)],
    ".crew/workflows/nocomma.workflow.md": [("CREW302", 21)],
}


def _worst(folder: Path, version: str | None = None) -> list:
    snap = Index.load(Workspace.discover(folder, pi_crew_version=version)).snapshot
    return [(p, d.code, d.message) for p, ds in check_snapshot(snap).items() for d in ds if d.severity <= Severity.WARNING]


@pytest.mark.parametrize("version", ["0.2", "0.10"])
def test_builtins_are_clean_under_every_version(version):
    assert _worst(ROOT, version) == []


@pytest.mark.parametrize("version", ["0.2", "0.10"])
def test_clean_example_is_clean_under_every_version(version):
    assert _worst(ROOT / "examples" / "clean", version) == []
    assert check(ROOT / "examples" / "clean", version) == []  # `crew-lsp check --pi-crew-version V`: not even a hint


def test_broken_example_reports_exactly_the_listed_codes():
    found = check(BROKEN)
    by_file: dict[str, Counter] = {}
    for f in found:
        by_file.setdefault(f.path, Counter())[(f.code, f.range[0] + 1)] += 1
    assert by_file == {path: Counter(items) for path, items in EXPECTED_BROKEN.items()}


def test_broken_readme_lists_what_is_reported():
    """Each README table row names the codes its files report (a `no CREWnnn` says one is absent)."""
    found = check(BROKEN)
    rows = [line for line in (BROKEN / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("| `.crew/")]
    assert rows
    covered: set[str] = set()
    for row in rows:
        files_cell, _case, expected_cell = (c.strip() for c in row.strip("|").split("|"))
        files = re.findall(r"`([^`]+)`", files_cell)
        covered.update(files)
        mentions = Counter(re.findall(r"CREW\d{3}", expected_cell))
        mentions.subtract(re.findall(r"\bno (?:separate )?(CREW\d{3})", expected_cell))
        listed = {code for code, n in mentions.items() if n > 0}
        reported = {f.code for f in found if f.path in files}
        assert listed == reported, row
    assert covered >= {f.path for f in found}
