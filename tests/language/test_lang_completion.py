"""Completion: frontmatter keys and values, role lines, step keys and values, placeholders, config."""

from __future__ import annotations

from langkit import WORKFLOW_FLOW, at, cursor, cursors

from crew_lsp.language.completion import complete
from crew_lsp.resources.text import Span


def labels(items):
    return [i.label for i in items]


def by_label(items, label):
    return next(i for i in items if i.label == label)


def test_frontmatter_keys_not_present_with_docs(squad):
    text, here = cursor("---\nname: bare\nde|\n---\nBody.\n")
    squad.write("agents/bare.md", text)
    snap = squad.snap()
    res = squad.res(snap, "agents/bare.md")
    items = complete(res, snap, *here, snippets=True)
    got = labels(items)
    assert "name" not in got and "description" in got and "skill" in got
    desc = by_label(items, "description")
    assert desc.replace == Span(2, 0, 2, 2)
    assert desc.insert_text == "description: " and not desc.snippet
    assert desc.documentation.startswith("**description** — One line shown in pickers")
    mode = by_label(items, "systemPromptMode")
    assert mode.insert_text == "systemPromptMode: ${1|replace,append|}" and mode.snippet
    assert "Allowed: `replace`, `append`" in mode.documentation and "Default: `replace`" in mode.documentation
    # an alias is not offered when its key is present, and vice versa
    text, here = cursor("---\nworkflow: flow\n|\n---\n- lead: agent=scout\n")
    squad.write("teams/t.team.md", text)
    snap = squad.snap()
    team = squad.res(snap, "teams/t.team.md")
    assert "defaultWorkflow" not in labels(complete(team, snap, *here))


def test_frontmatter_keys_plain_without_snippets(squad):
    text, here = cursor("---\nname: bare\nsys|\n---\nBody.\n")
    squad.write("agents/bare.md", text)
    snap = squad.snap()
    res = squad.res(snap, "agents/bare.md")
    mode = by_label(complete(res, snap, *here, snippets=False), "systemPromptMode")
    assert mode.insert_text == "systemPromptMode: " and not mode.snippet


def test_frontmatter_enum_and_bool_values(squad):
    text, (in_thinking, after_colon, in_tools) = cursors("---\nname: bare\nthinking: hi|\ninheritSkills:|\ntools: read, |\n---\nBody.\n")
    squad.write("agents/bare.md", text)
    snap = squad.snap()
    res = squad.res(snap, "agents/bare.md")
    thinking = complete(res, snap, *in_thinking)
    assert labels(thinking) == ["off", "minimal", "low", "medium", "high", "xhigh", "false"]
    assert thinking[0].replace == Span(2, 10, 2, 12)
    boolean = complete(res, snap, *after_colon)
    assert labels(boolean) == ["true", "false"]
    assert boolean[0].insert_text == " true"  # glued to the colon: a space is added
    tools = complete(res, snap, *in_tools)
    assert labels(tools) == ["grep", "find", "ls", "bash", "edit", "write"]  # `read` is already listed
    assert tools[0].replace == Span(4, 13, 4, 13)


