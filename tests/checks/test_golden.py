"""Golden fixtures: tiny workspaces whose files say, next to the text, which diagnostics they must produce.

Each `golden/<name>/` is a workspace (`.crew/…`, `skills/…`, and `home/` used as PI_TEAMS_HOME when
present) whose `want` markers (syntax: golden/README.md) list the exact diagnostics `crew-lsp check`
reports: nothing more and nothing less, each with the text its range covers, its severity, pieces of its
message and of its first quick fix's title. Every code has a folder named after it; a new rule costs one
folder. Folders without workspace content of their own group further fixtures (`<group>/<case>/`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from checkutil import Found, apply_fix, check, use_home
from wantmarkers import Pinned, format_body, locate, materialise, read_wants

from crew_lsp.checks.codes import CODES
from crew_lsp.checks.diagnostic import TRUNCATED

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


def _severity(p: Pinned) -> str:
    return p.want.severity or CODES[p.want.code][0].label


def _key(p: Pinned) -> tuple:
    return (p.want.path, tuple(p.range), p.want.code, _severity(p))


def _workspace(name: str, dst: Path, monkeypatch) -> tuple[Path, list[Pinned]]:
    root, pinned = materialise(GOLDEN / name, dst)
    use_home(root, monkeypatch)
    return root, pinned


def _as_markers(found: list[Found], root: Path) -> str:
    """What the checker reports, written as markers: the lines a fixture would need."""
    out = []
    for f in found:
        text = (root / f.path).read_bytes().decode("utf-8")
        at, within = locate(text, f.range)
        fix = f.first_fix["title"] if f.first_fix else None
        severity = None if f.severity == CODES[f.code][0].label else f.severity
        out.append(f"{f.path}:{f.range[0] + 1}: want {format_body(f.code, severity, at, within, [f.message], fix)}")
    return "\n".join(out)


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


@pytest.mark.parametrize("name", FIXTURES)
def test_golden(name: str, tmp_path: Path, monkeypatch):
    root, pinned = _workspace(name, tmp_path / "ws", monkeypatch)
    if name in CODES:
        assert any(p.want.code == name for p in pinned), "a fixture named after a code shows that code"
    found = check(root)
    assert sorted(f.key for f in found) == sorted(_key(p) for p in pinned), "the checker reports:\n" + _as_markers(found, root)
    by_key: dict[tuple, list[Found]] = defaultdict(list)
    for f in found:
        by_key[f.key].append(f)
    for p in pinned:
        f = by_key[_key(p)].pop(0)
        where = f"{p.want.path}:{p.want.line + 1} {p.want.code}"
        for fragment in p.want.fragments:
            assert fragment in f.message, (where, f.message)
        fix = f.first_fix
        if p.want.fix is None:
            assert fix is None, (where, "offers a fix the marker does not state", fix)
        else:
            assert fix is not None and p.want.fix in fix["title"], (where, fix)


@pytest.mark.parametrize("name", [n for n in FIXTURES if any(w.fix for w in read_wants(GOLDEN / n))])
def test_golden_fix_removes_the_code(name: str, tmp_path: Path, monkeypatch):
    """Applying a diagnostic's first quick fix makes that diagnostic go away on re-checking, and brings
    no new problem into the file."""
    for n, want in enumerate(read_wants(GOLDEN / name)):
        if want.fix is None:
            continue
        root, pinned = _workspace(name, tmp_path / f"fix{n}", monkeypatch)
        p = pinned[n]
        path, code = p.want.path, p.want.code
        before = check(root)
        target = next(f for f in before if f.key == _key(p))
        apply_fix(root, path, target.first_fix)
        after = check(root)
        was = sum(1 for f in before if f.path == path and f.code == code)
        left = [f.message for f in after if f.path == path and f.code == code]
        assert len(left) < was, (path, code, left)
        known = {f.code for f in before if f.path == path}
        assert not [f.message for f in after if f.path == path and f.code not in known], (path, code)
