"""The file watchers cover every file a version may read, and the files that say which version runs."""

from __future__ import annotations

from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.watchers import file_watchers, is_version_source


def test_watchers_cover_dynamic_workflows_and_the_pi_settings(tmp_path):
    (tmp_path / ".crew").mkdir()
    globs = [w.glob_pattern for w in file_watchers([Workspace.discover(tmp_path, pi_crew_version="0.10")], False, str)]
    assert "**/workflows/*.dwf.ts" in globs and "**/agents/*.md" in globs
    assert "**/.pi/settings.json" in globs and "**/.pi/npm/node_modules/pi-crew/package.json" in globs


def test_the_files_that_say_the_version(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_CODING_AGENT_DIR", str(tmp_path / "pi"))
    assert is_version_source(str(tmp_path / "repo" / ".pi" / "settings.json"))
    assert is_version_source(str(tmp_path / "pi" / "settings.json"))
    assert is_version_source(str(tmp_path / "pi" / "npm" / "node_modules" / "pi-crew" / "package.json"))
    assert not is_version_source(str(tmp_path / "repo" / "settings.json"))
    assert not is_version_source(str(tmp_path / "repo" / "package.json"))
