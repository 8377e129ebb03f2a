"""Completion: frontmatter keys and values, role lines, step keys and values, placeholders, config."""

from __future__ import annotations

from langkit import pos

from crew_lsp.language.completion import complete
from crew_lsp.resources.text import Span


def labels(items):
    return [i.label for i in items]


def by_label(items, label):
    return next(i for i in items if i.label == label)


def test_frontmatter_keys_not_present_with_docs(squad):
    squad.write("agents/bare.md", "---\nname: bare\nde\n---\nBody.\n")
    snap = squad.snap()
    res = squad.res(snap, "agents/bare.md")
    items = complete(res, snap, 2, 2, snippets=True)
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
    squad.write("teams/t.team.md", "---\nworkflow: flow\n\n---\n- lead: agent=scout\n")
    snap = squad.snap()
    team = squad.res(snap, "teams/t.team.md")
    assert "defaultWorkflow" not in labels(complete(team, snap, 2, 0))


def test_frontmatter_keys_plain_without_snippets(squad):
    squad.write("agents/bare.md", "---\nname: bare\nsys\n---\nBody.\n")
    snap = squad.snap()
    res = squad.res(snap, "agents/bare.md")
    mode = by_label(complete(res, snap, 2, 3, snippets=False), "systemPromptMode")
    assert mode.insert_text == "systemPromptMode: " and not mode.snippet


def test_frontmatter_enum_and_bool_values(squad):
    squad.write("agents/bare.md", "---\nname: bare\nthinking: hi\ninheritSkills:\ntools: read, \n---\nBody.\n")
    snap = squad.snap()
    res = squad.res(snap, "agents/bare.md")
    thinking = complete(res, snap, 2, 12)
    assert labels(thinking) == ["off", "minimal", "low", "medium", "high", "xhigh", "false"]
    assert thinking[0].replace == Span(2, 10, 2, 12)
    boolean = complete(res, snap, 3, 14)
    assert labels(boolean) == ["true", "false"]
    assert boolean[0].insert_text == " true"  # glued to the colon: a space is added
    tools = complete(res, snap, 4, 13)
    assert labels(tools) == ["grep", "find", "ls", "bash", "edit", "write"]  # `read` is already listed
    assert tools[0].replace == Span(4, 13, 4, 13)


