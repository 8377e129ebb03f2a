"""Diagnostic export v2 (docs/runs.md, Diagnostic export): manifest, tasks, the last 200 events, a
heartbeat summary and a metrics snapshot, redacted, with a zip of the bundle and the run's events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from engine_helpers import PY, fast_options, steps

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.metrics_listener import MetricsListener
from crew_lsp.telemetry.metrics import CrewMetrics

SECRET = "ghp_" + "A" * 36
# the worker prints a secret (it lands in results and events) and the goal names one
LEAKY = f"{PY} -c \"import sys; sys.stdin.read(); print('auth_token=hunter2hunter2 {SECRET}')\""


def _value(snapshot: list[dict], name: str, labels: dict) -> float | None:
    for metric in snapshot:
        if metric["name"] == name:
            for s in metric["series"]:
                if s["labels"] == labels:
                    return s.get("value", s.get("count"))
    return None


def _team(ws, tasks: int) -> None:
    ws.team("t", ["executor"], workflow="w", max_concurrency=4)
    ws.workflow("w", steps(*[(f"s{i}", "executor", "", "x") for i in range(tasks)]))


async def test_the_bundle_has_schema_2_the_runs_figures_a_heartbeat_summary_and_the_last_200_events(ws):
    _team(ws, 80)  # 80 tasks: over 200 events
    async with RunManager(ws.root, runtime="command", worker_command=LEAKY, options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal=f"deploy with password={SECRET}", team="t"))
        path = Path(await runs.export_diagnostics(final.run_id))
    assert final.status == "completed"
    assert path.parent == ws.artifacts(final.run_id) / "diagnostic"
    bundle = json.loads(path.read_text())
    assert bundle["schemaVersion"] == 2 and bundle["runId"] == final.run_id
    assert bundle["manifest"]["runId"] == final.run_id and len(bundle["tasks"]) == 80
    assert len(bundle["events"]) == 200 and bundle["eventsTotal"] > 200
    assert bundle["events"][-1]["type"] == "run.completed"
    assert bundle["heartbeats"]["levels"] == {"healthy": 0, "warn": 0, "stale": 0, "dead": 0}
    assert bundle["heartbeats"]["thresholds"] == {"warnMs": 30_000, "staleMs": 60_000, "deadMs": 300_000}
    assert bundle["metricsSource"] == "events"  # replayed from every event, not only the last 200
    assert _value(bundle["metrics"], "crew_runs_total", {"status": "completed"}) == 1
    assert _value(bundle["metrics"], "crew_tasks_total", {"status": "completed", "role": "executor"}) == 80


async def test_no_secret_reaches_the_bundle_or_its_zip(ws):
    _team(ws, 2)
    async with RunManager(ws.root, runtime="command", worker_command=LEAKY, options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal=f"deploy with password={SECRET}", team="t"))
        path = Path(await runs.export_diagnostics(final.run_id))
    with zipfile.ZipFile(path.with_suffix(".zip")) as archive:
        assert sorted(archive.namelist()) == sorted([path.name, "events.jsonl"])
        texts = {name: archive.read(name).decode() for name in archive.namelist()}
    assert texts[path.name] == path.read_text()  # the zip holds the bundle as written
    assert len(texts["events.jsonl"].splitlines()) == json.loads(texts[path.name])["eventsTotal"]
    for name, text in texts.items():
        assert SECRET not in text and "hunter2" not in text, name
    assert "password=***" in texts[path.name]


async def test_a_session_passes_its_own_figures_to_the_bundle(ws):
    _team(ws, 1)
    metrics = CrewMetrics()
    async with RunManager(ws.root, options=fast_options()) as runs:
        runs.add_listener(MetricsListener(metrics))
        first = await runs.wait(await runs.start(goal="g", team="t"))
        await runs.wait(await runs.start(goal="g", team="t"))
        bundle = json.loads(Path(await runs.export_diagnostics(first.run_id, metrics)).read_text())
    assert bundle["metricsSource"] == "session"
    assert _value(bundle["metrics"], "crew_runs_total", {"status": "completed"}) == 2


def test_runs_export_prints_the_bundle_path(ws):
    _team(ws, 1)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cli = [sys.executable, "-m", "crew_lsp"]
    run = subprocess.run(cli + ["run", "--team", "t", "--cwd", str(ws.root), "--json", "go"], capture_output=True,
                         text=True, env=env, timeout=60)
    run_id = json.loads(run.stdout)["runId"]
    plain = subprocess.run(cli + ["runs", "export", run_id, "--cwd", str(ws.root)], capture_output=True, text=True,
                           env=env, timeout=60)
    assert plain.returncode == 0 and Path(plain.stdout.strip()).is_file()
    as_json = subprocess.run(cli + ["runs", "export", run_id, "--cwd", str(ws.root), "--json"], capture_output=True,
                             text=True, env=env, timeout=60)
    out = json.loads(as_json.stdout)
    assert out["runId"] == run_id and Path(out["path"]).is_file() and Path(out["zip"]).is_file()
    unknown = subprocess.run(cli + ["runs", "export", "nope", "--cwd", str(ws.root)], capture_output=True, text=True,
                             env=env, timeout=60)
    assert unknown.returncode == 2 and "unknown run nope" in unknown.stderr
