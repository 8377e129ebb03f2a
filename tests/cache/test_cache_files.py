"""The cache's files (docs/cache.md, Where): only the environment places them, nothing in them is trusted,
no symlink is followed, what is written is private and bounded, and nothing redaction would change is kept."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cacheutil import backdate, cached, check_output, generated

from crew_lsp.cache import FolderCache, store
from crew_lsp.resources.discovery import Workspace, scan


@pytest.fixture
def project(tmp_path) -> Path:
    return generated(tmp_path / "ws", size=60)


def _folder() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "crew-lsp" / "diagnostics"


def _entry() -> Path:
    (found,) = _folder().glob("*.json")
    return found


def test_the_cache_lives_below_xdg_cache_home_private_to_the_user(project, capsys):
    check_output(capsys, project)
    entry = _entry()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(_folder().stat().st_mode) == 0o700
    assert stat.S_IMODE(_folder().parent.stat().st_mode) == 0o700


def test_a_relative_xdg_cache_home_is_ignored_for_the_home_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert store.cache_base() == str(tmp_path / ".cache")


@pytest.mark.parametrize("content", [
    b"",
    b"{\"format\": 1, \"key\": ",  # truncated
    b"\x00\x01binary",
    b"[1, 2, 3]",
    b"{\"format\": 99}",
])
def test_a_corrupt_truncated_or_foreign_file_is_ignored(project, capsys, content):
    fresh = check_output(capsys, project, cache=False)
    check_output(capsys, project)
    _entry().write_bytes(content)
    assert cached(project) is None
    assert check_output(capsys, project) == fresh


def _tamper(change) -> None:
    entry = _entry()
    value = json.loads(entry.read_text())
    change(value)
    entry.write_text(json.dumps(value))


@pytest.mark.parametrize("change", [
    lambda v: v["files"][0][1][0].__setitem__(1, 7),  # no such severity
    lambda v: v["files"][0][1][0].__setitem__(0, "CREW999"),  # no such code
    lambda v: v["files"][0][1][0].__setitem__(2, -1),  # a negative line
    lambda v: v["files"][0][1][0].__setitem__(6, {"not": "text"}),  # a message that is no text
    lambda v: v["files"][0][1][0].__setitem__(7, ["data", "as", "a", "list"]),
    lambda v: v["files"][0][1][0].__setitem__(8, [["path", 0, 0, 0]]),  # related without a message
    lambda v: v["files"][0][1][0].pop(),  # a field short
    lambda v: v["files"][0].__setitem__(0, 42),  # a path that is no text
    lambda v: v.__setitem__("files", {"a": "dict"}),
], ids=["severity", "code", "line", "message", "data", "related", "short", "path", "files"])
def test_a_file_out_of_shape_is_ignored_whole(project, capsys, change):
    fresh = check_output(capsys, project, cache=False)
    check_output(capsys, project)
    assert cached(project) is not None
    _tamper(change)
    assert cached(project) is None
    assert check_output(capsys, project) == fresh


def test_a_symlink_planted_at_the_cache_file_is_not_followed(project, capsys, tmp_path):
    check_output(capsys, project)
    entry = _entry()
    target = tmp_path / "elsewhere.json"
    target.write_text(entry.read_text())
    entry.unlink()
    entry.symlink_to(target)
    assert cached(project) is None  # not read through the link
    before = target.read_text()
    os.utime(sorted((project / ".crew" / "agents").iterdir())[0], (1, 1))  # a new key: stored again
    check_output(capsys, project)
    assert target.read_text() == before  # not written through it either: the link itself was replaced
    assert not entry.is_symlink() and cached(project) is not None


def test_a_symlinked_cache_folder_is_not_used(project, capsys, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _folder().parent.mkdir(parents=True)
    _folder().symlink_to(elsewhere)
    fresh = check_output(capsys, project, cache=False)
    assert check_output(capsys, project) == fresh
    assert list(elsewhere.iterdir()) == []


def test_only_the_newest_folders_are_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(store, "MAX_FILES", 2)
    projects = [generated(tmp_path / f"ws{i}", size=30) for i in range(3)]
    for i, project in enumerate(projects):
        check_output(capsys, project)
        os.utime(_folder() / max(os.listdir(_folder()), key=lambda n: (_folder() / n).stat().st_mtime_ns), (i, i))  # oldest first
    assert len(list(_folder().glob("*.json"))) == 2
    assert cached(projects[0]) is None


def test_diagnostics_that_redaction_would_change_are_not_stored(tmp_path, capsys):
    project = tmp_path / "ws"
    secret = "sk-" + "A1" * 15
    (project / ".crew" / "agents").mkdir(parents=True)
    (project / ".crew" / "agents" / "leaky.md").write_text(f"---\nname: leaky\ntools: read, {secret}\n---\nHi.\n")
    backdate(project)  # (old enough to be stored: only the redaction keeps it out)
    _code, out, _err = check_output(capsys, project)
    assert f"Unknown tool `{secret}`" in out  # the checker reports what the file says
    assert cached(project) is None
    assert not _folder().exists() or not list(_folder().glob("*.json"))


def test_store_refuses_a_value_json_cannot_carry_exactly(project):
    from crew_lsp.checks.codes import Severity
    from crew_lsp.checks.diagnostic import Diagnostic
    from crew_lsp.resources.text import Span

    ws = Workspace.discover(project)
    entry = FolderCache(ws, scan(ws))
    odd = Diagnostic("CREW101", Severity.ERROR, Span(0, 0, 0, 1), "odd", data={"when": object()})
    assert entry.store({str(project / "x.md"): [odd]}) is False
    assert entry.load() is None


def _server_format(project: Path) -> list[str]:
    """The output lines of the language server's cold-start child on the folder, as large (its facts sent)."""
    import subprocess
    import sys

    from crew_lsp.checks.jobs import LARGE_FOLDER_VARIABLE

    done = subprocess.run([sys.executable, "-m", "crew_lsp", "check", "--server-format", "--", str(project)],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, LARGE_FOLDER_VARIABLE: "1"}, check=True)
    return done.stdout.splitlines()


def test_the_facts_of_a_large_folder_are_kept_with_its_diagnostics_and_sent_again_on_a_hit(project):
    cold = _server_format(project)
    assert [json.loads(line).keys() for line in cold] == [{"key", "facts"}, {"key", "files"}]
    (facts_file,) = _folder().glob("*.facts.json")
    assert stat.S_IMODE(facts_file.stat().st_mode) == 0o600 and facts_file.read_text() == cold[0] + "\n"
    assert _server_format(project) == cold  # (a hit: nothing parsed, the same lines)


def test_facts_that_redaction_would_change_are_not_kept(tmp_path):
    project = generated(tmp_path / "ws", size=30)
    secret = "sk-" + "A1" * 15
    (project / ".crew" / "agents" / "leaky.md").write_text(f"---\nname: leaky\ndescription: x\nmodel: {secret}\n---\nHi.\n")
    backdate(project)
    cold = _server_format(project)
    assert secret in cold[0]  # (the server is sent what the file says)
    assert not list(_folder().glob("*.facts.json"))
