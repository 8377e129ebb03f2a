"""`crew-lsp doctor` (README.md, Command line): one ✓/✗ line per check, exit 1 when one fails."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE_PI = ROOT / "tests" / "fake_pi.py"


def doctor(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("CREW_RUNTIME", "CREW_WORKER_COMMAND", "PI_TEAMS_PI_BIN")}
    return subprocess.run([sys.executable, "-m", "crew_lsp", "doctor", *args], cwd=cwd, env={**environ, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / ".crew").mkdir()
    return root


def lines(out: subprocess.CompletedProcess) -> dict[str, str]:
    """{check name: '✓' or '✗'}"""
    found = {}
    for line in out.stdout.splitlines():
        mark, rest = line.split(" ", 1)
        found[rest.split(":", 1)[0]] = mark
    return found


def test_a_ready_workspace_passes_every_check(project):
    out = doctor(cwd=project)
    assert out.returncode == 0, out.stdout + out.stderr
    assert lines(out) == {"repo root": "✓", "crew root": "✓", "user root": "✓", "builtin root": "✓", "pi-crew version": "✓", "config drift": "✓", "runtime": "✓",
                          "worker program": "✓", "state writable": "✓", "interrupted runs": "✓"}
    assert "✓ runtime: scaffold (default: no worker configured)" in out.stdout


def test_agent_overrides_naming_no_agent_are_listed_as_drift(project, tmp_path):
    home = tmp_path / "home"
    config = home / ".pi" / "agent" / "pi-crew.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"agents": {"overrides": {"planer": {"thinking": "high"}, "executor": {"thinking": "low"}}}}')
    out = doctor(cwd=project, PI_TEAMS_HOME=str(home))
    assert out.returncode == 1
    assert f"✗ config drift: {config}:1: `agents.overrides.planer` names no agent — did you mean `planner`?" in out.stdout
    assert "executor" not in out.stdout


def test_overrides_of_builtins_hidden_by_disable_builtins_are_noted_without_failing(project, tmp_path):
    home = tmp_path / "home"
    config = home / ".pi" / "agent" / "pi-crew.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"agents": {"disableBuiltins": true, "overrides": {"planner": {"thinking": "high"}}}}')
    out = doctor(cwd=project, PI_TEAMS_HOME=str(home))
    assert out.returncode == 0, out.stdout
    assert "✓ config drift: " in out.stdout and "override of `planner` has no effect" in out.stdout


def test_a_worker_command_that_is_not_installed_fails_with_exit_1(project):
    out = doctor(cwd=project, CREW_WORKER_COMMAND="surely-not-installed-crew-worker --flag")
    assert out.returncode == 1
    assert "✓ runtime: command (CREW_WORKER_COMMAND" in out.stdout
    assert "✗ worker program: 'surely-not-installed-crew-worker' not found on PATH" in out.stdout


def test_the_pi_runtime_is_found_through_pi_teams_pi_bin_or_reported_missing(project):
    found = doctor("--runtime", "pi", cwd=project, PI_TEAMS_PI_BIN=str(FAKE_PI), PATH="/usr/bin:/bin")
    assert lines(found)["worker program"] == "✓" and str(FAKE_PI) in found.stdout
    missing = doctor("--runtime", "pi", cwd=project, PATH=str(project))
    assert missing.returncode == 1
    assert "✗ runtime: runtime 'pi' but no `pi` on PATH (set PI_TEAMS_PI_BIN)" in missing.stdout


def test_a_metrics_address_in_use_is_a_failed_check(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = doctor("--serve-check", f"127.0.0.1:{port}", "--json", cwd=project)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    (check,) = [c for c in report["checks"] if c["name"] == "metrics endpoint"]
    assert report["ok"] is False and check["ok"] is False and "in use" in check["detail"]


def test_a_crew_root_leading_out_of_the_workspace_cannot_hold_state(project, tmp_path):
    (project / ".crew").rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".crew").symlink_to(elsewhere, target_is_directory=True)
    out = doctor(cwd=project)
    assert out.returncode == 1 and lines(out)["state writable"] == "✗"


def test_an_interrupted_run_waiting_for_a_decision_is_reported(project, tmp_path):
    (project / ".crew" / "teams").mkdir()
    (project / ".crew" / "teams" / "t.team.md").write_text("---\nname: t\ndescription: one\n---\n- executor: agent=executor x\n")
    gate = tmp_path / "started"
    worker = f"{sys.executable} -c \"import pathlib, sys, time; sys.stdin.read(); pathlib.Path({str(gate)!r}).touch(); time.sleep(60)\""
    run = subprocess.Popen([sys.executable, "-m", "crew_lsp", "run", "--team", "t", "--agent", "executor", "--runtime",
                            "command", "--worker-command", worker, "go"], cwd=project, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gate.exists()
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # the CLI and its worker die: the run stays `running`
        run.wait()
    out = doctor(cwd=project)
    assert out.returncode == 1
    assert lines(out)["interrupted runs"] == "✗" and "crew-lsp runs recover" in out.stdout



def test_doctor_says_which_pi_crew_version_and_why(project):
    (project / ".pi").mkdir()
    (project / ".pi" / "settings.json").write_text(json.dumps({"packages": ["npm:pi-crew@0.9.46"]}), encoding="utf-8")
    out = doctor(cwd=project)
    assert "✓ pi-crew version: pi-crew 0.9.46 (project .pi/settings.json: " in out.stdout
    assert "npm:pi-crew@0.9.46" in out.stdout
    # what runs follow of that version, and what not, is said plainly
    assert "✓ runs follow pi-crew 0.9.46 for: " in out.stdout and "role permissions" in out.stdout
    assert "✓ runs follow pi-crew 0.2.0 for: " in out.stdout and "shell commands" in out.stdout


def test_doctor_reads_as_the_version_asked_for(project):
    out = doctor("--pi-crew-version", "0.10", cwd=project)
    assert "✓ pi-crew version: pi-crew 0.10.1 (setting: `piCrewVersion` is 0.10)" in out.stdout
    bad = doctor("--pi-crew-version", "ten", cwd=project)
    assert bad.returncode == 2 and "`ten` is not a version" in bad.stderr
