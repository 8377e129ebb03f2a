"""The run-end message (docs/editor.md, Messages): a client declaring
`experimental.crewRunEndMessages` shows the end of a run itself, from the final `crew/runUpdate`,
so the server does not send its own `window/showMessage` as well."""

from __future__ import annotations

from lsp_harness import AGENT, TEAM, WORKFLOW
from run_harness import start_run_session, stop_run_session

DOCS = {".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM, ".crew/workflows/docs.workflow.md": WORKFLOW}


async def _run_to_its_end(s) -> str:
    run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
    await s.until(lambda: any(u["status"] == "completed" for u in s.of("crew/runUpdate", run_id)), what="final crew/runUpdate")
    (token,) = s.tokens()
    await s.until(lambda: any(v["kind"] == "end" for v in s.progress_of(token)), what="progress end")
    await s.barrier()  # the end message would have gone out in the same flush as the final update
    return run_id


async def test_a_client_that_shows_run_ends_itself_gets_the_final_update_but_no_end_message(tmp_path):
    s = await start_run_session(tmp_path, DOCS, experimental={"crewRunEndMessages": True})
    try:
        await _run_to_its_end(s)
        assert s.of("showMessage") == []
    finally:
        await stop_run_session(s)


async def test_other_clients_still_get_the_end_message(tmp_path):
    s = await start_run_session(tmp_path, DOCS)
    try:
        run_id = await _run_to_its_end(s)
        (message,) = s.of("showMessage")
        assert "docs/docs completed" in message.message and run_id in message.message
    finally:
        await stop_run_session(s)
