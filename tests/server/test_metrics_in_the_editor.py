"""The session's metrics in the editor (docs/telemetry.md, In the editor): `crew.metrics` in both
formats, the request histogram, `crew/metrics` during runs, `/metrics` over HTTP, the JSONL sink."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import urllib.request
from pathlib import Path

from lsp_harness import AGENT, TEAM, WORKFLOW
from run_harness import RunSession, start_run_session, stop_run_session

DOCS = {".crew/agents/scribe.md": AGENT, ".crew/teams/docs.team.md": TEAM, ".crew/workflows/docs.workflow.md": WORKFLOW}
# a worker that answers once the test creates its release file (argv[1])
WAITING_WORKER = ("import os, sys, time\nsys.stdin.read()\n"
                  "while not os.path.exists(sys.argv[1]): time.sleep(0.02)\nprint('done')")


def _series(snapshot: list[dict], name: str) -> list[dict]:
    return next((m["series"] for m in snapshot if m["name"] == name), [])


def _value(snapshot: list[dict], name: str, **labels: str) -> float:
    return sum(s.get("value", s.get("count", 0)) for s in _series(snapshot, name)
               if all(s["labels"].get(k) == v for k, v in labels.items()))


async def _metrics(s: RunSession, **args: str) -> list[dict]:
    return (await s.command("crew.metrics", args))["metrics"]


def _waiting_worker(release: Path) -> dict:
    return {"runtime": "command", "command": [sys.executable, "-c", WAITING_WORKER, str(release)]}


async def test_crew_metrics_answers_the_snapshot_as_json_filtered_by_glob_and_as_prometheus_text(tmp_path):
    s = await start_run_session(tmp_path, DOCS, crew=False)
    try:
        everything = await _metrics(s)
        names = {m["name"] for m in everything}
        assert {"crew_runs_total", "crew_tasks_total", "crew_task_duration_seconds", "crew_lsp_request_seconds",
                "crew_lsp_documents", "crew_active_runs"} <= names
        histogram = next(m for m in everything if m["name"] == "crew_lsp_request_seconds")
        assert histogram["type"] == "histogram"
        assert all({"count", "sum", "buckets", "p50", "p95", "p99"} <= set(series) for series in histogram["series"])

        only_server = await _metrics(s, filter="crew_lsp_*")
        assert {m["name"] for m in only_server} == {"crew_lsp_request_seconds", "crew_lsp_documents"}

        text = await s.command("crew.metrics", {"format": "prometheus", "filter": "crew_runs*"})
        assert "# TYPE crew_runs_total counter" in text and "crew_lsp_request_seconds" not in text

        s.open(".crew/teams/docs.team.md")
        await s.barrier()
        assert _value(await _metrics(s, filter="crew_lsp_documents"), "crew_lsp_documents") == 1
    finally:
        await stop_run_session(s)


async def test_a_bad_metrics_format_is_an_invalid_params_error_naming_it(tmp_path):
    from pygls.exceptions import JsonRpcException

    s = await start_run_session(tmp_path, DOCS, crew=False)
    try:
        try:
            await s.command("crew.metrics", {"format": "xml"})
        except JsonRpcException as exc:
            assert exc.code == -32602 and "argument `format`" in exc.message
        else:
            raise AssertionError("crew.metrics accepted format xml")
    finally:
        await stop_run_session(s)


async def test_the_request_histogram_counts_every_request_handled(tmp_path):
    s = await start_run_session(tmp_path, DOCS, crew=False)
    try:
        before = _value(await _metrics(s), "crew_lsp_request_seconds", method="textDocument/hover")
        for _ in range(3):
            await s.barrier()  # a hover
        after = _value(await _metrics(s), "crew_lsp_request_seconds", method="textDocument/hover")
        assert after == before + 3
        # commands are timed too: this third crew.metrics sees the two before it
        assert _value(await _metrics(s), "crew_lsp_request_seconds", method="workspace/executeCommand") == 2
    finally:
        await stop_run_session(s)


async def test_crew_metrics_notifications_arrive_during_a_run_only_for_clients_that_declare_them(tmp_path):
    release = tmp_path / "release"
    worker = {"worker": _waiting_worker(release)}
    quiet = await start_run_session(tmp_path / "quiet", DOCS, crew=False, init_options=worker)
    told = await start_run_session(tmp_path / "told", DOCS, crew=True, init_options=worker)
    try:
        quiet_run = (await quiet.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        told_run = (await told.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        # the run that started later is reported during its run, so the earlier one ran as long
        during = await told.until(lambda: told.of("crew/metrics"), what="crew/metrics during the run")
        assert (await told.command("crew.status", {"runId": told_run}))["active"] is True
        assert _value(during[0]["metrics"], "crew_active_runs") == 1
        release.touch()
        await told.run_until(told_run)
        await quiet.run_until(quiet_run)
        # after the last run ended, the final figures once more
        await told.until(lambda: _value(told.of("crew/metrics")[-1]["metrics"], "crew_runs_total", status="completed") == 1,
                         what="crew/metrics with the finished run")
        await quiet.barrier()
        assert [m for _, m, _ in quiet.events if m.startswith("crew/")] == []
    finally:
        await stop_run_session(told)
        await stop_run_session(quiet)


async def test_metrics_serve_exposes_the_registry_on_loopback(tmp_path):
    s = await start_run_session(tmp_path, DOCS, crew=False, init_options={"metrics": {"serve": "127.0.0.1:0"}})
    try:
        doctor = await s.command("crew.doctor", {})
        (check,) = [c for c in doctor["checks"] if c["name"] == "metrics endpoint bindable"]
        assert check["ok"] is True and check["detail"].startswith("serving http://127.0.0.1:")
        url = check["detail"].removeprefix("serving ")
        body = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read().decode())
        assert "# TYPE crew_lsp_request_seconds histogram" in body and "crew_runs_total" in body
    finally:
        await stop_run_session(s)


async def test_a_metrics_port_in_use_is_an_error_message_and_the_server_goes_on(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        s = await start_run_session(tmp_path, DOCS, crew=False, init_options={"metrics": {"serve": f"127.0.0.1:{port}"}})
        try:
            doctor = await s.command("crew.doctor", {})
            (check,) = [c for c in doctor["checks"] if c["name"] == "metrics endpoint bindable"]
            assert check["ok"] is False and doctor["ok"] is False
            (shown,) = [m for m in s.client.messages if "metrics.serve" in m.message]
            assert shown.type == 1 and f"127.0.0.1:{port}" in shown.message and "already in use" in shown.message
            assert await s.command("crew.metrics", {"filter": "crew_runs_total"})  # the server is still there
        finally:
            await stop_run_session(s)


def _metric_files(root: Path) -> list[Path]:
    return sorted((root / ".crew" / "state" / "metrics").glob("*.jsonl"))


async def test_a_finished_run_appends_the_snapshot_to_the_day_file_of_the_jsonl_sink(tmp_path):
    s = await start_run_session(tmp_path, DOCS, crew=False)
    try:
        run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        await s.run_until(run_id)
        (day,) = await s.until(lambda: _metric_files(s.root), what="the metrics day file")
        record = json.loads(day.read_text().splitlines()[-1])
        assert set(record) == {"exportedAt", "session", "metrics"} and day.name == record["exportedAt"][:10] + ".jsonl"
        assert _value(record["metrics"], "crew_runs_total", status="completed") == 1
        assert _value(record["metrics"], "crew_tasks_total", status="completed") == 2
    finally:
        await stop_run_session(s)


async def test_no_jsonl_file_when_the_user_config_turns_telemetry_off(tmp_path):
    user_root = tmp_path / "home" / ".pi" / "agent"  # PI_TEAMS_HOME of the server under test
    user_root.mkdir(parents=True)
    (user_root / "pi-crew.json").write_text(json.dumps({"telemetry": {"enabled": False}}))
    s = await start_run_session(tmp_path, DOCS, crew=False)
    try:
        run_id = (await s.command("crew.run", {"team": "docs", "goal": "write the docs"}))["runId"]
        await s.run_until(run_id)
        assert _value(await _metrics(s), "crew_runs_total", status="completed") == 1  # measured, not written
    finally:
        await stop_run_session(s)  # the server has exited: every export it started has finished
    assert _metric_files(s.root) == []
