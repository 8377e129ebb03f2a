"""Go to definition and find references."""

from __future__ import annotations

from pathlib import Path

from langkit import at

from crew_lsp.language.navigation import definition, references
from crew_lsp.language.types import Location
from crew_lsp.resources.text import Span

BUILTIN = Path(__file__).resolve().parents[2]


def test_definition_of_agents(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    scout = str(squad.crew / "agents/scout.md")
    assert definition(team, snap, *at(team, "agent=s|cout")) == [Location(scout, Span(1, 6, 1, 11))]
    # a role without `agent=` names its agent implicitly
    assert definition(team, snap, *at(team, "ex|ecutor")) == [Location(str(BUILTIN / "agents/executor.md"), Span(1, 6, 1, 14))]
    # a role with `agent=` does not jump from its name
    assert definition(team, snap, *at(team, "|lead")) == []


def test_definition_of_workflow_and_skills(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    wf = str(squad.crew / "workflows/flow.workflow.md")
    assert definition(team, snap, *at(team, ": f|low")) == [Location(wf, Span(1, 6, 1, 10))]
    skill = str(BUILTIN / "skills/safe-bash/SKILL.md")
    assert definition(team, snap, *at(team, "s|afe-bash")) == [Location(skill, Span(0, 0, 0, 0))]
    agent = squad.res(snap, "agents/scout.md")
    assert definition(agent, snap, *at(agent, "|safe-bash")) == [Location(skill, Span(0, 0, 0, 0))]


def test_definition_in_workflows(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    team = str(squad.crew / "teams/squad.team.md")
    assert definition(wf, snap, *at(wf, "role: c|hecker")) == [Location(team, Span(9, 2, 9, 9))]
    line, col = at(wf, "dependsOn: scan, b|uild")
    assert definition(wf, snap, line, col) == [Location(wf.path, Span(12, 3, 12, 8))]
    assert definition(wf, snap, *at(wf, "reads: s|can.md")) == [Location(wf.path, Span(7, 8, 7, 15))]


def test_references_of_an_agent(squad):
    squad.write("teams/other.team.md", "---\nname: other\n---\n- s: agent=scout\n- scout: no agent token\n")
    snap = squad.snap()
    agent = squad.res(snap, "agents/scout.md")
    other, team = str(squad.crew / "teams/other.team.md"), str(squad.crew / "teams/squad.team.md")
    expected = [
        Location(other, Span(3, 11, 3, 16)),
        Location(other, Span(4, 2, 4, 7)),
        Location(team, Span(7, 14, 7, 19)),
    ]
    assert references(agent, snap, *at(agent, "|scout"), include_declaration=False) == expected
    decl = Location(agent.path, Span(1, 6, 1, 11))
    assert references(agent, snap, *at(agent, "|name"), include_declaration=True) == [decl] + expected
    # from a reference in a team
    res = squad.res(snap, "teams/other.team.md")
    assert references(res, snap, *at(res, "agent=sc|out"), include_declaration=True) == [decl] + expected


def test_references_of_a_step_and_a_workflow(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    got = references(wf, snap, *at(wf, "## s|can"), include_declaration=True)
    assert got == [Location(wf.path, Span(5, 3, 5, 7)), Location(wf.path, Span(14, 11, 14, 15)), Location(wf.path, Span(21, 11, 21, 15))]
    team = str(squad.crew / "teams/squad.team.md")
    assert references(wf, snap, *at(wf, "name: f|low"), include_declaration=False) == [Location(team, Span(3, 17, 3, 21))]
    # from the team's defaultWorkflow
    res = squad.res(snap, "teams/squad.team.md")
    assert references(res, snap, *at(res, "defaultWorkflow: f|low"), include_declaration=True) == [Location(wf.path, Span(1, 6, 1, 10)), Location(team, Span(3, 17, 3, 21))]


def test_references_of_a_role(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    wf = str(squad.crew / "workflows/flow.workflow.md")
    assert references(team, snap, *at(team, "|lead"), include_declaration=True) == [Location(team.path, Span(7, 2, 7, 6)), Location(wf, Span(6, 6, 6, 10))]
