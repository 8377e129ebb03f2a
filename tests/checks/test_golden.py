"""Golden fixtures: one folder per diagnostic code (docs/codes.md), checked the way `crew-lsp check` does.

Each `golden/<CODE>/` is a tiny workspace (`.crew/…`, `skills/…`, and `home/` used as PI_TEAMS_HOME
when present) plus `expected.json`: the exact list of diagnostics, nothing more and nothing less, each
with its range, severity, a piece of its message and the title of its first quick fix (or null).
A new rule costs one folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from checkutil import apply_fix, check, copy_workspace, use_home

from crew_lsp.checks.codes import CODES
from crew_lsp.checks.diagnostic import TRUNCATED

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.json").is_file())


def _expected(name: str) -> list[dict]:
    return json.loads((GOLDEN / name / "expected.json").read_text(encoding="utf-8"))


def _key(e: dict) -> tuple:
    return (e["path"], tuple(e["range"]), e["code"], e["severity"])


def _workspace(name: str, dst: Path, monkeypatch) -> Path:
    root = copy_workspace(GOLDEN / name, dst)
    use_home(root, monkeypatch)
    return root


def test_every_code_has_a_fixture():
    # CREW001 needs more than 1,000 diagnostics in one file: test_bounded_output.py builds those
    assert FIXTURES == sorted(set(CODES) - {TRUNCATED})


@pytest.mark.parametrize("name", FIXTURES)
def test_golden(name: str, tmp_path: Path, monkeypatch):
    expected = _expected(name)
    assert any(e["code"] == name for e in expected), "a fixture shows its own code"
    found = check(_workspace(name, tmp_path / "ws", monkeypatch))
    assert sorted(f.key for f in found) == sorted(_key(e) for e in expected)
    by_key = {f.key: f for f in found}
    for e in expected:
        f = by_key[_key(e)]
        assert e["message_contains"] in f.message, (e["code"], f.message)
        fix = f.first_fix
        if e["fix"] is None:
            assert fix is None, (e["code"], fix)
        else:
            assert fix is not None and e["fix"] in fix["title"], (e["code"], fix)


@pytest.mark.parametrize("name", [n for n in FIXTURES if any(e["fix"] for e in _expected(n))])
def test_golden_fix_removes_the_code(name: str, tmp_path: Path, monkeypatch):
    """Applying a diagnostic's first quick fix makes that diagnostic go away on re-checking, and brings
    no new problem into the file."""
    for n, e in enumerate(_expected(name)):
        if e["fix"] is None:
            continue
        root = _workspace(name, tmp_path / f"fix{n}", monkeypatch)
        before = check(root)
        target = next(f for f in before if f.key == _key(e))
        apply_fix(root, e["path"], target.first_fix)
        after = check(root)
        was = sum(1 for f in before if f.path == e["path"] and f.code == e["code"])
        left = [f.message for f in after if f.path == e["path"] and f.code == e["code"]]
        assert len(left) < was, (e, left)
        known = {f.code for f in before if f.path == e["path"]}
        assert not [f.message for f in after if f.path == e["path"] and f.code not in known], e
