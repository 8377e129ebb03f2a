"""Golden fixtures: tiny workspaces whose files say, next to the text, which diagnostics they must produce.

Each `golden/<name>/` is a workspace (`.crew/…`, `skills/…`, and `home/` used as PI_TEAMS_HOME when
present) whose `want` markers (syntax: golden/README.md) list the exact diagnostics `crew-lsp check`
reports: nothing more and nothing less, each with the text its range covers, its severity, pieces of its
message and of its first quick fix's title. Every code has a folder named after it; a new rule costs one
folder. Folders without workspace content of their own group further fixtures (`<group>/<case>/`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from checkutil import apply_fix, assert_reports_the_markers, check, use_home, want_key
from wantmarkers import Pinned, fixture_versions, materialise, read_wants

from crew_lsp.checks.codes import CODES
from crew_lsp.checks.diagnostic import TRUNCATED
from crew_lsp.resources.versions import Version, show

GOLDEN = Path(__file__).parent / "golden"
WORKSPACE_CONTENT = {".crew", ".pi", "skills", "home", "AGENTS.md"}


def _fixtures() -> list[str]:
    """Every fixture folder: a folder of golden/, or a subfolder of a group (a folder without workspace content)."""
    out = []
    for folder in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        if {p.name for p in folder.iterdir()} & WORKSPACE_CONTENT:
            out.append(folder.name)
        else:
            out += [f"{folder.name}/{sub.name}" for sub in sorted(folder.iterdir()) if sub.is_dir()]
    return out


FIXTURES = _fixtures()


def _runs(names: list[str]) -> list:
    """(fixture, version) pairs: each fixture as every pi-crew version its markers call for (README, Versions)."""
    out = []
    for name in names:
        versions = fixture_versions(read_wants(GOLDEN / name))
        out += [pytest.param(name, v, id=name if len(versions) == 1 else f"{name}@{show(v)}") for v in versions]
    return out


def _workspace(name: str, dst: Path, monkeypatch, version: Version) -> tuple[Path, list[Pinned]]:
    root, pinned = materialise(GOLDEN / name, dst, version)
    use_home(root, monkeypatch)
    return root, pinned


def test_every_code_has_a_fixture_named_after_it():
    # CREW001 needs more than 1,000 diagnostics in one file: test_bounded_output.py builds those.
    # The YAML skill listing's codes (a version-aware reading turns them on) have theirs in
    # golden_skill_listing/, checked by test_skill_listing.py.
    listing = {w.code for case in (GOLDEN.parent / "golden_skill_listing").iterdir() for w in read_wants(case)}
    assert [c for c in sorted(CODES) if c not in FIXTURES and c != TRUNCATED and c not in listing] == []
    assert [n for n in FIXTURES if re.fullmatch(r"CREW\d{3}", n) and n not in CODES] == []


def test_fixtures_state_expectations_as_markers():
    """Expectations live next to the text; a separate expectation list would drift away from it."""
    assert sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("expected.json")) == []


@pytest.mark.parametrize(("name", "version"), _runs(FIXTURES))
def test_golden(name: str, version: Version, tmp_path: Path, monkeypatch):
    root, pinned = _workspace(name, tmp_path / "ws", monkeypatch, version)
    if name in CODES:
        assert any(w.code == name for w in read_wants(GOLDEN / name)), "a fixture named after a code shows that code"
    found = check(root, show(version))
    assert_reports_the_markers(found, pinned, root)


@pytest.mark.parametrize(("name", "version"), _runs([n for n in FIXTURES if any(w.fix for w in read_wants(GOLDEN / n))]))
def test_golden_fix_removes_the_code(name: str, version: Version, tmp_path: Path, monkeypatch):
    """Applying a diagnostic's first quick fix makes that diagnostic go away on re-checking, and brings
    no new problem into the file."""
    wants = [w for w in read_wants(GOLDEN / name) if w.applies(version)]
    for n, want in enumerate(wants):
        if want.fix is None:
            continue
        root, pinned = _workspace(name, tmp_path / f"fix{n}", monkeypatch, version)
        p = pinned[n]
        path, code = p.want.path, p.want.code
        before = check(root, show(version))
        target = next(f for f in before if f.key == want_key(p))
        apply_fix(root, path, target.first_fix)
        after = check(root, show(version))
        was = sum(1 for f in before if f.path == path and f.code == code)
        left = [f.message for f in after if f.path == path and f.code == code]
        assert len(left) < was, (path, code, left)
        known = {f.code for f in before if f.path == path}
        assert not [f.message for f in after if f.path == path and f.code not in known], (path, code)
