"""Team frontmatter and role lines (docs/formats.md, Teams)."""

from __future__ import annotations

import pytest

from crew_lsp.resources.frontmatter import parse_document
from crew_lsp.resources.team import parse_role_line, parse_team
from crew_lsp.resources.text import Span


def role(line: str):
    return parse_role_line(0, line)


def team(text: str):
    return parse_team(parse_document(text))


@pytest.mark.parametrize("line", ["", "text", "  * star", "-", "-   ", "- : no name", "-:x", "+ plus"])
def test_not_a_role(line):
    assert role(line) is None


def test_only_dash_lines_of_the_body_are_roles():
    t = team("---\nname: t\n---\nIntro text\n- explorer: agent=explorer look\n  - indented: still a role\nNot - a role\n")
    assert [r.name for r in t.roles] == ["explorer", "indented"]


def test_frontmatter_lines_are_not_roles():
    assert team("---\nname: t\ntriggers: - x\n---\n").roles == []


def test_name_and_description():
    r = role("  -   planner :   turn findings   into a   plan  ")
    assert (r.name, r.agent, r.description, r.has_colon) == ("planner", "planner", "turn findings into a plan", True)
    assert r.name_span == Span(0, 6, 0, 13)


def test_no_colon_means_the_whole_text_is_the_name():
    r = role("- explorer agent=explorer")
    assert (r.name, r.agent, r.tokens, r.has_colon) == ("explorer agent=explorer", "explorer agent=explorer", {}, False)


def test_tokens_anywhere_with_spaces_around_equals():
    r = role("- executor: implement agent = executor then model=gpt-5 maxConcurrency= 2 the plan")
    assert (r.agent, r.model, r.max_concurrency) == ("executor", "gpt-5", 2)
    assert r.description == "implement then the plan"
    assert r.tokens["agent"].value_span == Span(0, 30, 0, 38)


def test_last_token_wins():
    r = role("- a: agent=x agent=y model=m1 model=m2 skills=s1 skills=s2, s3")
    assert (r.agent, r.model, [i.text for i in r.skills]) == ("y", "m2", ["s2", "s3"])
    assert r.description == ""


def test_keys_start_at_a_word_boundary():
    r = role("- a: subagent=x mymodel=y")
    assert (r.agent, r.model, r.description) == ("a", None, "subagent=x mymodel=y")


def test_an_agent_key_is_found_after_a_word_that_holds_agent():
    # (a line with no other key word is scanned from each `agent` it holds)
    r = role("- a: subagent=x agentagent=y agent =z agent=w")
    assert (r.agent, [t.value for t in r.all_tokens], r.description) == ("w", ["z", "w"], "subagent=x agentagent=y")


def test_spaces_after_equals_are_allowed_for_every_key():
    r = role("- planner: agent=planner model= gpt-5")  # pi-crew: model `gpt-5`
    assert (r.agent, r.model, r.leftover_keys) == ("planner", "gpt-5", ())
    assert r.tokens["model"].value_span == Span(0, 32, 0, 37)


def test_keys_are_read_in_one_left_to_right_scan():
    r = role("- planner: model=gpt-5,agent=critic")  # pi-crew: model `gpt-5,agent=critic`, no agent key
    assert (r.agent, r.model, list(r.tokens)) == ("planner", "gpt-5,agent=critic", ["model"])
    assert r.tokens["model"].value_span == Span(0, 17, 0, 35)


def test_skills_tokens_are_deleted_and_the_text_on_either_side_joins():
    r = role("- planner: agent=planner,skills=safe-bash;x")  # pi-crew: agent `planner,;x`
    assert (r.agent, [i.text for i in r.skills], r.description) == ("planner,;x", ["safe-bash"], "")
    agent = r.tokens["agent"]
    assert agent.value_span == Span(0, 17, 0, 43)  # the value runs over the deleted token
    assert r.glued == [(agent, r.tokens["skills"])]


def test_a_deletion_at_a_value_edge_glues_nothing():
    r = role("- planner: agent=planner skills=safe-bash model=m")
    assert (r.agent, r.model, r.glued, r.description) == ("planner", "m", (), "")


def test_description_spaces_are_javascript_whitespace():
    r = role("- a: agent=b keep\x85this  and\x1fthat")  # `\s` in JavaScript has neither U+0085 nor U+001F
    assert r.description == "keep\x85this and\x1fthat"


def test_agent_with_nothing_after_equals_is_left_in_the_text():
    r = role("- a: do it agent=")
    assert r.agent == "a" and [k for k, _ in r.leftover_keys] == ["agent"]


