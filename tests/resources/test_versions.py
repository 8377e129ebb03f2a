"""The versioned reading: 0.2.0 is the format reference's reading, each later version adds its changes."""

from __future__ import annotations

import pytest

from crew_lsp.resources.fields import AGENT_FIELDS, STEP_FIELDS, TEAM_FIELDS, TOOLS, WORKFLOW_FIELDS
from crew_lsp.resources.versions import BASELINE, CHANGES, KNOWN, NEWEST, VersionError, parse_version, reading_for


def test_the_0_2_reading_is_the_reference_tables_unchanged():
    r = reading_for((0, 2, 0))
    assert r.agent_fields == AGENT_FIELDS and r.team_fields == TEAM_FIELDS and r.workflow_fields == WORKFLOW_FIELDS
    assert r.step_fields == STEP_FIELDS and r.tools == TOOLS and not r.tools_split and r.since == {}
    assert r.may_write("some-new-role") and not r.may_write("verifier")


def test_the_newest_reading_has_every_change():
    r = reading_for(NEWEST)
    assert NEWEST == (0, 10, 1)
    assert {"scratchpad", "maxTokens", "effort", "excludeExtensions", "exclude_extensions"} <= set(r.agent_fields)
    assert {"ask", "delegate", "scratchpad"} <= set(r.tools) and "glob" not in r.tools
    assert "observability" in r.team_fields and {"topology", "coalesceMicroTasks", "specStrict"} <= set(r.workflow_fields)
    assert {"seedPaths", "specRefs", "specStrict", "preStepScript", "preStepArgs", "preStepTimeout", "preStepOptional"} <= r.step_keys
    assert r.tools_split and r.pi_agent_root and r.dynamic_workflows and r.role_fallback_models
    assert r.may_write("verifier") and r.may_write("writer") and not r.may_write("some-new-role")
    assert r.role_default_skills["writer"] == ("context-artifact-hygiene", "verification-before-done")


def test_a_version_between_gets_the_changes_made_by_then():
    r = reading_for((0, 9, 15))
    assert "topology" in r.workflow_fields and "coalesceMicroTasks" not in r.workflow_fields
    assert r.since[("workflow", "topology")] == "0.9.15"
    assert "scratchpad" not in r.tools and r.unknown_role_writes


def test_a_version_newer_than_known_reads_as_the_newest():
    assert reading_for((1, 4, 0)).version == NEWEST
    assert reading_for((1, 4, 0)).agent_fields == reading_for(NEWEST).agent_fields


def test_changes_are_listed_oldest_first_and_known_versions_follow_them():
    assert [c.since for c in CHANGES] == sorted(c.since for c in CHANGES)
    assert KNOWN[0] == BASELINE.version and KNOWN[-1] == NEWEST


@pytest.mark.parametrize(("text", "version"), [("0.10.1", (0, 10, 1)), ("0.2", (0, 2, 0)), ("0.10", (0, 10, 1)), ("v0.9.64", (0, 9, 64)),
                                               ("1.2.3-beta.1", (1, 2, 3))])
def test_versions_parse_with_a_short_form(text, version):
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["", "ten", "0", "0.x", "0.10.1.2"])
def test_a_bad_version_is_a_clear_error(text):
    with pytest.raises(VersionError, match="is not a version"):
        parse_version(text)


def test_a_reading_is_immutable():
    with pytest.raises(AttributeError):
        reading_for(NEWEST).tools_split = False  # type: ignore[misc]
