import os

import pytest


@pytest.fixture(autouse=True)
def isolated_user_root(tmp_path_factory, monkeypatch):
    """Keep every test away from the real ~/.pi/agent: the user scope is an empty temp folder."""
    if "PI_TEAMS_HOME" not in os.environ or os.environ.get("CREW_TEST_KEEP_HOME") != "1":
        monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path_factory.mktemp("home")))
