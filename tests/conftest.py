import json
import os

import pytest


@pytest.fixture(autouse=True)
def isolated_user_root(tmp_path_factory, monkeypatch):
    """Keep every test away from the real ~/.pi/agent: the user scope is an empty temp folder."""
    if "PI_TEAMS_HOME" not in os.environ or os.environ.get("CREW_TEST_KEEP_HOME") != "1":
        monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def pi_settings_pinning_0_2(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pi-agent")
    (folder / "settings.json").write_text(json.dumps({"packages": ["npm:pi-crew@0.2.0"]}), encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def pi_crew_0_2_by_default(pi_settings_pinning_0_2, monkeypatch):
    """Tests read workspaces as pi-crew 0.2.0 (the format reference) unless they choose a version:
    the user's pi settings (`PI_CODING_AGENT_DIR`, a temp folder) pin it, as a user's would."""
    monkeypatch.setenv("PI_CODING_AGENT_DIR", str(pi_settings_pinning_0_2))


@pytest.fixture(autouse=True)
def isolated_diagnostics_cache(tmp_path_factory, monkeypatch):
    """Every test has a diagnostics cache of its own (`$XDG_CACHE_HOME/crew-lsp`): none is shared or kept."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("CREW_LSP_NO_CACHE", raising=False)
