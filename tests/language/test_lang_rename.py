"""Rename: step ids, roles, agents; builtins and bad names are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from langkit import apply, at, cursor

from crew_lsp.language.rename import prepare_rename, rename
from crew_lsp.language.types import RenameRefused, TextEdit
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.text import Span

BUILTIN = Path(__file__).resolve().parents[2]


def test_rename_step_updates_heading_and_depends_on(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    line, col = at(wf, "dependsOn: s|can, build")
    assert prepare_rename(wf, snap, line, col) == Span(line, 11, line, 15)
    edit = rename(wf, snap, line, col, "survey")
    assert list(edit.changes) == [wf.path]
    assert edit.changes[wf.path] == [
        TextEdit(Span(5, 3, 5, 7), "survey"),
        TextEdit(Span(14, 11, 14, 15), "survey"),
        TextEdit(Span(21, 11, 21, 15), "survey"),
    ]


def test_rename_step_keeps_its_implicit_role_and_default_output(ws):
    text, here = cursor("---\nname: w\n---\n## l|ead\noutput:\n\nA.\n\n## b\nrole: lead\ndependsOn: lead\nreads: 01_lead.md\n\nB.\n")
    ws.write("workflows/w.workflow.md", text)
    snap = ws.snap()
    wf = ws.res(snap, "workflows/w.workflow.md")
    edit = rename(wf, snap, *here, "scan")
    assert apply(wf.text, edit.changes[wf.path]) == (
        "---\nname: w\n---\n## scan\nrole: lead\noutput:\n\nA.\n\n## b\nrole: lead\ndependsOn: scan\nreads: 01_scan.md\n\nB.\n"
    )


def test_rename_step_refuses_bad_or_taken_ids(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    here = at(wf, "## s|can")
    for bad in ("two words", "a,b", ""):
        with pytest.raises(RenameRefused):
            rename(wf, snap, *here, bad)
    with pytest.raises(RenameRefused, match="already has a step `build`"):
        rename(wf, snap, *here, "build")


def test_rename_role_updates_workflow_and_keeps_the_implicit_agent(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    wf = squad.res(snap, "workflows/flow.workflow.md")
    here = at(team, "|executor")
    assert prepare_rename(team, snap, *here) == Span(8, 2, 8, 10)
    edit = rename(team, snap, *here, "builder")
    assert apply(team.text, edit.changes[team.path]).splitlines()[8] == "- builder: agent=executor implement it"
    assert edit.changes[wf.path] == [TextEdit(Span(13, 6, 13, 14), "builder")]
    # from the workflow's `role:` value: the same rename
    again = rename(wf, snap, *at(wf, "role: e|xecutor"), "builder")
    assert again.changes == edit.changes


def test_rename_role_adds_role_to_steps_named_after_it(ws):
    ws.write("teams/t.team.md", "---\nname: t\ndefaultWorkflow: w\n---\n- explorer: look\n")
    ws.write("workflows/w.workflow.md", "---\nname: w\n---\n## explorer\noutput: x.md\n\nLook.\n")
    snap = ws.snap()
    team = ws.res(snap, "teams/t.team.md")
    wf = ws.res(snap, "workflows/w.workflow.md")
    edit = rename(team, snap, *at(team, "- e|xplorer"), "scout")
    assert apply(team.text, edit.changes[team.path]) == "---\nname: t\ndefaultWorkflow: w\n---\n- scout: agent=explorer look\n"
    assert apply(wf.text, edit.changes[wf.path]) == "---\nname: w\n---\n## explorer\nrole: scout\noutput: x.md\n\nLook.\n"


def test_rename_agent_everywhere(squad):
    squad.write("teams/other.team.md", "---\nname: other\n---\n- s: agent=scout\n- scout\n")
    snap = squad.snap()
    agent = squad.res(snap, "agents/scout.md")
    team = squad.res(snap, "teams/squad.team.md")
    other = squad.res(snap, "teams/other.team.md")
    assert prepare_rename(team, snap, *at(team, "agent=s|cout")) == Span(7, 14, 7, 19)
    edit = rename(team, snap, *at(team, "agent=s|cout"), "finder")
    assert edit.changes[agent.path] == [TextEdit(Span(1, 6, 1, 11), "finder")]
    assert edit.changes[team.path] == [TextEdit(Span(7, 14, 7, 19), "finder")]
    assert apply(other.text, edit.changes[other.path]) == "---\nname: other\n---\n- s: agent=finder\n- scout: agent=finder\n"
    # from the agent file itself
    assert rename(agent, snap, *at(agent, "|scout"), "finder").changes == edit.changes


def test_rename_agent_without_name_key_inserts_one(ws):
    ws.write("agents/helper.md", "---\ndescription: helps\n---\nHelp.\n")
    ws.write("teams/t.team.md", "---\nname: t\n---\n- h: agent=helper\n")
    snap = ws.snap()
    team = ws.res(snap, "teams/t.team.md")
    agent = ws.res(snap, "agents/helper.md")
    edit = rename(team, snap, *at(team, "agent=he|lper"), "aide")
    assert apply(agent.text, edit.changes[agent.path]) == "---\nname: aide\ndescription: helps\n---\nHelp.\n"
    with pytest.raises(RenameRefused, match="already exists"):
        rename(team, snap, *at(team, "agent=he|lper"), "Explorer")


def test_rename_refuses_builtins_and_empty_positions(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    with pytest.raises(RenameRefused, match="builtin agent"):
        prepare_rename(team, snap, *at(team, "agent=v|erifier"))
    with pytest.raises(RenameRefused, match="Nothing to rename"):
        prepare_rename(team, snap, *at(team, "|map the code"))
    builtin = Index.load(Workspace.discover(BUILTIN)).snapshot
    wf = builtin.workflows["default"]
    with pytest.raises(RenameRefused, match="builtin"):
        prepare_rename(wf, builtin, *at(wf, "## p|lan"))
    bteam = builtin.teams["default"]
    with pytest.raises(RenameRefused, match="builtin"):
        rename(bteam, builtin, *at(bteam, "|planner"), "boss")
    # a project role used by a builtin workflow cannot be renamed either
    squad.write("teams/mine.team.md", "---\nname: mine\ndefaultWorkflow: default\n---\n- explorer: agent=scout\n- planner\n- executor\n- verifier\n")
    snap = squad.snap()
    mine = squad.res(snap, "teams/mine.team.md")
    with pytest.raises(RenameRefused, match="builtin workflow `default`"):
        prepare_rename(mine, snap, *at(mine, "|explorer"))


def test_rename_refuses_a_shadowed_agent_file(ws):
    ws.write("agents/executor.md", "---\nname: executor\ndescription: mine\n---\nBody.\n")
    snap = ws.snap()
    res = ws.res(snap, "agents/executor.md")
    with pytest.raises(RenameRefused, match="is ignored"):
        prepare_rename(res, snap, *at(res, "name: e|xecutor"))
