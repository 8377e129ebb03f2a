"""Config changes after pi-crew v0.2.0 as data: each version's rules are v0.2.0's with the changes up to it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crew_lsp.resources.config_model import CrewConfig
from crew_lsp.resources.config_model_versions import config_model
from crew_lsp.resources.config_versions import BASELINE, CONFIG_CHANGES, config_rules

FILES = [("legacy-user", "a"), ("user", "b"), ("project", "c"), ("repo", "d")]


def test_v0_2_0_is_todays_rules_and_todays_model():
    rules = config_rules((0, 2, 0))
    assert rules == BASELINE
    assert config_model(rules) is CrewConfig  # (schemas/config.schema.json stays v0.2.0's)


def test_the_merge_order_is_reversed_from_0_5_5():
    assert [r for r, _ in config_rules((0, 5, 4)).ordered(FILES)] == ["legacy-user", "user", "project", "repo"]
    assert [r for r, _ in config_rules((0, 5, 5)).ordered(FILES)] == ["repo", "project", "legacy-user", "user"]


def test_keys_arrive_with_their_version():
    assert "goalWrap" not in config_rules((0, 8, 9)).keys
    assert {"goalWrap"} <= set(config_rules((0, 9, 0)).keys) and "broker" not in config_rules((0, 9, 0)).keys
    assert {"goalWrap", "broker"} <= set(config_rules((0, 9, 47)).keys) and "nesting" not in config_rules((0, 9, 47)).keys
    assert {"goalWrap", "broker", "nesting", "runtime.yield"} <= set(config_rules((0, 10, 1)).keys)


def test_a_version_newer_than_every_change_has_every_change():
    assert config_rules((1, 0, 0)).keys == config_rules((0, 10, 1)).keys
    assert len([c for c in CONFIG_CHANGES if c.what == "key"]) == len(config_rules((0, 10, 1)).keys)


def test_both_project_files_lose_the_schema_marked_keys_at_0_10_1():
    rules = config_rules((0, 10, 1))
    assert rules.sanitised_files == {"project", "repo"}
    for key in ("goalWrap", "nesting.enabled", "policy.disabledCapabilities", "autonomous.magicKeywords", "executeWorkers"):
        assert rules.is_sanitised(key, True), key
    assert not config_rules((0, 10, 0)).is_sanitised("nesting.enabled", True)


@pytest.mark.parametrize(("section", "value", "valid_at_0_2", "valid_at_0_10"), [
    ({"observability": {"metricRetentionDays": 120}}, 120, True, False),
    ({"notifications": {"batchWindowMs": 70000}}, 70000, True, False),
    ({"otlp": {"endpoint": "https://collector.example.org/v1"}}, None, True, True),
    ({"otlp": {"endpoint": "collector:4318"}}, None, False, False),
    ({"nesting": {"maxDepth": 10}}, None, False, True),
    ({"goalWrap": {"implementation": {"maxTurns": 51}}}, None, False, False),
    ({"goalWrap": {"implementation": {"maxTurns": 50, "verification": {"commands": ["make test"]}}}}, None, False, True),
    ({"goalWrap": {"implementation": {"verification": {"mode": "text-only"}}}}, None, False, False),  # `commands` is required
    ({"runtime": {"yield": {"reminderPrompt": "x" * 1001}}}, None, False, False),
])
def test_the_0_10_model_validates_what_0_10_accepts(section: dict, value, valid_at_0_2: bool, valid_at_0_10: bool):
    def valid(model) -> bool:
        try:
            model.model_validate(section)
        except ValidationError:
            return False
        return True

    assert valid(CrewConfig) is valid_at_0_2
    assert valid(config_model(config_rules((0, 10, 1)))) is valid_at_0_10


def test_the_0_10_model_gives_a_json_schema():
    schema = config_model(config_rules((0, 10, 1))).model_json_schema()
    assert {"goalWrap", "broker", "nesting"} <= set(schema["properties"])
