"""`crew.teams`: the teams an editor offers in its pickers, each with its description (docs/editor.md, Commands)."""

from __future__ import annotations

import pytest
from pygls.exceptions import JsonRpcException


async def test_teams_lists_every_effective_team_with_its_description_scope_file_and_default_workflow(session):
    result = await session.command("crew.teams", {})
    teams = {team["name"]: team for team in result["teams"]}
    assert [team["name"] for team in result["teams"]] == sorted(teams), "sorted by name"
    docs = session.root.resolve() / ".crew" / "teams" / "docs.team.md"
    assert teams["docs"] == {"name": "docs", "description": "Explores and writes documentation", "scope": "project",
                             "path": str(docs), "defaultWorkflow": "docs"}
    # the builtin teams are offered too (a project file of the same name would replace one)
    assert teams["default"]["scope"] == "builtin" and teams["default"]["description"]


async def test_teams_takes_no_argument_but_the_folder(session):
    with pytest.raises(JsonRpcException) as err:
        await session.command("crew.teams", {"team": "docs"})
    assert err.value.code == -32602 and "argument `team` is not a known argument" in err.value.message
    result = await session.command("crew.teams", {"folder": session.root.as_uri()})
    assert "docs" in [team["name"] for team in result["teams"]]