@pytest.mark.parametrize(("line", "agent", "value_span", "description", "leftover"), [
    ("- writer: agent=critic keep it short", "critic", Span(0, 16, 0, 22), "keep it short", []),  # the usual line
    ("- writer: keep it short agent=critic", "critic", Span(0, 30, 0, 36), "keep it short", []),
    ("- writer:agent=critic", "critic", Span(0, 15, 0, 21), "", []),
    ("- writer: agent=écrivain déjà vu", "écrivain", Span(0, 16, 0, 24), "déjà vu", []),
    ("- writer: agent= critic keep", "critic", Span(0, 17, 0, 23), "keep", []),
    ("- writer: agent=  ", "writer", None, "agent=", ["agent"]),
    ("- writer: subagent=critic", "writer", None, "subagent=critic", []),
    ("- writer: my_agent=critic", "writer", None, "my_agent=critic", []),
    ("- writer: agent =critic", "critic", Span(0, 17, 0, 23), "", []),
    ("- writer: model agent=critic", "critic", Span(0, 22, 0, 28), "model", []),
    ("- writer: skills agent=critic", "critic", Span(0, 23, 0, 29), "skills", []),
])
def test_a_line_with_one_key_sign(line, agent, value_span, description, leftover):
    # the usual role line (one `=`, after `agent`) is read without the full scan: the same tokens either way
    r = role(line)
    token = r.tokens.get("agent")
    assert (r.agent, token.value_span if token else None, r.description) == (agent, value_span, description)
    assert [k for k, _ in r.leftover_keys] == leftover and [t.key for t in r.all_tokens] == (["agent"] if token else [])


def test_skills_items_and_dedup():
    r = role("- a: skills=safe-bash , minimal-diff,safe-bash rest")
    assert [i.text for i in r.skills] == ["safe-bash", "minimal-diff"] and r.description == "rest"
    assert r.skills[1].span == Span(0, 24, 0, 36)
    one = role("- a: agent=b skills= safe-bash rest")  # (one skill: its item is the whole value)
    assert [(i.text, i.span) for i in one.skills] == [("safe-bash", Span(0, 21, 0, 30))] and one.description == "rest"


def test_skills_swallow_a_following_word_after_a_comma():
    r = role("- executor: agent=executor skills=safe-bash, then implement")
    assert [i.text for i in r.skills] == ["safe-bash", "then"] and r.description == "implement"


def test_skills_false_disables_role_defaults():
    r = role("- executor: skills=false")
    assert r.skills_disabled and r.skills == []
    assert role("- executor: do").skills is None


@pytest.mark.parametrize(("value", "kept"), [("3", 3), ("0", None), ("-1", None), ("x", None), ("2abc", 2)])
def test_role_max_concurrency_kept_only_if_positive(value, kept):
    assert role(f"- a: maxConcurrency={value}").max_concurrency == kept


def test_traps():
    t = team("---\nname: t\n---\n- Note: this team is for X\n---\n- a: agent=x\n- a: agent=y\n- w: write about model=gpt-5 here\n")
    names = [r.name for r in t.roles]
    assert names == ["Note", "--", "a", "a", "w"]  # prose bullet, rule, and duplicates are all roles
    assert t.roles[0].agent == "Note"
    assert t.role("w").model == "gpt-5"
    assert t.role("a").agent == "x"  # lookups find the first


def test_bom_line_is_trimmed_like_javascript():
    assert role("\ufeff---").name == "--"


def test_team_frontmatter():
    t = team("---\nworkflow: alias\nworkspaceMode: Worktree\nmaxConcurrency: 0\n---\n")
    assert (t.default_workflow, t.workflow, t.workspace_mode, t.max_concurrency) == ("alias", "alias", "single", 0)
    t = team("---\ndefaultWorkflow: main\nworkflow: alias\nworkspaceMode: worktree\nmaxConcurrency: 3x\n---\n")
    assert (t.workflow, t.workspace_mode, t.max_concurrency) == ("main", "worktree", 3)
    assert team("---\nmaxConcurrency: -2\n---\n").max_concurrency == -2
    t = team("no frontmatter\n")
    assert (t.default_workflow, t.workflow, t.max_concurrency) == (None, "default", None)


def test_utf16_spans_on_a_role_line():
    r = role("- 😀: agent=😀x")
    assert r.name_span == Span(0, 2, 0, 4)
    assert r.tokens["agent"].value_span == Span(0, 12, 0, 15)
