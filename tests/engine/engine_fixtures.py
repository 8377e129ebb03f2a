"""Fixtures shared by the tests that run the engine (tests/engine, tests/telemetry): an isolated user
root and environment, and a temp workspace."""

from __future__ import annotations

import os

import pytest
from engine_helpers import Workspace


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """No user root, no worker settings and no fake-pi knobs leak in from the outer environment."""
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path_factory.mktemp("home")))
    for name in list(os.environ):
        if name.startswith("FAKE_PI_") or name in ("CREW_RUNTIME", "CREW_WORKER_COMMAND", "PI_TEAMS_PI_BIN",
                                                   "PI_CREW_DEPTH", "PI_CREW_MAX_DEPTH"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "proj")
