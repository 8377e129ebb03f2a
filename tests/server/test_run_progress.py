"""Run progress on the wire (docs/editor.md, Notifications): `$/progress`, coalesced `crew/runUpdate`,
`crew/health`, run-end messages, several runs at once, clients without `crewNotifications`."""

from __future__ import annotations

import asyncio

from lsp_harness import AGENT, TEAM, WORKFLOW
from lsprotocol import types as T
from run_harness import FAKE_PI_BIN, start_run_session, stop_run_session, team, workflow

DOCS = {".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM, ".crew/workflows/docs.workflow.md": WORKFLOW}
TERMINAL = {"completed", "failed", "cancelled", "skipped"}


async def _ended(session, token: str, timeout: float = 15.0) -> list[dict]:
    await session.until(lambda: any(v["kind"] == "end" for v in session.progress_of(token)), timeout, "progress end")
    return session.progress_of(token)


async def test_run_progress_sequence_run_update_health_and_end_message(tmp_path):
    s = await start_run_session(tmp_path, DOCS)
    try:
        result = await s.command("crew.run", {"team": "docs", "goal": "write the docs"})
        run_id = result["runId"]
        assert set(result) == {"runId"}
        await s.until(lambda: s.tokens(), what="workDoneProgress/create")
        (token,) = s.tokens()
        values = await _ended(s, token)
        # create comes first, then begin, reports, end — nothing else, nothing after end
        kinds = [v["kind"] for v in values]
        assert kinds[0] == "begin" and kinds[-1] == "end" and set(kinds[1:-1]) == {"report"} and len(kinds) >= 3
        order = [m for _, m, p in s.events if m == "create" or (m == "progress" and p[0] == token)]
        assert order[0] == "create"
        begin = values[0]
        assert begin["title"] == "Run docs/docs" and begin["percentage"] == 0 and begin["cancellable"] is True
        reports = values[1:-1]
        assert all(isinstance(r.get("percentage"), int) for r in reports)
        assert [r["percentage"] for r in reports] == sorted(r["percentage"] for r in reports)
        assert reports[-1] == {"kind": "report", "percentage": 100, "message": "Phase 4/4 finish: 100% (2/2)"}
        assert all(r["message"].startswith("Phase ") for r in reports)
        assert values[-1]["message"].startswith("completed (2/2 tasks")

        # crew/runUpdate: the spec shape, the final state of every task delivered
        await s.until(lambda: s.of("crew/health") and s.of("crew/health")[-1]["lastRun"], what="health lastRun")
        updates = s.of("crew/runUpdate", run_id)
        assert updates and set(updates[-1]) == {"runId", "status", "tasks", "progress"}
        final = updates[-1]
        assert final["status"] == "completed"
        assert [(t["id"], t["role"], t["status"]) for t in final["tasks"]] == [
            ("01_explore", "explorer", "completed"), ("02_write", "scribe", "completed")]
        assert all(set(t) == {"id", "status", "role", "heartbeat"} for t in final["tasks"])
        assert final["progress"]["percentage"] == 100 and final["progress"]["message"] == "Phase 4/4 finish: 100% (2/2)"

        health = s.of("crew/health")
        assert health[0]["activeRuns"] == 1
        assert health[-1] == {"activeRuns": 0, "levels": {"healthy": 0, "warn": 0, "stale": 0, "dead": 0},
                              "worst": "healthy", "lastRun": {"runId": run_id, "status": "completed"}}
        assert all(a != b for a, b in zip(health, health[1:]))  # sent on change only

        (message,) = s.of("showMessage")
        assert message.type == T.MessageType.Info and "docs/docs completed" in message.message and run_id in message.message
    finally:
        await stop_run_session(s)


def _many_steps(n: int) -> str:
    return workflow("many", [(f"s{i:03d}", "explorer", "", f"Part {i} of {{goal}}.") for i in range(n)])


async def test_case_32_two_hundred_tasks_coalesced_updates(tmp_path):
    files = {".crew/teams/wide.team.md": team("wide", ["explorer"], "many", max_concurrency=8),
             ".crew/workflows/many.workflow.md": _many_steps(200)}
    # real (tiny) processes through the user-level `command` worker: the run lasts a couple of seconds
    worker = {"runtime": "command", "command": ["sh", "-c", "cat >/dev/null; sleep 0.02; echo done"]}
    s = await start_run_session(tmp_path, files, init_options={"worker": worker})
    try:
        run_id = (await s.command("crew.run", {"team": "wide", "goal": "survey"}))["runId"]
        # no polling meanwhile: the client's own load would bunch up arrival times
        await s.until(lambda: s.of("showMessage"), timeout=30, what="run end message")
        await s.barrier()
        timed = s.timed("crew/runUpdate", run_id)
        times = [t for t, _ in timed]
        duration = times[-1] - times[0]
        # at most 4 per second: the server spaces them >= 250 ms apart; arrival times at the client
        # jitter (a busy test process reads two at once now and then), so the bounds are loose
        assert len(timed) >= 4  # updates did flow during the run, not just at its end
        assert len(timed) <= 4 * duration + 2, (len(timed), duration)
        assert all(b - a > 0.6 for a, b in zip(times, times[4:])), times
        last = timed[-1][1]
        assert last["status"] == "completed" and len(last["tasks"]) == 200
        assert all(t["status"] in TERMINAL for t in last["tasks"])
        assert last["progress"]["done"] == 200
        (token,) = s.tokens()
        values = await _ended(s, token)
        assert all("percentage" in v for v in values[:-1]) and values[-2]["percentage"] == 100
    finally:
        await stop_run_session(s)


async def test_two_runs_at_once_each_with_its_own_progress(tmp_path):
    files = {".crew/teams/pt.team.md": team("pt", ["explorer"], "pw", max_concurrency=2),
             ".crew/workflows/pw.workflow.md": workflow("pw", [
                 ("one", "explorer", "", "FAKE_PI: sleep=1"), ("two", "explorer", "one", "FAKE_PI: sleep=0.3")])}
    s = await start_run_session(tmp_path, files, env={"PI_TEAMS_PI_BIN": FAKE_PI_BIN},
                                init_options={"worker": {"runtime": "pi"}})
    try:
        first, second = await asyncio.gather(s.command("crew.run", {"goal": "first", "team": "pt"}),
                                             s.command("crew.run", {"goal": "second", "team": "pt"}))
        ids = {first["runId"], second["runId"]}
        assert len(ids) == 2
        await s.until(lambda: any(h["activeRuns"] == 2 for h in s.of("crew/health")), what="two active runs")
        views = [await s.run_until(r, timeout=20) for r in ids]
        assert [v["status"] for v in views] == ["completed", "completed"]
        assert all(v["manifest"]["runtime"]["kind"] == "pi" for v in views)
        a, b = ([t for t in v["tasks"] if t["id"] == "01_one"][0] for v in views)
        assert a["startedAt"] < b["finishedAt"] and b["startedAt"] < a["finishedAt"]  # they overlapped
        assert len(s.tokens()) == 2
        for token in s.tokens():
            values = await _ended(s, token)
            assert values[0]["title"] == "Run pt/pw" and values[-1]["message"].startswith("completed")
        for run_id in ids:
            assert s.of("crew/runUpdate", run_id)[-1]["status"] == "completed"
        await s.until(lambda: len(s.of("showMessage")) == 2, what="two end messages")
        status = await s.command("crew.status", {})
        assert {r["runId"] for r in status["runs"]} == ids and status["health"]["activeRuns"] == 0
    finally:
        await stop_run_session(s)


async def test_no_crew_notifications_without_the_experimental_capability(tmp_path):
    s = await start_run_session(tmp_path, DOCS, profile="neovim", crew=False)
    try:
        run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        await s.run_until(run_id)
        (token,) = s.tokens()
        values = await _ended(s, token)  # standard progress still works
        assert values[0]["kind"] == "begin" and values[-1]["kind"] == "end"
        await s.until(lambda: s.of("showMessage"), what="run end message")
        await asyncio.sleep(0.4)  # past the coalescing window
        await s.barrier()
        assert [m for _, m, _ in s.events if m.startswith("crew/")] == []
    finally:
        await stop_run_session(s)


async def test_no_progress_without_work_done_progress_support(tmp_path):
    s = await start_run_session(tmp_path, DOCS, profile="emacs", progress=False)
    try:
        run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        await s.run_until(run_id)
        await s.until(lambda: s.of("showMessage"), what="run end message")
        await s.barrier()
        assert s.tokens() == [] and s.client.progress_reports == {}
        assert s.of("crew/runUpdate", run_id)[-1]["status"] == "completed"
    finally:
        await stop_run_session(s)


async def test_heartbeat_level_changes_and_health(tmp_path):
    # a silent worker with a 500 ms stale threshold and a 1 s watcher tick: it turns `stale`
    files = {".crew/teams/pt.team.md": team("pt", ["explorer"], "pw"),
             ".crew/workflows/pw.workflow.md": workflow("pw", [("quiet", "explorer", "", "FAKE_PI: silent=2.5")]),
             ".crew/config.json": '{"limits": {"heartbeatStaleMs": 500}, "observability": {"pollIntervalMs": 1000}}'}
    s = await start_run_session(tmp_path, files, env={"PI_TEAMS_PI_BIN": FAKE_PI_BIN},
                                init_options={"worker": {"runtime": "pi"}})
    try:
        run_id = (await s.command("crew.run", {"team": "pt", "goal": "think quietly"}))["runId"]
        await s.until(lambda: any(h["levels"]["stale"] == 1 for h in s.of("crew/health")), timeout=10,
                      what="a stale worker in crew/health")
        beats = s.of("crew/heartbeat", run_id)
        assert beats and set(beats[-1]) == {"runId", "taskId", "level", "stalenessMs"}
        assert beats[-1]["taskId"] == "01_quiet" and beats[-1]["level"] == "stale" and beats[-1]["stalenessMs"] > 500
        assert all(a["level"] != b["level"] for a, b in zip(beats, beats[1:]))  # level changes only
        stale = next(h for h in s.of("crew/health") if h["levels"]["stale"] == 1)
        assert stale["activeRuns"] == 1 and stale["worst"] == "stale"
        assert (await s.run_until(run_id, timeout=15))["status"] == "completed"
        await s.until(lambda: s.of("crew/health")[-1]["activeRuns"] == 0, what="health after the run")
        assert s.of("crew/health")[-1]["worst"] == "healthy"
    finally:
        await stop_run_session(s)
