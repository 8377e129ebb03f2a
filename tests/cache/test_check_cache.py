"""`crew-lsp check` and the diagnostics cache (docs/cache.md): a hit prints exactly what a fresh check
prints, and any change to what the diagnostics depend on is a miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cacheutil import ROOT, backdate, cached, check_output, generated

GOLDEN = ROOT / "tests" / "checks" / "golden"


@pytest.fixture
def project(tmp_path) -> Path:
    return generated(tmp_path / "ws")


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_a_cache_hit_prints_byte_for_byte_what_a_fresh_check_prints(project, capsys, fmt):
    fresh = check_output(capsys, project, fmt, cache=False)
    assert cached(project) is None  # --no-cache neither reads nor writes
    first = check_output(capsys, project, fmt)
    assert cached(project) is not None
    again = check_output(capsys, project, fmt)
    assert fresh[0] == 1 and "CREW" in fresh[1]
    assert first == fresh
    assert again == fresh


def test_the_golden_fixtures_are_answered_from_the_cache_exactly(tmp_path, capsys, monkeypatch):
    from test_golden import FIXTURES, _workspace
    from wantmarkers import fixture_versions, read_wants

    checked = 0
    for name in FIXTURES:
        version = fixture_versions(read_wants(GOLDEN / name))[0]
        with monkeypatch.context() as env:
            root = backdate(_workspace(name, tmp_path / name.replace("/", "_"), env, version)[0])
            fresh = check_output(capsys, root, "json", cache=False)
            check_output(capsys, root, "json")
            if cached(root) is None:
                continue  # not stored: a symlink out or a message redaction would change (test_cache_files.py)
            assert check_output(capsys, root, "json") == fresh, name
            checked += 1
    assert checked > len(FIXTURES) * 0.9


def test_the_cached_diagnostics_keep_fixes_and_related_information(project, capsys):
    from crew_lsp.checks import check_snapshot
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index

    check_output(capsys, project)
    fresh = {p: d for p, d in check_snapshot(Index.load(Workspace.discover(project)).snapshot).items() if d}
    assert any(d.data for ds in fresh.values() for d in ds)
    assert cached(project) == fresh


def _miss_after(project: Path, capsys, change) -> None:
    check_output(capsys, project)
    assert cached(project) is not None
    change()
    assert cached(project) is None
    fresh = check_output(capsys, project, cache=False)
    assert check_output(capsys, project) == fresh


def _agent(project: Path) -> Path:
    return sorted((project / ".crew" / "agents").iterdir())[0]


def test_editing_a_file_misses(project, capsys):
    agent = _agent(project)

    def edit():
        agent.write_text(agent.read_text().replace("---\n", "---\nnot a key line\n", 1))
    _miss_after(project, capsys, edit)


def test_touching_a_file_misses(project, capsys):
    _miss_after(project, capsys, lambda: os.utime(_agent(project)))


def test_a_same_size_rewrite_with_the_old_times_misses(project, capsys):
    agent = _agent(project)
    before = agent.stat()

    def rewrite():
        text = agent.read_text()
        agent.write_text(text.replace("a", "b", 1) if "a" in text else text + "")
        os.utime(agent, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: the ctime differs
    _miss_after(project, capsys, rewrite)


def test_adding_a_file_misses(project, capsys):
    _miss_after(project, capsys, lambda: (project / ".crew" / "agents" / "newcomer.md").write_text("---\nname: newcomer\n---\nHi.\n"))


def test_removing_a_file_misses(project, capsys):
    _miss_after(project, capsys, lambda: _agent(project).unlink())


def test_a_config_file_misses(project, capsys):
    _miss_after(project, capsys, lambda: (project / ".crew" / "config.json").write_text('{"nope": 1}\n'))


def test_a_user_scope_file_misses(project, capsys):
    home = Path(os.environ["PI_TEAMS_HOME"])

    def add():
        (home / ".pi" / "agent" / "agents").mkdir(parents=True, exist_ok=True)
        (home / ".pi" / "agent" / "agents" / "mine.md").write_text("---\nname: mine\n---\nHi.\n")
    _miss_after(project, capsys, add)


def test_another_pi_crew_version_misses(project, capsys, tmp_path, monkeypatch):
    def pin_0_10():
        (tmp_path / "pi").mkdir()
        (tmp_path / "pi" / "settings.json").write_text(json.dumps({"packages": ["npm:pi-crew@0.10.1"]}))
        monkeypatch.setenv("PI_CODING_AGENT_DIR", str(tmp_path / "pi"))
    _miss_after(project, capsys, pin_0_10)


def test_the_project_pinning_a_version_misses(project, capsys):
    def pin():
        (project / ".pi").mkdir()
        (project / ".pi" / "settings.json").write_text(json.dumps({"packages": ["npm:pi-crew@0.10.1"]}))
    _miss_after(project, capsys, pin)


def test_a_severity_override_is_another_entry(project, capsys):
    check_output(capsys, project)
    assert cached(project) is not None
    assert cached(project, severity_overrides={"CREW401": "off"}) is None


def test_a_changed_crew_lsp_source_misses(project, capsys, monkeypatch):
    from crew_lsp.cache import key

    check_output(capsys, project)
    assert cached(project) is not None
    monkeypatch.setattr(key, "_source", key.source_fingerprint() + b"\nanother build")
    assert cached(project) is None


def test_a_file_changed_within_the_last_seconds_is_checked_but_not_stored(project, capsys):
    _agent(project).write_text("---\nname: fresh\n---\nJust written.\n")
    fresh = check_output(capsys, project, cache=False)
    assert check_output(capsys, project) == fresh
    assert cached(project) is None


def test_no_cache_flag_and_environment_turn_the_cache_off(project, monkeypatch):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "crew_lsp", "check", "--format", "json"]
    subprocess.run([*run, "--no-cache", str(project)], env=env, capture_output=True, check=False, timeout=120)
    subprocess.run([*run, str(project)], env={**env, "CREW_LSP_NO_CACHE": "1"}, capture_output=True, check=False, timeout=120)
    assert cached(project) is None
    subprocess.run([*run, str(project)], env=env, capture_output=True, check=False, timeout=120)
    assert cached(project) is not None


PROBE = """
import json, sys
from crew_lsp.cli import main
code = main(["check", "--format", "json", sys.argv[1]])
print(json.dumps(sorted(m for m in sys.modules if m.startswith("crew_lsp"))), file=sys.stderr)
"""


def test_a_cache_hit_loads_no_rule_and_no_parser(project, capsys):
    check_output(capsys, project)
    done = subprocess.run([sys.executable, "-c", PROBE, str(project)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert json.loads(done.stdout)
    assert "crew_lsp.checks.run" not in loaded and "crew_lsp.resources.index" not in loaded
    assert not [m for m in loaded if m.startswith(("crew_lsp.resources.agent", "crew_lsp.resources.team", "crew_lsp.resources.workflow"))]


def test_a_copied_workspace_is_not_answered_by_the_original_entry(project, capsys, tmp_path):
    check_output(capsys, project)
    copy = backdate(Path(shutil.copytree(project, tmp_path / "copy")))
    assert cached(copy) is None


def test_a_symlinked_file_misses_when_its_target_changes_or_it_points_elsewhere(project, capsys):
    agents = project / ".crew" / "agents"
    shared = project / "shared"
    shared.mkdir()
    (shared / "one.md").write_text("---\nname: linked\ndescription: One\n---\nHi.\n")
    (shared / "two.md").write_text("---\nname: linked\ndescription: Two\n---\nHi.\n")
    (agents / "linked.md").symlink_to(shared / "one.md")
    backdate(project)

    def edit_target():
        (shared / "one.md").write_text("---\nname: linked\ntools: nope\n---\nHi.\n")
    _miss_after(project, capsys, edit_target)
    backdate(project)

    def point_elsewhere():
        (agents / "linked.md").unlink()
        (agents / "linked.md").symlink_to(shared / "two.md")
        os.utime(agents / "linked.md", (1, 1), follow_symlinks=False)
    _miss_after(project, capsys, point_elsewhere)
