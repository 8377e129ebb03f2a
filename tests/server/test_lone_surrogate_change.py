"""A didChange carrying a lone UTF-16 surrogate: the document keeps being checked, with right columns."""

from __future__ import annotations

import pytest
from lsp_harness import PROFILES, start_session, stop_session

WORKFLOW = ".crew/workflows/docs.workflow.md"


@pytest.mark.parametrize("profile", PROFILES)
async def test_a_lone_surrogate_in_a_did_change_still_gives_diagnostics(tmp_path, profile):
    s = await start_session(tmp_path, profile)
    try:
        await s.ready()
        s.open(WORKFLOW)
        assert not [d for d in await s.diagnostics(WORKFLOW) if d.code == "CREW301"]
        s.change(WORKFLOW, (12, 12), (12, 12), "\ud800x")  # `role: scribe` becomes `role: scribe\ud800x`
        found = [d for d in await s.diagnostics(WORKFLOW) if d.code == "CREW301"]
        assert len(found) == 1
        span = found[0].range
        # the surrogate is one UTF-16 code unit: `scribe` (6) + it (1) + `x` (1)
        assert (span.start.line, span.start.character, span.end.line, span.end.character) == (12, 6, 12, 14)
        # and the document goes on being checked after it
        s.change(WORKFLOW, (12, 12), (12, 14), "")
        assert not [d for d in await s.diagnostics(WORKFLOW) if d.code == "CREW301"]
    finally:
        await stop_session(s)
