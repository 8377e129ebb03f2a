"""`diagnostics.delayMs` (docs/editor.md, Settings): a change to a document that was idle is checked and
published at once; only a burst of changes (each less than `delayMs` after the previous one) is
coalesced, and the burst always ends with a publish of the final text's diagnostics."""

from __future__ import annotations

from lsp_harness import start_session, stop_session

BROKEN = ".crew/teams/broken.team.md"
AGENT_AT = ((6, 16), (6, 21))  # `scrib` in `- scribe: agent=scrib write the docs`


def _unknown_agents(session) -> list[str]:
    """The unknown agent each pushed CREW201 of the broken team names."""
    return [d.message.split("unknown agent `")[1].split("`")[0] for d in session.pushed(BROKEN) if d.code == "CREW201"]


async def test_an_edit_to_an_idle_document_publishes_without_waiting_for_the_delay(tmp_path):
    # a delay far longer than the wait below: the publish can only come from the leading edge
    s = await start_session(tmp_path, "vscode", init_options={"diagnostics": {"delayMs": 60_000}})
    try:
        await s.ready()
        s.open(BROKEN)
        await s.barrier()
        mark = len(s.publishes)
        s.change(BROKEN, *AGENT_AT, "nobody")
        await s.until(lambda: s.publishes_for(BROKEN, mark), timeout=20, what="the edit's publish")
        assert _unknown_agents(s) == ["nobody"]
    finally:
        await stop_session(s)


async def test_a_burst_of_edits_is_coalesced_and_ends_with_the_final_texts_diagnostics(tmp_path):
    s = await start_session(tmp_path, "vscode", init_options={"diagnostics": {"delayMs": 1_000}})
    try:
        await s.ready()
        s.open(BROKEN)
        await s.barrier()
        mark = len(s.publishes)
        # typed one letter at a time: every intermediate text has a diagnostic set of its own
        s.change(BROKEN, *AGENT_AT, "q")
        for end, letter in enumerate("wxyz", start=17):
            s.change(BROKEN, (6, end), (6, end), letter)
        await s.until(lambda: _unknown_agents(s) == ["qwxyz"], timeout=20, what="the burst's final diagnostics")
        # at most the leading publish (the first letter) and the trailing one: the letters between are coalesced
        assert 1 <= len(s.publishes_for(BROKEN, mark)) <= 2
        await s.barrier()
        assert _unknown_agents(s) == ["qwxyz"]
    finally:
        await stop_session(s)
