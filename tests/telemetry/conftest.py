"""Fixtures for telemetry tests: the engine tests' temp workspaces, and an isolated user root."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# the engine tests' workspace helpers (tests/engine/engine_helpers.py) build the runs measured here
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))

from engine_helpers import Workspace  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """No user root, no worker settings leak in from the outer environment."""
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path_factory.mktemp("home")))
    for name in list(os.environ):
        if name.startswith("FAKE_PI_") or name in ("CREW_RUNTIME", "CREW_WORKER_COMMAND", "PI_TEAMS_PI_BIN",
                                                   "PI_CREW_DEPTH", "PI_CREW_MAX_DEPTH"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "proj")
