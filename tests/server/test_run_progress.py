"""Run progress on the wire (docs/editor.md, Notifications): `$/progress`, coalesced `crew/runUpdate`,
`crew/health`, heartbeats, run-end messages, several runs at once, clients without `crewNotifications`."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timezone

from lsp_harness import AGENT, TEAM, WORKFLOW
from lsprotocol import types as T
from run_harness import CREW_METHODS, FAKE_PI_BIN, start_run_session, stop_run_session, team, workflow

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
        assert health[-1] == {"activeRuns": 0, "levels": {"healthy": 0, "warn": 0, "stale": 0, "dead": 0},
                              "worst": "healthy", "lastRun": {"runId": run_id, "status": "completed"}}
        assert all(a != b for a, b in zip(health, health[1:]))  # sent on change only

        (message,) = s.of("showMessage")
        assert message.type == T.MessageType.Info and "docs/docs completed" in message.message and run_id in message.message
    finally:
        await stop_run_session(s)


def _many_steps(n: int) -> str:
    return workflow("many", [(f"s{i:03d}", "explorer", "", f"Part {i} of {{goal}}.") for i in range(n)])


async def test_two_hundred_task_run_sends_coalesced_updates_and_always_the_final_state(tmp_path):
    files = {".crew/teams/wide.team.md": team("wide", ["explorer"], "many", max_concurrency=8),
             ".crew/workflows/many.workflow.md": _many_steps(200)}
    # real (tiny) processes through the user-level `command` worker: the run lasts a couple of seconds
    worker = {"runtime": "command", "command": ["sh", "-c", "cat >/dev/null; sleep 0.02; echo done"]}
    s = await start_run_session(tmp_path, files, init_options={"worker": worker})
    try:
        run_id = (await s.command("crew.run", {"team": "wide", "goal": "survey"}))["runId"]
        await s.until(lambda: s.of("showMessage"), timeout=60, what="run end message")
        await s.barrier()
        timed = s.timed("crew/runUpdate", run_id)
        # 200 tasks make 400 task state changes; coalescing sends a small fraction of them (the
        # 4-per-second spacing itself is measured by bench/lsp.py, not asserted here)
        assert 2 <= len(timed) < 100, len(timed)
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
        # the run's last flush sends its end message; crew/* would have gone out with or before it
        # (health, heartbeat and metrics are never scheduled for this client), and the barrier
        # makes sure everything sent before is in
        await s.until(lambda: s.of("showMessage"), what="run end message")
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


# A worker that prints, goes quiet until the test creates `wake`, prints again, and ends when the
# test creates `finish` (it polls for the files: the test itself never sleeps).
QUIET_WORKER = """
import pathlib, sys, time
sys.stdin.read()
here = pathlib.Path(sys.argv[1])
def wait_for(name):
    while not (here / name).exists():
        time.sleep(0.05)
