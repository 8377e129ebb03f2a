"""Shared fixtures for engine tests: isolated user root, temp workspaces (engine_fixtures.py)."""

from __future__ import annotations

from engine_fixtures import _isolated_env, ws  # noqa: F401  (fixtures)
