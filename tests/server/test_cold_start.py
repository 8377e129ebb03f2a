"""Cold start: every file is published once, in full, open documents first, and nothing typed meanwhile is lost."""

from __future__ import annotations

import pytest
from lsp_harness import start_session, stop_session

pytestmark = pytest.mark.asyncio

WORKFLOW = ".crew/workflows/docs.workflow.md"
WORKFLOW_TEXT = "---\nname: docs\ndescription: d\n---\n\n## a\nrole: explorer\n\nDo {goal}.\n"


def broken_teams(count: int, agent: str = "nobody") -> dict[str, str]:
    """`count` teams whose one role names an agent that does not exist (one diagnostic each)."""
    files = {f".crew/teams/t{i:03}.team.md": f"---\nname: t{i:03}\ndescription: d\ndefaultWorkflow: docs\n---\n"
             f"- explorer: agent={agent}{i} find\n" for i in range(count)}
    files[WORKFLOW] = WORKFLOW_TEXT
    return files


async def test_every_file_with_diagnostics_is_published_exactly_once_at_cold_start(tmp_path):
    files = broken_teams(200)  # more than one batch of checks
    s = await start_session(tmp_path, "vscode", files=files)
    try:
        teams = [rel for rel in files if rel.endswith(".team.md")]
        await s.until(lambda: all(s.publishes_for(rel) for rel in teams), what="every broken team published")
        await s.barrier()
        for rel in teams:
            (published,) = s.publishes_for(rel)  # once, with its one diagnostic
            assert [d.code for d in published.diagnostics] == ["CREW201"]
        assert not s.publishes_for(WORKFLOW)  # a file without diagnostics is not published at all
    finally:
        await stop_session(s)


async def test_diagnostics_published_together_arrive_intact_whatever_their_characters(tmp_path):
    # many sets written at once, with text outside ASCII: each message keeps its own, exact text
    files = broken_teams(120, agent="scrïbe-日本-")
    s = await start_session(tmp_path, "vscode", files=files)
    try:
        teams = sorted(rel for rel in files if rel.endswith(".team.md"))
        await s.until(lambda: all(s.publishes_for(rel) for rel in teams), what="every broken team published")
        for i, rel in enumerate(teams):
            (diagnostic,) = s.publishes_for(rel)[0].diagnostics
            assert f"scrïbe-日本-{i}" in diagnostic.message
    finally:
        await stop_session(s)


async def test_an_edit_typed_during_cold_start_is_not_lost(tmp_path):
    files = broken_teams(300)
    opened = ".crew/teams/t007.team.md"
    s = await start_session(tmp_path, "vscode", files=files)  # `initialized` is sent: indexing has begun
    try:
        s.open(opened)
        s.change(opened, (5, 18), (5, 25), "explorer")  # agent=nobody7 → agent=explorer (a builtin agent)
        await s.until(lambda: all(s.publishes_for(rel) for rel in files if rel.endswith(".team.md") and rel != opened),
                      what="the cold start's publishes")
        await s.hovers(opened, 0, 0)  # (answered once the folder is loaded; its publishes may come before, from a child)
        assert await s.diagnostics(opened) == []
        assert s.publishes_for(opened)  # (published once opened, even with nothing to show)
    finally:
        await stop_session(s)
