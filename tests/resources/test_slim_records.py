"""An index of every file keeps each file's text once: no split lines, no copy of an agent's body.

(50,000 files must fit in a few hundred MiB; the lines and the prompt are worked out again when asked.)
"""

from __future__ import annotations

from crew_lsp.resources.model import parse_resource

AGENT = "---\nname: scout\ndescription: looks\n---\n\n  Look around.\nReport.\n"
WORKFLOW = "---\nname: flow\n---\n## plan\nrole: lead\n\nPlan {goal}\nin detail.\n\n## build\nrole: lead\n\nBuild it.\n"
TEAM = "---\nname: crew\n---\n- lead: agent=scout\n"


def test_parsed_files_keep_no_split_lines():
    for kind, text in (("agent", AGENT), ("workflow", WORKFLOW), ("team", TEAM)):
        res = parse_resource(kind, "project", f"/ws/.crew/x/{kind}.md", text)
        assert res.doc._lines is None, kind


def test_an_agent_keeps_no_copy_of_its_body_and_still_gives_its_prompt():
    res = parse_resource("agent", "project", "/ws/.crew/agents/scout.md", AGENT)
    assert res.model._system_prompt is None
    assert res.model.system_prompt == "Look around.\nReport."


def test_a_step_gives_its_task_text_from_the_released_lines():
    res = parse_resource("workflow", "project", "/ws/.crew/workflows/flow.workflow.md", WORKFLOW)
    assert [s.task_text for s in res.model.steps] == ["Plan {goal}\nin detail.", "Build it."]
    assert res.doc.lines[4] == "role: lead"  # split again on demand


def test_frontmatter_keys_and_short_values_are_one_string_across_files():
    one = parse_resource("agent", "project", "/ws/.crew/agents/a.md", "---\nname: a\nmodel: openai/gpt-5\n---\nA.\n")
    two = parse_resource("agent", "project", "/ws/.crew/agents/b.md", "---\nname: b\nmodel: openai/gpt-5\n---\nB.\n")
    first, second = one.doc.frontmatter.fields["model"], two.doc.frontmatter.fields["model"]
    assert first.key is second.key and first.value is second.value


def test_empty_lists_of_a_parse_are_one_shared_empty_tuple():
    """Most files have no skipped or comment lines, no leftover keys or glued tokens, no folded headings:
    each of those holds the one empty tuple rather than a list of its own."""
    team = parse_resource("team", "project", "/ws/.crew/teams/crew.team.md", TEAM)
    flow = parse_resource("workflow", "project", "/ws/.crew/workflows/flow.workflow.md", WORKFLOW)
    role = team.model.roles[0]
    assert team.doc.frontmatter.skipped is team.doc.frontmatter.comments is () is role.leftover_keys is role.glued
    assert flow.model.folded is ()


def test_lists_that_have_items_still_have_them():
    doc = parse_resource("agent", "project", "/ws/.crew/agents/a.md", "---\nname: a\n# note\nstray\n---\nA.\n").doc
    assert (doc.frontmatter.comments, doc.frontmatter.skipped) == ([2], [3])
    role = parse_resource("team", "project", "/ws/.crew/teams/t.team.md", "---\nname: t\n---\n- lead: do it agent=\n").model.roles[0]
    assert [key for key, _span in role.leftover_keys] == ["agent"]


def test_role_names_and_token_keys_are_one_string_across_teams():
    one = parse_resource("team", "project", "/ws/.crew/teams/a.team.md", "---\nname: a\n---\n- lead: agent=scout model=m\n").model.roles[0]
    two = parse_resource("team", "project", "/ws/.crew/teams/b.team.md", "---\nname: b\n---\n- lead: agent=scout model=m\n").model.roles[0]
    assert one.name is two.name
    assert all(a.key is b.key for a, b in zip(one.all_tokens, two.all_tokens))


def test_a_heading_whose_section_starts_on_the_next_line_stores_no_position():
    flow = parse_resource("workflow", "project", "/ws/.crew/workflows/flow.workflow.md", WORKFLOW).model
    heading = flow.steps[0].heading
    assert heading._section is None and heading.section == (heading.id_line + 1, 0)


def test_list_items_are_one_string_across_files():
    one = parse_resource("agent", "project", "/ws/.crew/agents/a.md", "---\nname: a\ntools: read, bash\n---\nA.\n")
    two = parse_resource("agent", "project", "/ws/.crew/agents/b.md", "---\nname: b\ntools: bash, read\n---\nB.\n")
    assert one.model.tools[0] is two.model.tools[1]


def test_a_plain_key_value_line_is_not_stored_but_rebuilt():
    """`key: value` lines (one space after the colon, nothing around) are most lines: they keep no copy."""
    res = parse_resource("workflow", "project", "/ws/.crew/workflows/flow.workflow.md",
                         "---\nname: flow\ndescription:  spaced \n---\n## plan\nrole: lead\nmodel:x\n\nPlan.\n")
    fm, step = res.doc.frontmatter, res.model.steps[0]
    assert fm.fields["name"]._raw is None and fm.fields["name"].raw == "name: flow"
    assert fm.fields["description"]._raw == "description:  spaced "
    assert step.meta["role"]._raw is None and step.meta["role"].raw == "role: lead"
    assert step.meta["model"].raw == "model:x"
    assert step.heading._raw is None and step.heading.raw == "## plan"


def test_lines_with_other_spacing_are_kept_as_written():
    text = "---\nname:\tflow\nmodel :x\n---\n##\tplan\nrole:\tlead\n\nPlan.\n\n## build\n  role: lead\n\nBuild.\n"
    res = parse_resource("workflow", "project", "/ws/.crew/workflows/flow.workflow.md", text)
    fm, (plan, build) = res.doc.frontmatter, res.model.steps
    assert [e.raw for e in fm.entries] == ["name:\tflow", "model :x"]
    assert (plan.heading.raw, plan.meta["role"].raw, build.meta["role"].raw) == ("##\tplan", "role:\tlead", "  role: lead")


def test_a_role_keeps_no_copy_of_its_description_and_still_gives_it():
    role = parse_resource("team", "project", "/ws/.crew/teams/t.team.md",
                          "---\nname: t\n---\n- lead: agent=scout  plans   the work skills=tidy\n").model.roles[0]
    copies = [slot for slot in role.__slots__ if slot != "raw" and "plans" in str(getattr(role, slot, ""))]
    assert copies == []  # (only the line itself)
    assert role.description == "plans the work"
