"""Where the sinks' settings come from (docs/telemetry.md, In the editor): telemetry and retention from
the editor settings or any config file; OTLP only from user-level sources, never from the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.metrics import TelemetryConfig, telemetry_config
from crew_lsp.server.settings import Settings

COLLECTOR = {"otlp": {"enabled": True, "endpoint": "https://collector.example:4318", "headers": {"x-api-key": "k"}}}


@pytest.fixture
def folders(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """(the workspace's crew root, the user root) of a fresh workspace."""
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    user = tmp_path / "home" / ".pi" / "agent"
    crew = tmp_path / "ws" / ".crew"
    user.mkdir(parents=True)
    crew.mkdir(parents=True)
    return crew, user


def _config(crew: Path, settings: dict | None = None) -> TelemetryConfig:
    ws = Workspace.discover(str(crew.parent), [])
    return telemetry_config(ws, Settings.from_raw(settings or {})[0])


def test_by_default_the_jsonl_sink_is_on_for_a_week_and_otlp_off(folders):
    crew, _ = folders
    assert _config(crew) == TelemetryConfig(enabled=True, retention_days=7, otlp_endpoint=None, otlp_headers=())


def test_a_workspace_config_file_cannot_turn_otlp_on_or_choose_its_endpoint(folders):
    crew, _ = folders
    (crew / "config.json").write_text(json.dumps(COLLECTOR))
    (crew.parent / ".pi").mkdir()
    (crew.parent / ".pi" / "pi-crew.json").write_text(json.dumps(COLLECTOR))
    assert _config(crew).otlp_endpoint is None


def test_the_user_config_file_turns_otlp_on_with_its_headers(folders):
    crew, user = folders
    (user / "pi-crew.json").write_text(json.dumps(COLLECTOR))
    (crew / "config.json").write_text(json.dumps({"otlp": {"endpoint": "https://elsewhere.example"}}))
    config = _config(crew)
    assert config.otlp_endpoint == "https://collector.example:4318"
    assert config.otlp_headers == (("x-api-key", "k"),)


def test_editor_settings_win_over_the_config_files(folders):
    crew, user = folders
    (user / "pi-crew.json").write_text(json.dumps({**COLLECTOR, "observability": {"metricRetentionDays": 30}}))
    config = _config(crew, {"telemetry": {"enabled": False}, "observability": {"metricRetentionDays": 3},
                            "otlp": {"enabled": False}})
    assert config == TelemetryConfig(enabled=False, retention_days=3, otlp_endpoint=None, otlp_headers=())


def test_telemetry_and_retention_may_come_from_the_workspace_config(folders):
    crew, _ = folders
    (crew / "config.json").write_text(json.dumps({"telemetry": {"enabled": False},
                                                  "observability": {"metricRetentionDays": 400}}))
    assert _config(crew) == TelemetryConfig(enabled=False, retention_days=7)  # 400 is out of range: the default


def test_metrics_serve_and_otlp_are_dropped_from_workspace_settings():
    from crew_lsp.server.raw_settings import without_program_settings

    kept, dropped = without_program_settings({"metrics": {"serve": "9464"}, **COLLECTOR, "diagnostics": {"delayMs": 5}})
    assert kept == {"metrics": {}, "otlp": {}, "diagnostics": {"delayMs": 5}}
    assert dropped == ["crew.metrics.serve", "crew.otlp.enabled", "crew.otlp.endpoint", "crew.otlp.headers"]
