"""The builtin catalogue and role tool defaults of later pi-crew versions, as data keyed by version."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.checks.codes import Severity
from crew_lsp.report import collect
from crew_lsp.resources.catalogue import (ToolPolicy, added_builtin_agent_files, builtin_agent_names, resolve_tool_policy, role_tool_configs,
                                          shipped_skill_names)
from crew_lsp.resources.discovery import shipped_root

TODAY_AGENTS = frozenset(p.stem for p in (shipped_root() / "agents").glob("*.md"))
TODAY_SKILLS = frozenset(p.name for p in (shipped_root() / "skills").iterdir() if p.is_dir())


def test_v0_2_0_ships_todays_builtins_and_0_8_4_adds_cold_verifier():
    assert builtin_agent_names((0, 2, 0), TODAY_AGENTS) == TODAY_AGENTS
    assert added_builtin_agent_files((0, 8, 3)) == []
    assert builtin_agent_names((0, 8, 4), TODAY_AGENTS) == TODAY_AGENTS | {"cold-verifier"}
    [cold] = added_builtin_agent_files((0, 10, 1))
    assert cold.name == "cold-verifier.md" and cold.is_file()


def test_the_cold_verifier_checks_clean_as_any_builtin_must(tmp_path: Path):
    [cold] = added_builtin_agent_files((0, 10, 1))
    agents = tmp_path / ".crew" / "agents"
    agents.mkdir(parents=True)
    (agents / "cold-verifier.md").write_text(cold.read_text(encoding="utf-8"), encoding="utf-8")
    found = [(d.code, d.message) for _, d in collect([str(tmp_path)]) if d.severity < Severity.INFORMATION]
    assert found == []


def test_shipped_skills_change_at_0_9_17():
    assert shipped_skill_names((0, 9, 16), TODAY_SKILLS) == TODAY_SKILLS
    later = shipped_skill_names((0, 9, 17), TODAY_SKILLS)
    assert "verify-evidence" in TODAY_SKILLS and "verify-evidence" not in later
    assert {"council", "scrutinize", "workspace-isolation"} <= later
    assert len(later) == len(TODAY_SKILLS) - 1 + 13


def test_roles_have_no_tool_defaults_before_0_8_1():
    assert role_tool_configs((0, 8, 0)) == {}
    assert set(role_tool_configs((0, 8, 1))) == {"explorer", "analyst", "planner", "critic", "executor", "reviewer", "writer",
                                                 "security-reviewer", "verifier", "test-engineer"}


CONFIGS = role_tool_configs((0, 10, 1))


def test_a_builtin_agent_follows_its_roles_allowlist():
    policy = resolve_tool_policy("explorer", builtin=True, agent_tools=("read", "grep"), configs=CONFIGS)
    assert policy == ToolPolicy(("read", "grep", "find", "ls", "glob", "bash", "ask"), ("edit", "write", "web"))


def test_a_project_agent_follows_its_own_tools_and_the_roles_excludes_still_apply():
    policy = resolve_tool_policy("explorer", builtin=False, agent_tools=("read", "edit", "read"), configs=CONFIGS)
    assert policy == ToolPolicy(("read", "edit"), ("edit", "write", "web"))


def test_tools_none_on_a_project_agent_gives_every_tool_but_the_excludes():
    assert resolve_tool_policy("explorer", builtin=False, agent_tools=(), configs=CONFIGS) == ToolPolicy(None, ("edit", "write", "web"))


def test_an_agent_without_tools_takes_the_roles_and_an_unknown_role_adds_nothing():
    assert resolve_tool_policy("security_reviewer", builtin=False, agent_tools=None, configs=CONFIGS).tools == ("read", "grep", "find", "ask")
    assert resolve_tool_policy("executor", builtin=True, agent_tools=None, configs=CONFIGS) == ToolPolicy(None, ())
    assert resolve_tool_policy("poet", builtin=False, agent_tools=("read",), configs=CONFIGS) == ToolPolicy(("read",), ())
    assert resolve_tool_policy("explorer", builtin=True, agent_tools=("read",), configs={}) == ToolPolicy(("read",), ())