def test_frontmatter_workflow_and_model_values(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    items = complete(team, snap, *pos(team, ": flow", 4))
    assert "flow" in labels(items) and "default" in labels(items)
    assert by_label(items, "flow").replace == Span(3, 17, 3, 21)
    squad.write("agents/m.md", "---\nname: m\nmodel: \n---\nBody.\n")
    snap = squad.snap()
    res = squad.res(snap, "agents/m.md")
    assert labels(complete(res, snap, 2, 7)) == ["openai/gpt-5", "false"]


def test_unclosed_frontmatter_still_completes_keys(ws):
    ws.write("workflows/new.workflow.md", "---\nna\n")
    snap = ws.snap()
    res = ws.res(snap, "workflows/new.workflow.md")
    assert labels(complete(res, snap, 1, 2)) == ["name", "description", "maxConcurrency"]


def test_team_agent_values_with_scope(squad):
    squad.write("teams/squad.team.md", "---\nname: squad\n---\n- lead: agent=sc more text\n")
    snap = squad.snap()
    res = squad.res(snap, "teams/squad.team.md")
    items = complete(res, snap, 3, 16)
    scout = by_label(items, "scout")
    assert scout.kind == "agent" and scout.detail == "(project) Finds the files a goal touches"
    assert scout.replace == Span(3, 14, 3, 16)
    assert by_label(items, "executor").detail.startswith("(builtin) ")
    assert "scout.md" in scout.documentation


def test_team_skills_and_model_values(squad):
    squad.write("teams/squad.team.md", "---\nname: squad\n---\n- lead: agent=scout skills=safe-bash, ver\n- b: model=\n- c: agent=scout model=acme/m1\n")
    snap = squad.snap()
    res = squad.res(snap, "teams/squad.team.md")
    line = res.doc.lines[3]
    items = complete(res, snap, 3, len(line))
    assert "safe-bash" not in labels(items) and "verification-before-done" in labels(items)
    assert by_label(items, "verify-evidence").replace == Span(3, len(line) - 3, 3, len(line))
    models = complete(res, snap, 4, 11)
    assert labels(models) == ["acme/m1"] and models[0].replace == Span(4, 11, 4, 11)


def test_team_metadata_keys_and_role_snippet(squad):
    squad.write("teams/squad.team.md", "---\nname: squad\n---\n- lead: agent=scout mo\n- \n")
    snap = squad.snap()
    res = squad.res(snap, "teams/squad.team.md")
    keys = complete(res, snap, 3, 22)
    assert labels(keys) == ["model=", "skills=", "maxConcurrency="]  # agent= is there already
    assert keys[0].replace == Span(3, 20, 3, 22)
    start = complete(res, snap, 4, 2, snippets=True)
    assert start[0].kind == "snippet" and start[0].snippet
    assert start[0].insert_text.startswith("- ${1:role}: agent=${2|analyst,critic,executor,")
    assert start[0].replace == Span(4, 0, 4, 2)
    plain = complete(res, snap, 4, 2, snippets=False)[0]
    assert plain.insert_text == "- role: agent=" and not plain.snippet
    assert "lead" not in labels(start) and by_label(start, "scout").insert_text == "- scout: agent=scout "


def test_step_keys_roles_and_snippet(squad):
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    # the blank line right after `output: scan.md` still continues the metadata block
    line = pos(res, "output: scan.md")[0] + 1
    keys = complete(res, snap, line, 0)
    assert "role" not in labels(keys) and "output" not in labels(keys) and "dependsOn" in labels(keys)
    assert by_label(keys, "verify").insert_text == "verify: ${1|true,false|}"
    roles = complete(res, snap, *pos(res, "lead", 4))
    assert labels(roles) == ["lead", "executor", "checker"]
    assert by_label(roles, "lead").detail == "squad: agent=scout"
    assert by_label(roles, "lead").replace == Span(6, 6, 6, 10)
    # before the first step: the new-step snippet
    snippet = complete(res, snap, 4, 0, snippets=True)
    assert labels(snippet) == ["## step"]
    assert snippet[0].insert_text == "## ${1:step-id}\nrole: ${2|lead,executor,checker|}\n\n${0:Describe the task for {goal\\}.}"
    plain = complete(res, snap, 4, 0, snippets=False)[0]
    assert plain.insert_text == "## step-id\nrole: lead\n\nDescribe the task for {goal}." and not plain.snippet


def test_role_union_when_no_team_runs_the_workflow(squad):
    squad.write("workflows/lonely.workflow.md", "---\nname: lonely\n---\n## a\nrole: \n")
    snap = squad.snap()
    res = squad.res(snap, "workflows/lonely.workflow.md")
    got = labels(complete(res, snap, 4, 6))
    assert {"lead", "executor", "checker", "explorer", "planner", "verifier"} <= set(got)


def test_depends_on_is_comma_aware(squad):
    text = squad.crew.joinpath("workflows/flow.workflow.md").read_text() + "\n## last\nrole: lead\ndependsOn: scan, \n"
    squad.write("workflows/flow.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    line = len(res.doc.lines) - 2
    items = complete(res, snap, line, len("dependsOn: scan, "))
    assert labels(items) == ["build", "check"]  # not `scan` (listed) nor `last` (itself)
    assert items[0].replace == Span(line, 17, line, 17) and items[0].insert_text == "build"
    assert items[0].detail == "02_build" and items[0].documentation == "Build it."
    # in the middle of the list: only the current item is replaced, the others stay excluded
    squad.write("workflows/flow.workflow.md", text.replace("dependsOn: scan, \n", "dependsOn: scan, bu, check\n"))
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    items = complete(res, snap, line, len("dependsOn: scan, bu"))
    assert labels(items) == ["build"]
    assert items[0].replace == Span(line, 17, line, 19)
    # right after the colon: a space is inserted
    squad.write("workflows/flow.workflow.md", text.replace("dependsOn: scan, \n", "dependsOn:\n"))
    snap = squad.snap()
    res = squad.res(snap, "workflows/flow.workflow.md")
    items = complete(res, snap, line, len("dependsOn:"))
    assert labels(items) == ["scan", "build", "check"] and items[0].insert_text == " scan"


def test_step_values_reads_skills_output_bool(squad):
    text = "---\nname: w\n---\n## a\noutput: \n\nA.\n\n## b\nreads: \nskills: safe-bash,\nverify: \n\nB.\n"
    squad.write("workflows/w.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/w.workflow.md")
    assert labels(complete(res, snap, 4, 8)) == ["01_a.md", "false"]
    assert labels(complete(res, snap, 9, 7)) == ["01_a.md", "false"]
    skills = complete(res, snap, 10, 18)
    assert "safe-bash" not in labels(skills) and "minimal-diff" in labels(skills)
    assert by_label(skills, "minimal-diff").insert_text == " minimal-diff"
    assert labels(complete(res, snap, 11, 8)) == ["true", "false"]


def test_goal_placeholder(squad):
    text = "---\nname: w\n---\n## a\nrole: lead\n\nWork on {go} please\ntask: {\n"
    squad.write("workflows/w.workflow.md", text)
    snap = squad.snap()
    res = squad.res(snap, "workflows/w.workflow.md")
    items = complete(res, snap, 6, 11)
    assert labels(items) == ["{goal}"]
    assert items[0].replace == Span(6, 8, 6, 12)  # `{go}` including the closing brace


def test_config_keys_and_values(ws):
    ws.write("config.json", '{\n  "limits": {"maxTaskDepth": 3, },\n  "runtime": {"mode": ""},\n  "notifications": {"severityFilter": [""]}\n}\n')
    snap = ws.snap()
    res = ws.res(snap, "config.json")
    line = res.text.split("\n")[1]
    keys = complete(res, snap, 1, line.index("}"))
    assert "maxTaskDepth" not in labels(keys) and "maxConcurrentWorkers" in labels(keys)
    mcw = by_label(keys, "maxConcurrentWorkers")
    assert mcw.insert_text == '"maxConcurrentWorkers": $1' and mcw.snippet and mcw.detail == "integer"
    assert "Range: 1–1024" in mcw.documentation
    assert by_label(complete(res, snap, 1, line.index("}"), snippets=False), "allowUnboundedConcurrency").insert_text == '"allowUnboundedConcurrency": false'
    line2 = res.text.split("\n")[2]
    values = complete(res, snap, 2, line2.index('""') + 1)
    assert labels(values) == ['"auto"', '"scaffold"', '"child-process"', '"live-session"']
    assert values[0].replace == Span(2, line2.index('""'), 2, line2.index('""') + 2)
    line3 = res.text.split("\n")[3]
    assert labels(complete(res, snap, 3, line3.index('""') + 1)) == ['"info"', '"warning"', '"error"', '"critical"']
    top = labels(complete(res, snap, 0, 1))
    assert "limits" not in top and "reliability" in top


def test_config_completes_while_invalid(ws):
    ws.write("config.json", '{\n  "reliability": {\n    "retryPolicy": {"ma\n')
    snap = ws.snap()
    res = ws.res(snap, "config.json")
    items = complete(res, snap, 2, len('    "retryPolicy": {"ma'))
    assert labels(items) == ["maxAttempts", "backoffMs", "jitterRatio", "exponentialFactor", "retryableErrors"]
    assert items[0].replace == Span(2, 20, 2, 23) and items[0].insert_text == '"maxAttempts": $1'
