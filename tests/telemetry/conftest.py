"""Fixtures for telemetry tests: the engine tests' temp workspaces and isolated user root."""

from __future__ import annotations

import sys
from pathlib import Path

# the engine tests' workspace helpers (tests/engine) build the runs measured here
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))

from engine_fixtures import _isolated_env, ws  # noqa: E402,F401  (fixtures)
