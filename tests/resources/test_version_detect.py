"""Finding the pi-crew version a workspace runs: setting, project pi settings, user pi settings, newest known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crew_lsp.resources.version_detect import detect
from crew_lsp.resources.versions import NEWEST, VersionError


def _write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def _package(folder: Path, version: str, name: str = "pi-crew") -> None:
    _write(folder / "package.json", {"name": name, "version": version})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "repo" / ".crew").mkdir(parents=True)
    return tmp_path / "repo"


@pytest.fixture
def agent_dir(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".pi" / "agent"


def test_the_setting_wins_over_every_file(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": ["npm:pi-crew@0.10.1"]})
    found = detect(repo, "0.2", agent_dir)
    assert (found.version, found.source) == ((0, 2, 0), "setting")
    assert "piCrewVersion" in found.why


def test_auto_detects(repo, agent_dir):
    assert detect(repo, "auto", agent_dir).source == "newest known"


def test_a_bad_setting_is_a_clear_error(repo, agent_dir):
    with pytest.raises(VersionError, match="`latest` is not a version"):
        detect(repo, "latest", agent_dir)


def test_a_pinned_project_entry_is_the_version(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": ["npm:other", "npm:pi-crew@0.9.17"]})
    found = detect(repo, None, agent_dir)
    assert (found.version, found.source) == ((0, 9, 17), "project .pi/settings.json")
    assert "npm:pi-crew@0.9.17" in found.why


def test_an_unpinned_project_entry_reads_the_installed_package(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": [{"source": "npm:pi-crew"}]})
    _package(repo / ".pi" / "npm" / "node_modules" / "pi-crew", "0.9.64")
    found = detect(repo, None, agent_dir)
    assert found.version == (0, 9, 64) and "installed at" in found.why


def test_a_git_entry_reads_the_cloned_package(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": ["git:github.com/baphuongna/pi-crew@main"]})
    _package(repo / ".pi" / "git" / "github.com" / "baphuongna" / "pi-crew", "0.8.1")
    assert detect(repo, None, agent_dir).version == (0, 8, 1)


def test_a_local_path_entry_is_relative_to_the_settings_folder(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": ["../vendor/pi-crew"]})
    _package(repo / "vendor" / "pi-crew", "0.9.0")
    assert detect(repo, None, agent_dir).version == (0, 9, 0)


def test_a_project_path_out_of_the_workspace_is_not_read(repo, agent_dir, tmp_path):
    _write(repo / ".pi" / "settings.json", {"packages": ["../../elsewhere"]})
    _package(tmp_path / "elsewhere", "0.9.0")
    assert detect(repo, None, agent_dir).source == "newest known"


def test_a_symlinked_project_settings_file_out_of_the_workspace_is_not_read(repo, agent_dir, tmp_path):
    _write(tmp_path / "outside.json", {"packages": ["npm:pi-crew@0.2.0"]})
    (repo / ".pi").mkdir()
    (repo / ".pi" / "settings.json").symlink_to(tmp_path / "outside.json")
    assert detect(repo, None, agent_dir).source == "newest known"


def test_a_package_of_another_name_says_nothing(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": ["./fork"]})
    _package(repo / ".pi" / "fork", "0.2.0", name="not-pi-crew")
    assert detect(repo, None, agent_dir).source == "newest known"


def test_the_user_installed_package_counts_when_the_project_names_none(repo, agent_dir):
    _write(agent_dir / "settings.json", {"packages": ["npm:pi-crew"]})
    _package(agent_dir / "npm" / "node_modules" / "pi-crew", "0.9.46")
    found = detect(repo, None, agent_dir)
    assert (found.version, found.source) == ((0, 9, 46), "user pi settings")


def test_the_user_settings_come_from_pi_coding_agent_dir(repo, tmp_path, monkeypatch):
    _write(tmp_path / "pi-dir" / "settings.json", {"packages": ["npm:pi-crew@0.6.0"]})
    monkeypatch.setenv("PI_CODING_AGENT_DIR", str(tmp_path / "pi-dir"))
    assert detect(repo).version == (0, 6, 0)


def test_the_project_entry_wins_over_the_user_entry(repo, agent_dir):
    _write(agent_dir / "settings.json", {"packages": ["npm:pi-crew@0.2.0"]})
    _write(repo / ".pi" / "settings.json", {"packages": ["npm:pi-crew@0.10.1"]})
    assert detect(repo, None, agent_dir).source == "project .pi/settings.json"


def test_nothing_found_reads_as_the_newest_known(repo, agent_dir):
    found = detect(repo, None, agent_dir)
    assert (found.version, found.source) == (NEWEST, "newest known")


def test_a_newer_version_reads_as_the_newest_and_says_so(repo, agent_dir):
    _write(repo / ".pi" / "settings.json", {"packages": ["npm:pi-crew@2.0.0"]})
    found = detect(repo, None, agent_dir)
    assert found.version == NEWEST and found.newer_than_known == (2, 0, 0)
    assert "2.0.0 is newer than crew-lsp knows" in found.describe()


@pytest.mark.parametrize("text", ["{", "[]", '{"packages": "npm:pi-crew@0.2.0"}', '{"packages": [1, null, {"source": 3}]}'])
def test_broken_settings_are_passed_over(repo, agent_dir, text):
    (repo / ".pi").mkdir()
    (repo / ".pi" / "settings.json").write_text(text, encoding="utf-8")
    assert detect(repo, None, agent_dir).source == "newest known"
