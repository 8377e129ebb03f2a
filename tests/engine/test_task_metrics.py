"""Metric lines from real workers (docs/runs.md, Metric lines): stored on the task, recorded as
`crew.task.metric` events, left out of the result, shown by the status views and the gauge."""

from __future__ import annotations

import json
import pytest
from engine_helpers import FAKE_PI_BIN, PY, fast_options, steps, user_config
from pydantic import ValidationError

from crew_lsp.engine import records
from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.metric_lines import MAX_TASK_METRICS
from crew_lsp.engine.metrics_listener import MetricsListener
from crew_lsp.telemetry.metrics import CrewMetrics
from crew_lsp.telemetry.snapshot import snapshot

WORKER = """\
import sys
print("running the suite")
print("CREW_METRIC tests=40", flush=True)
sys.stdout.write("CREW_METRIC tests=42\\r\\n")
print("CREW_METRIC coverage=81.5")
print("CREW_METRIC size=0x10")
print("All green.")
"""


def _worker(tmp_path, source: str) -> str:
    script = tmp_path / "worker.py"
    script.write_text(source)
    return f"{PY} {script}"


def _merged_events(events: list[dict]) -> dict:
    merged: dict = {}
    for e in events:
        if e["type"] == "crew.task.metric":
            merged.update(e["data"]["metrics"])
    return merged


async def test_command_worker_metric_lines_reach_the_task_its_events_and_the_status(ws, tmp_path):
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("check", "executor", "", "run the tests")))
    listener = MetricsListener(CrewMetrics())
    async with RunManager(ws.root, runtime="command", worker_command=_worker(tmp_path, WORKER), options=fast_options()) as runs:
        runs.add_listener(listener)
        run_id = await runs.start(goal="g", team="t")
        final = await runs.wait(run_id)
        status = (await runs.status(run_id)).to_json()
    assert final.status == "completed"
    task = ws.tasks(run_id)["01_check"]
    assert task["metrics"] == {"tests": 42, "coverage": 81.5}  # the last value wins; CRLF works
    assert status["tasks"][0]["metrics"] == {"tests": 42, "coverage": 81.5}
    assert final.tasks[0].metrics == {"tests": 42, "coverage": 81.5}
    events = ws.events(run_id)
    assert _merged_events(events) == {"tests": 42, "coverage": 81.5}
    metric_events = [e for e in events if e["type"] == "crew.task.metric"]
    assert all(e["taskId"] == "01_check" and e["metadata"]["attemptId"] == "01_check#1" for e in metric_events)
    # the result is the answer without its metric lines; a malformed one stays, with a note in the log
    result = (ws.artifacts(run_id) / "results" / "01_check.txt").read_text()
    assert result == "running the suite\nCREW_METRIC size=0x10\nAll green."
    log = (ws.artifacts(run_id) / "logs" / "01_check.log").read_text()
    assert "ignored a malformed metric line" in log and "CREW_METRIC size=0x10" in log
    gauge = {s["labels"]["name"]: s["value"] for m in snapshot(listener.metrics.registry) if m["name"] == "crew_task_metric"
             for s in m["series"]}
    assert gauge == {"tests": 42.0, "coverage": 81.5}


async def test_pi_worker_metric_lines_are_read_from_the_answer_and_left_out_of_it(ws, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)
    ws.team("t", ["explorer"], workflow="w")
    ws.workflow("w", steps(("look", "explorer", "", "FAKE_PI: reply=Looked metrics=files_read:12,score:0.75")))
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        final = await runs.wait(run_id)
    assert final.status == "completed"
    assert ws.tasks(run_id)["01_look"]["metrics"] == {"files_read": 12, "score": 0.75}
    assert (ws.artifacts(run_id) / "results" / "01_look.txt").read_text() == "Looked"


async def test_a_task_keeps_a_bounded_number_of_metric_names(ws, tmp_path):
    many = "".join(f'print("CREW_METRIC m{i}={i}")\n' for i in range(MAX_TASK_METRICS + 8))
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("many", "executor", "", "go")))
    async with RunManager(ws.root, runtime="command", worker_command=_worker(tmp_path, many + 'print("CREW_METRIC m0=99")\n'),
                          options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        await runs.wait(run_id)
    metrics = ws.tasks(run_id)["01_many"]["metrics"]
    assert len(metrics) == MAX_TASK_METRICS and metrics["m0"] == 99  # a known name still updates
    assert f"m{MAX_TASK_METRICS}" not in metrics
    assert "a task keeps 32 metrics" in (ws.artifacts(run_id) / "logs" / "01_many.log").read_text()


async def test_a_retried_task_shows_the_metrics_of_its_latest_attempt(ws, tmp_path):
    marker = tmp_path / "tried"
    source = (f"import pathlib, sys\nm = pathlib.Path({str(marker)!r})\n"
              "if not m.exists():\n    m.write_text('x')\n    print('CREW_METRIC first_only=1')\n    sys.exit(3)\n"
              "print('CREW_METRIC second=2')\n")
    user_config({"reliability": {"autoRetry": True}})  # a project config may not switch retries on
    ws.config({"reliability": {"retryPolicy": {"maxAttempts": 2, "backoffMs": 100, "retryableErrors": ["*"]}}})
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("flaky", "executor", "", "go")))
    async with RunManager(ws.root, runtime="command", worker_command=_worker(tmp_path, source), options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        final = await runs.wait(run_id)
    assert final.status == "completed"
    assert ws.tasks(run_id)["01_flaky"]["metrics"] == {"second": 2}


def test_stored_metrics_are_validated_like_every_task_field():
    def tasks_file(metrics) -> bytes:
        return json.dumps({"tasks": [{"id": "a", "status": "completed", "metrics": metrics}]}).encode()

    assert records.TASKS.validate_json(tasks_file({"tests": 42, "coverage": 81.5}))["tasks"][0]["metrics"] == {
        "tests": 42.0, "coverage": 81.5}
    for bad in ({"tests": "42"}, {"tests": True}, {"bad name": 1}, {f"m{i}": i for i in range(MAX_TASK_METRICS + 1)}):
        with pytest.raises(ValidationError):
            records.TASKS.validate_json(tasks_file(bad))


def test_runs_status_prints_the_metrics_in_text_and_json(ws, tmp_path, capsys):
    from crew_lsp.engine.cli import main

    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("check", "executor", "", "run the tests")))
    root = str(ws.root)
    assert main(["run", "--team", "t", "--runtime", "command", "--worker-command", _worker(tmp_path, WORKER),
                 "--cwd", root, "--json", "go"]) == 0
    run_id = json.loads(capsys.readouterr().out)["runId"]
    assert main(["runs", "status", run_id, "--cwd", root]) == 0
    assert "completed  tests=42 coverage=81.5" in capsys.readouterr().out
    assert main(["runs", "status", run_id, "--cwd", root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks"][0]["metrics"] == {"tests": 42.0, "coverage": 81.5}