print("thinking", flush=True)
wait_for("wake")
print("awake again", flush=True)
wait_for("finish")
print("done", flush=True)
"""


async def test_a_worker_gone_quiet_turns_warn_then_stale_and_healthy_again_when_it_prints(tmp_path):
    # heartbeatStaleMs 2000: warn after 1 s of silence, stale after 2 s; only output refreshes the beat
    (tmp_path / "quiet.py").write_text(QUIET_WORKER)
    files = {".crew/teams/qt.team.md": team("qt", ["explorer"], "qw"),
             ".crew/workflows/qw.workflow.md": workflow("qw", [("quiet", "explorer", "", "think")]),
             ".crew/config.json": '{"limits": {"heartbeatStaleMs": 2000}, "observability": {"pollIntervalMs": 1000}}'}
    command = [sys.executable, str(tmp_path / "quiet.py"), str(tmp_path)]
    s = await start_run_session(tmp_path, files, init_options={"worker": {"runtime": "command", "command": command}})
    try:
        run_id = (await s.command("crew.run", {"team": "qt", "goal": "think quietly"}))["runId"]

        def levels() -> list[str]:
            return [b["level"] for b in s.of("crew/heartbeat", run_id)]

        await s.until(lambda: "stale" in levels(), timeout=15, what="the quiet worker turning stale")
        assert levels()[-2:] == ["warn", "stale"]
        (tmp_path / "wake").touch()
        await s.until(lambda: levels()[-1] == "healthy", timeout=15, what="healthy again after output")
        (tmp_path / "finish").touch()
        assert (await s.run_until(run_id, timeout=15))["status"] == "completed"
        assert "dead" not in levels()
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


async def test_the_deadletter_alert_counts_entries_on_disk_from_every_process(tmp_path):
    # three entries from earlier runs (the CLI, a server before a restart) plus one from this run: 4 > 3
    earlier = [json.dumps({"taskId": "01_x", "runId": "team_20260101000000_0000000000000000", "reason": "max-retries",
                           "timestamp": datetime.now(timezone.utc).isoformat()}) for _ in range(3)]
    files = {".crew/teams/ft.team.md": team("ft", ["executor"], "fw"),
             ".crew/workflows/fw.workflow.md": workflow("fw", [("fail", "executor", "", "x")]),
             ".crew/state/runs/team_20260101000000_0000000000000000/deadletter.jsonl": "\n".join(earlier) + "\n"}
    home = tmp_path / "home" / ".pi" / "agent"
    home.mkdir(parents=True)  # retries are a user choice: project config cannot turn them on
    (home / "pi-crew.json").write_text('{"reliability": {"autoRetry": true, "retryPolicy": {"maxAttempts": 1}}}')
    failing = [sys.executable, "-c", "import sys; sys.stdin.read(); sys.exit(3)"]
    s = await start_run_session(tmp_path, files, init_options={"worker": {"runtime": "command", "command": failing}})
    try:
        run_id = (await s.command("crew.run", {"team": "ft", "goal": "fail"}))["runId"]
        assert (await s.run_until(run_id))["status"] == "failed"
        def alerts() -> list[T.ShowMessageParams]:
            return [m for m in s.of("showMessage") if "deadletter" in m.message]

        await s.until(alerts, what="deadletter alert")
        (alert,) = alerts()
        assert alert.type == T.MessageType.Error and alert.message.startswith("crew: 4 tasks went to the deadletter queue")
    finally:
        await stop_run_session(s)


async def test_notifications_of_a_run_follow_its_answer_begin_precedes_updates_and_nothing_repeats(tmp_path):
    files = {".crew/teams/nt.team.md": team("nt", ["explorer"], "nw", max_concurrency=2),
             ".crew/workflows/nw.workflow.md": _many_steps(8).replace("name: many", "name: nw")}
    worker = {"runtime": "command", "command": ["sh", "-c", "cat >/dev/null; sleep 0.05; echo done"]}
    s = await start_run_session(tmp_path, files, init_options={"worker": worker})
    try:
        s.events.clear()
        run_id = (await s.command("crew.run", {"team": "nt", "goal": "survey"}))["runId"]
        await s.run_until(run_id)
        await s.until(lambda: s.of("crew/health") and s.of("crew/health")[-1]["activeRuns"] == 0, what="final health")
        await s.barrier()
        kinds = [m for _, m, _ in s.events if m in ("response", "create", "progress", *CREW_METHODS)]
        # crew.run is answered first; then the progress token, its begin, and only then run updates
        assert kinds[0] == "response"
        (token,) = s.tokens()
        progress = [(m, p) for _, m, p in s.events if m == "progress" and p[0] == token]
        first_update = next(i for i, (_, m, _) in enumerate(s.events) if m == "crew/runUpdate")
        begin = next(i for i, (_, m, p) in enumerate(s.events) if m == "progress" and p[1]["kind"] == "begin")
        assert begin < first_update
        reports = [p[1] for _, p in progress if p[1]["kind"] == "report"]
        assert reports and not reports[0]["message"].startswith("Phase 1/4")  # begin said "starting" already

        updates = s.of("crew/runUpdate", run_id)
        assert all(a != b for a, b in zip(updates, updates[1:]))  # never the same update twice in a row
        for update in updates:  # a running task always has a heartbeat level, finished ones none
            assert all((t["heartbeat"] is not None) == (t["status"] == "running") for t in update["tasks"])
        health = s.of("crew/health")
        assert all(a != b for a, b in zip(health, health[1:]))
        for h in health:  # the level counts are the running tasks: at most the run's concurrency
            assert sum(h["levels"].values()) <= 2 * h["activeRuns"]
            assert h["activeRuns"] > 0 or sum(h["levels"].values()) == 0
        assert [h["activeRuns"] for h in health].count(0) == 1 and health[-1]["activeRuns"] == 0
    finally:
        await stop_run_session(s)
