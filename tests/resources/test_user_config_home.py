"""From pi-crew 0.10.1 the config loader ignores a `PI_TEAMS_HOME` outside the OS home (unless
`PI_CREW_SKIP_HOME_CHECK=1`): the user's config then comes from the OS home, and crew-lsp reads it
from there too. Agents, teams and workflows still come from the user root."""

from __future__ import annotations

import json

import pytest

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index


@pytest.fixture
def homes(tmp_path, monkeypatch):
    real, elsewhere, project = tmp_path / "home", tmp_path / "elsewhere", tmp_path / "home" / "project"
    for base, value in ((real, 2), (elsewhere, 6)):
        (base / ".pi" / "agent").mkdir(parents=True)
        (base / ".pi" / "agent" / "pi-crew.json").write_text(json.dumps({"limits": {"maxConcurrentWorkers": value}}))
    (project / ".crew").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(real))
    monkeypatch.setenv("PI_TEAMS_HOME", str(elsewhere))
    monkeypatch.delenv("PI_CREW_SKIP_HOME_CHECK", raising=False)
    return real, elsewhere, project


def _user_config(project, version: str) -> tuple[str, str | None]:
    ws = Workspace.discover(project, pi_crew_version=version)
    files = dict(ws.config_files())
    return str(files["user"]), ws.user_config_why


def test_a_teams_home_outside_the_home_keeps_the_user_config_before_0_10_1(homes):
    real, elsewhere, project = homes
    assert _user_config(project, "0.10.0") == (str(elsewhere / ".pi" / "agent" / "pi-crew.json"), None)


def test_a_teams_home_outside_the_home_is_ignored_for_the_config_from_0_10_1(homes):
    real, elsewhere, project = homes
    path, why = _user_config(project, "0.10.1")
    assert path == str(real / ".pi" / "agent" / "pi-crew.json")
    assert why is not None and "`PI_TEAMS_HOME`" in why and "outside the home folder" in why and "PI_CREW_SKIP_HOME_CHECK=1" in why
    ws = Workspace.discover(project, pi_crew_version="0.10.1")
    assert ws.user == elsewhere / ".pi" / "agent"  # agents, teams and workflows still come from there
    snap = Index.load(ws).snapshot
    assert [c.path for c in snap.configs if c.scope == "user"] == [path]


def test_skip_home_check_keeps_the_teams_home_for_the_config(homes, monkeypatch):
    real, elsewhere, project = homes
    monkeypatch.setenv("PI_CREW_SKIP_HOME_CHECK", "1")
    assert _user_config(project, "0.10.1") == (str(elsewhere / ".pi" / "agent" / "pi-crew.json"), None)


def test_a_teams_home_inside_the_home_is_kept(homes, monkeypatch):
    real, elsewhere, project = homes
    monkeypatch.setenv("PI_TEAMS_HOME", str(real / "teams"))
    assert _user_config(project, "0.10.1") == (str(real / "teams" / ".pi" / "agent" / "pi-crew.json"), None)


def test_doctor_says_where_the_user_config_is_read_and_why(homes):
    from crew_lsp.engine.doctor import diagnose

    real, elsewhere, project = homes
    checks = {c.name: c for c in diagnose(project, pi_crew_version="0.10.1")}
    assert checks["user config"].ok and "outside the home folder" in checks["user config"].detail
    assert "user config" not in {c.name for c in diagnose(project, pi_crew_version="0.2")}


def test_doctor_flags_a_symlinked_pi_agent_folder_from_0_10_1(homes, monkeypatch):
    from crew_lsp.engine.doctor import diagnose

    real, elsewhere, project = homes
    target = real / "agent-elsewhere"
    (real / ".pi" / "agent").rename(target)
    (real / ".pi" / "agent").symlink_to(target, target_is_directory=True)
    monkeypatch.delenv("PI_TEAMS_HOME")
    flagged = [c for c in diagnose(project, pi_crew_version="0.10.1") if c.name == "pi agent folder"]
    assert len(flagged) == 1 and not flagged[0].ok and "is a symbolic link" in flagged[0].detail
    assert not [c for c in diagnose(project, pi_crew_version="0.2") if c.name == "pi agent folder"]
