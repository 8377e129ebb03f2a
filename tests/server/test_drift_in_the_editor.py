"""CREW510 in the editor: the user config, once open, is checked against the workspace's agents, and re-checked
when those agents change."""

from __future__ import annotations

from lsp_harness import start_session, stop_session
from lsprotocol import types as T

import pytest


@pytest.mark.parametrize("profile", ["vscode", "neovim"])
async def test_an_open_user_config_shows_overrides_that_name_no_agent(tmp_path, profile):
    config = tmp_path / "home" / ".pi" / "agent" / "pi-crew.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"agents": {"overrides": {"scribe": {"thinking": "high"}, "scrib": {"disabled": true}}}}\n')
    s = await start_session(tmp_path, profile)
    try:
        await s.ready()
        rel = "../home/.pi/agent/pi-crew.json"
        s.open(rel)

        async def codes():
            found = [(d.code, d.message.split(";")[0]) for d in await s.diagnostics(rel)]
            return found or None

        assert await s.until(codes) == [("CREW510", "`agents.overrides.scrib` names no agent")]
        # the agent `scribe` is renamed: its override names nothing any more
        agent = s.path(".crew/agents/scribe.md")
        agent.write_text(agent.read_text().replace("name: scribe", "name: penman"))
        s.watched((".crew/agents/scribe.md", T.FileChangeType.Changed))

        async def both():
            found = sorted(d.message.split(";")[0] for d in await s.diagnostics(rel))
            return found if len(found) == 2 else None

        assert await s.until(both) == ["`agents.overrides.scrib` names no agent", "`agents.overrides.scribe` names no agent"]
    finally:
        await stop_session(s)
