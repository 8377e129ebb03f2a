"""Fixtures of the editor-feature tests: a `.crew/` project next to the shipped builtins."""

from __future__ import annotations

from pathlib import Path

import pytest
from langkit import AGENT_SCOUT, TEAM_SQUAD, WORKFLOW_FLOW, WS


@pytest.fixture
def ws(tmp_path: Path) -> WS:
    (tmp_path / ".crew").mkdir()
    return WS(tmp_path)


@pytest.fixture
def squad(ws: WS) -> WS:
    ws.write("agents/scout.md", AGENT_SCOUT)
    ws.write("teams/squad.team.md", TEAM_SQUAD)
    ws.write("workflows/flow.workflow.md", WORKFLOW_FLOW)
    return ws