def test_frontmatter_workflow_and_model_values(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    items = complete(team, snap, *at(team, ": fl|ow"))
    assert "flow" in labels(items) and "default" in labels(items)
    assert by_label(items, "flow").replace == Span(3, 17, 3, 21)
    text, here = cursor("---\nname: m\nmodel: |\n---\nBody.\n")
    squad.write("agents/m.md", text)
    snap = squad.snap()
    res = squad.res(snap, "agents/m.md")
    assert labels(complete(res, snap, *here)) == ["openai/gpt-5", "false"]


def test_unclosed_frontmatter_still_completes_keys(ws):
    text, here = cursor("---\nna|\n")
    ws.write("workflows/new.workflow.md", text)
    snap = ws.snap()
    res = ws.res(snap, "workflows/new.workflow.md")
    assert labels(complete(res, snap, *here)) == ["name", "description", "maxConcurrency"]


def test_team_agent_values_with_scope(squad):
    text, here = cursor("---\nname: squad\n---\n- lead: agent=sc| more text\n")
    squad.write("teams/squad.team.md", text)
    snap = squad.snap()
    res = squad.res(snap, "teams/squad.team.md")
    items = complete(res, snap, *here)
    scout = by_label(items, "scout")
    assert scout.kind == "agent" and scout.detail == "(project) Finds the files a goal touches"
    assert scout.replace == Span(3, 14, 3, 16)
    assert by_label(items, "executor").detail.startswith("(builtin) ")
    assert "scout.md" in scout.documentation


def test_team_skills_and_model_values(squad):
    text, (in_skills, in_model) = cursors("---\nname: squad\n---\n- lead: agent=scout skills=safe-bash, ver|\n- b: model=|\n- c: agent=scout model=acme/m1\n")
    squad.write("teams/squad.team.md", text)
    snap = squad.snap()
    res = squad.res(snap, "teams/squad.team.md")
    items = complete(res, snap, *in_skills)
    assert "safe-bash" not in labels(items) and "verification-before-done" in labels(items)
    line, col = in_skills
    assert by_label(items, "verify-evidence").replace == Span(line, col - 3, line, col)
    models = complete(res, snap, *in_model)
    assert labels(models) == ["acme/m1"] and models[0].replace == Span(4, 11, 4, 11)


def test_team_metadata_keys_and_role_snippet(squad):
    text, (in_key, new_role) = cursors("---\nname: squad\n---\n- lead: agent=scout mo|\n- |\n")
    squad.write("teams/squad.team.md", text)
    snap = squad.snap()
    res = squad.res(snap, "teams/squad.team.md")
    keys = complete(res, snap, *in_key)
    assert labels(keys) == ["model=", "skills=", "maxConcurrency="]  # agent= is there already
    assert keys[0].replace == Span(3, 20, 3, 22)
    start = complete(res, snap, *new_role, snippets=True)
    assert start[0].kind == "snippet" and start[0].snippet
    assert start[0].insert_text.startswith("- ${1:role}: agent=${2|analyst,critic,executor,")
    assert start[0].replace == Span(4, 0, 4, 2)
    plain = complete(res, snap, *new_role, snippets=False)[0]
    assert plain.insert_text == "- role: agent=" and not plain.snippet
    assert "lead" not in labels(start) and by_label(start, "scout").insert_text == "- scout: agent=scout "


def test_step_keys_roles_and_snippet(squad):
    # the blank line right after `output: scan.md` still continues the metadata block
    text, (before_steps, after_output) = cursors(
        WORKFLOW_FLOW.replace("---\n\n## scan", "---\n|\n## scan").replace("output: scan.md\n\n", "output: scan.md\n|\n")
    )
    squad.write("workflows/flow.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    keys = complete(res, snap, *after_output)
    assert "role" not in labels(keys) and "output" not in labels(keys) and "dependsOn" in labels(keys)
    assert by_label(keys, "verify").insert_text == "verify: ${1|true,false|}"
    roles = complete(res, snap, *at(res, "role: lead|"))
    assert labels(roles) == ["lead", "executor", "checker"]
    assert by_label(roles, "lead").detail == "squad: agent=scout"
    assert by_label(roles, "lead").replace == Span(6, 6, 6, 10)
    # before the first step: the new-step snippet
    snippet = complete(res, snap, *before_steps, snippets=True)
    assert labels(snippet) == ["## step"]
    assert snippet[0].insert_text == "## ${1:step-id}\nrole: ${2|lead,executor,checker|}\n\n${0:Describe the task for {goal\\}.}"
    plain = complete(res, snap, *before_steps, snippets=False)[0]
    assert plain.insert_text == "## step-id\nrole: lead\n\nDescribe the task for {goal}." and not plain.snippet


def test_role_union_when_no_team_runs_the_workflow(squad):
    text, here = cursor("---\nname: lonely\n---\n## a\nrole: |\n")
    squad.write("workflows/lonely.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/lonely.workflow.md")
    got = labels(complete(res, snap, *here))
    assert {"lead", "executor", "checker", "explorer", "planner", "verifier"} <= set(got)


def test_depends_on_is_comma_aware(squad):
    marked = WORKFLOW_FLOW + "\n## last\nrole: lead\ndependsOn: scan, |\n"
    text, here = cursor(marked)
    squad.write("workflows/flow.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    items = complete(res, snap, *here)
    assert labels(items) == ["build", "check"]  # not `scan` (listed) nor `last` (itself)
    line, col = here
    assert items[0].replace == Span(line, col, line, col) and items[0].insert_text == "build"
    assert items[0].detail == "02_build" and items[0].documentation == "Build it."
    # in the middle of the list: only the current item is replaced, the others stay excluded
    text, here = cursor(marked.replace("dependsOn: scan, |\n", "dependsOn: scan, bu|, check\n"))
    squad.write("workflows/flow.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    items = complete(res, snap, *here)
    assert labels(items) == ["build"]
    assert items[0].replace == Span(line, col, line, col + 2)
    # right after the colon: a space is inserted
    text, here = cursor(marked.replace("dependsOn: scan, |\n", "dependsOn:|\n"))
    squad.write("workflows/flow.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    items = complete(res, snap, *here)
    assert labels(items) == ["scan", "build", "check"] and items[0].insert_text == " scan"


def test_step_values_reads_skills_output_bool(squad):
    text, (output, reads, skills_at, verify) = cursors(
        "---\nname: w\n---\n## a\noutput: |\n\nA.\n\n## b\nreads: |\nskills: safe-bash,|\nverify: |\n\nB.\n"
    )
    squad.write("workflows/w.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/w.workflow.md")
    assert labels(complete(res, snap, *output)) == ["01_a.md", "false"]
    assert labels(complete(res, snap, *reads)) == ["01_a.md", "false"]
    skills = complete(res, snap, *skills_at)
    assert "safe-bash" not in labels(skills) and "minimal-diff" in labels(skills)
    assert by_label(skills, "minimal-diff").insert_text == " minimal-diff"
    assert labels(complete(res, snap, *verify)) == ["true", "false"]


def test_goal_placeholder(squad):
    text, here = cursor("---\nname: w\n---\n## a\nrole: lead\n\nWork on {go|} please\ntask: {\n")
    squad.write("workflows/w.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/w.workflow.md")
    items = complete(res, snap, *here)
    assert labels(items) == ["{goal}"]
    assert items[0].replace == Span(6, 8, 6, 12)  # `{go}` including the closing brace


def test_config_keys_and_values(ws):
    text, (top_key, limits_key, mode_value, filter_value) = cursors(
        '{|\n  "limits": {"maxTaskDepth": 3, |},\n  "runtime": {"mode": "|"},\n  "notifications": {"severityFilter": ["|"]}\n}\n'
    )
    ws.write("config.json", text)
    snap = ws.snap()
    res = ws.res(snap, "config.json")
    keys = complete(res, snap, *limits_key)
    assert "maxTaskDepth" not in labels(keys) and "maxConcurrentWorkers" in labels(keys)
    mcw = by_label(keys, "maxConcurrentWorkers")
    assert mcw.insert_text == '"maxConcurrentWorkers": $1' and mcw.snippet and mcw.detail == "integer"
    assert "Range: 1–1024" in mcw.documentation
    assert by_label(complete(res, snap, *limits_key, snippets=False), "allowUnboundedConcurrency").insert_text == '"allowUnboundedConcurrency": false'
    values = complete(res, snap, *mode_value)
    assert labels(values) == ['"auto"', '"scaffold"', '"child-process"', '"live-session"']
    line, col = mode_value
    assert values[0].replace == Span(line, col - 1, line, col + 1)  # the whole `""`
    assert labels(complete(res, snap, *filter_value)) == ['"info"', '"warning"', '"error"', '"critical"']
    top = labels(complete(res, snap, *top_key))
    assert "limits" not in top and "reliability" in top


def test_config_completes_while_invalid(ws):
    text, here = cursor('{\n  "reliability": {\n    "retryPolicy": {"ma|\n')
    ws.write("config.json", text)
    snap = ws.snap()
    res = ws.res(snap, "config.json")
    items = complete(res, snap, *here)
    assert labels(items) == ["maxAttempts", "backoffMs", "jitterRatio", "exponentialFactor", "retryableErrors"]
    assert items[0].replace == Span(2, 20, 2, 23) and items[0].insert_text == '"maxAttempts": $1'
