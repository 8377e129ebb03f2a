"""`crew-lsp metrics` after real `crew-lsp run`s (docs/telemetry.md, Command line): the JSONL files
each run session writes, read back as json, Prometheus text or tables; `--since`; `--serve`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

PY = sys.executable
ECHO = f"{PY} -c \"import sys; sys.stdin.read(); print('done')\""
FAN_OUT = """---
name: fan
description: plan, three workers, a review
---
## plan
role: planner

plan {goal}

## a
role: executor
dependsOn: plan

do a

## b
role: executor
dependsOn: plan

do b

## review
role: reviewer
dependsOn: a, b

review
"""


def crew(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([PY, "-m", "crew_lsp", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for sub in ("teams", "workflows"):
        (root / ".crew" / sub).mkdir(parents=True)
    (root / ".crew" / "teams" / "fan.team.md").write_text(
        "---\nname: fan\ndescription: fan out\ndefaultWorkflow: fan\n---\n"
        "- planner: agent=planner plans\n- executor: agent=executor does\n- reviewer: agent=reviewer reviews\n")
    (root / ".crew" / "workflows" / "fan.workflow.md").write_text(FAN_OUT)
    return root


def run_fan(project: Path) -> str:
    out = crew("run", "--team", "fan", "--runtime", "command", "--worker-command", ECHO, "--json", "go", cwd=project)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["runId"]


def value(snapshot: list[dict], name: str, labels: dict) -> float | None:
    for metric in snapshot:
        if metric["name"] == name:
            for s in metric["series"]:
                if s["labels"] == labels:
                    return s.get("value", s.get("count"))
    return None


def test_each_run_session_writes_its_figures_and_metrics_adds_the_sessions_up(project):
    run_fan(project)
    run_fan(project)
    day_files = list((project / ".crew" / "state" / "metrics").glob("*.jsonl"))
    assert len(day_files) == 1
    sessions = {json.loads(line)["session"] for line in day_files[0].read_text().splitlines()}
    assert len(sessions) == 2  # one line per session at its run's end
    out = crew("metrics", "--format", "json", cwd=project)
    assert out.returncode == 0, out.stderr
    snap = json.loads(out.stdout)
    assert value(snap, "crew_runs_total", {"status": "completed"}) == 2
    assert value(snap, "crew_tasks_total", {"status": "completed", "role": "executor"}) == 4
    assert value(snap, "crew_task_duration_seconds", {"role": "planner"}) == 2
    assert value(snap, "crew_run_duration_seconds", {"team": "fan"}) == 2
    (durations,) = [m for m in snap if m["name"] == "crew_task_duration_seconds"]
    assert all(s["p50"] is not None and s["p99"] is not None for s in durations["series"])


def test_without_telemetry_nothing_is_written_and_the_figures_come_from_the_run_events(project):
    (project / ".crew" / "config.json").write_text(json.dumps({"telemetry": {"enabled": False}}))
    run_fan(project)
    assert not (project / ".crew" / "state" / "metrics").exists()
    snap = json.loads(crew("metrics", "--format", "json", cwd=project).stdout)
    assert value(snap, "crew_runs_total", {"status": "completed"}) == 1
    assert value(snap, "crew_tasks_total", {"status": "completed", "role": "reviewer"}) == 1


def test_the_prometheus_format_is_the_exposition_text_and_a_filter_keeps_matching_names(project):
    run_fan(project)
    out = crew("metrics", "--format", "prometheus", "--filter", "crew_task*", cwd=project)
    assert out.returncode == 0, out.stderr
    assert 'crew_tasks_total{role="executor",status="completed"} 2.0' in out.stdout
    assert "crew_runs_total" not in out.stdout
    promtool = shutil.which("promtool")
    if promtool:
        check = subprocess.run([promtool, "check", "metrics"], input=out.stdout, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_table_shows_quantiles_and_the_totals_per_team_and_role(project):
    run_fan(project)
    out = crew("metrics", "--format", "table", cwd=project)
    assert out.returncode == 0, out.stderr
    for heading in ("crew metrics", "p50", "p95", "p99", "per team", "per role"):
        assert heading in out.stdout
    per_role = out.stdout[out.stdout.index("per role"):]
    assert "executor" in per_role and "planner" in per_role and "reviewer" in per_role


def _line(folder: Path, at: datetime, session: str, completed: int) -> None:
    record = {"exportedAt": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "session": session,
              "metrics": [{"name": "crew_runs_total", "type": "counter", "help": "Runs that ended.",
                           "series": [{"labels": {"status": "completed"}, "value": completed}]}]}
    with (folder / f"{at:%Y-%m-%d}.jsonl").open("a") as f:
        f.write(json.dumps(record) + "\n")


def test_since_counts_what_each_session_added_within_the_window(project):
    folder = project / ".crew" / "state" / "metrics"
    folder.mkdir(parents=True)
    now = datetime.now(timezone.utc)
    _line(folder, now - timedelta(days=3), "old", 4)  # a session entirely before the window
    _line(folder, now - timedelta(days=2), "long", 10)  # a long session: 10 runs before the window…
    _line(folder, now - timedelta(hours=2), "long", 13)  # …and 3 in it
    _line(folder, now - timedelta(hours=1), "new", 2)  # a session inside the window

    def completed(*args: str) -> float | None:
        out = crew("metrics", "--format", "json", *args, cwd=project)
        assert out.returncode == 0, out.stderr
        return value(json.loads(out.stdout), "crew_runs_total", {"status": "completed"})

    assert completed("--since", "1d") == 5
    assert completed("--since", "90m") == 2
    assert completed() == 4 + 13 + 2


def test_a_bad_since_is_a_usage_error(project):
    out = crew("metrics", "--since", "a week", cwd=project)
    assert out.returncode == 2 and "not a time span" in out.stderr


def test_serve_exposes_metrics_until_interrupted_and_a_port_in_use_is_a_clear_error(project):
    run_fan(project)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = crew("metrics", "--serve", str(port), cwd=project)
        assert busy.returncode == 2 and "already in use" in busy.stderr
    env = {**os.environ, "NO_COLOR": "1"}
    # started as a shell starts a background job: SIGINT ignored (the server stops on it all the same)
    proc = subprocess.Popen([PY, "-m", "crew_lsp", "metrics", "--serve", "127.0.0.1:0"], cwd=project, env=env,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        line = proc.stderr.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        url = line.split()[1]
        body = urllib.request.urlopen(url, timeout=10).read().decode()
        assert 'crew_runs_total{status="completed"} 1.0' in body
    finally:
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=30)  # reads the rest of stderr, so a full pipe cannot hold the exit
        assert proc.returncode == 0, rest
