"""A resumed or recovered run runs with the worker the user configures *now* (CLI flags, the
environment, the editor's user settings) — never with the runtime its manifest records: the manifest
lives in the workspace, and a cloned repository can ship one naming any runtime."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from engine_helpers import PY, steps

from crew_lsp.engine.cli import main

MARK_WORKER = textwrap.dedent("""
    import sys
    sys.stdin.read()
    with open(sys.argv[1], "a") as f:
        f.write(sys.argv[2] + "\\n")
    print("done")
""")


def _finished_run_with_one_failed_task(ws, capsys, recorded_runtime: dict) -> str:
    """A completed scaffold run, then edited as a repository could ship it: one task failed, and a
    manifest saying which runtime ran it."""
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("a", "executor", "", "first"), ("b", "executor", "a", "second")))
    assert main(["run", "--team", "t", "--cwd", str(ws.root), "--json", "go"]) == 0
    run_id = json.loads(capsys.readouterr().out)["runId"]
    manifest = ws.manifest(run_id)
    manifest.update(status="failed", runtime=recorded_runtime)
    (ws.run_dir(run_id) / "manifest.json").write_text(json.dumps(manifest))
    tasks = json.loads((ws.run_dir(run_id) / "tasks.json").read_text())
    tasks["tasks"][-1]["status"] = "failed"
    (ws.run_dir(run_id) / "tasks.json").write_text(json.dumps(tasks))
    return run_id


def _marker_program(tmp_path: Path, name: str) -> tuple[str, Path]:
    script = tmp_path / f"{name}.py"
    script.write_text(MARK_WORKER)
    log = tmp_path / f"{name}.log"
    return f"{PY} {script} {log} {{taskId}}", log


def test_resume_does_not_take_the_runtime_from_the_manifest(ws, tmp_path, capsys, monkeypatch):
    run_id = _finished_run_with_one_failed_task(ws, capsys, {"kind": "pi", "reason": "shipped by the repository"})
    pi_program, pi_log = _marker_program(tmp_path, "pi")
    monkeypatch.setenv("PI_TEAMS_PI_BIN", pi_program)  # a `pi` the user has, but did not choose for this run
    code = main(["runs", "resume", run_id, "--cwd", str(ws.root), "--json"])
    err = json.loads(capsys.readouterr().out)["error"]
    assert code == 2 and "no worker is configured" in err and "'pi'" in err
    assert not pi_log.exists()
    assert ws.manifest(run_id)["status"] == "failed"  # a refused resume changes nothing


def test_resume_runs_the_users_worker_whatever_the_manifest_records(ws, tmp_path, capsys, monkeypatch):
    shipped_program, shipped_log = _marker_program(tmp_path, "shipped")
    run_id = _finished_run_with_one_failed_task(
        ws, capsys, {"kind": "command", "reason": "x", "command": shipped_program.split()})
    users_program, users_log = _marker_program(tmp_path, "users")
    monkeypatch.setenv("CREW_WORKER_COMMAND", users_program)
    assert main(["runs", "resume", run_id, "--cwd", str(ws.root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "completed"
    assert users_log.read_text().split() == ["02_b"] and not shipped_log.exists()
    runtime = ws.manifest(run_id)["runtime"]
    assert runtime["kind"] == "command" and "CREW_WORKER_COMMAND" in runtime["reason"]


def test_an_explicit_scaffold_resume_is_allowed(ws, capsys):
    run_id = _finished_run_with_one_failed_task(ws, capsys, {"kind": "pi", "reason": "x"})
    assert main(["runs", "resume", run_id, "--runtime", "scaffold", "--cwd", str(ws.root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "completed"
    assert ws.manifest(run_id)["runtime"]["kind"] == "scaffold"

