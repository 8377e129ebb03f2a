"""The terminal contract (README.md, Command line), Ctrl-C → resumable, crash recovery, and the rule
that no workspace file chooses which program runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from engine_helpers import PY, steps

from crew_lsp.engine.cli import main
from crew_lsp.engine.config import WorkerConfigError, resolve_worker
from crew_lsp.engine.workers.process import group_alive

WORKER = textwrap.dedent("""
    import os, sys, time
    task, log, marker = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.stdin.read()
    with open(log, "a") as f:
        f.write(task + "\\n")
    if task.endswith("_b") and not os.path.exists(marker):
        open(marker, "w").close()
        time.sleep(60)
    print("done", task)
""")
CLI = [sys.executable, "-c", "import sys; from crew_lsp.engine.cli import main; sys.exit(main(sys.argv[1:]))"]


def _setup(ws, tmp_path: Path) -> str:
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("a", "executor", "", "first"), ("b", "executor", "a", "second"), ("c", "executor", "b", "third")))
    (tmp_path / "worker.py").write_text(WORKER)
    return f"{PY} {tmp_path / 'worker.py'} {{taskId}} {tmp_path / 'calls.log'} {tmp_path / 'marker'}"


def _wait_for_b(ws, deadline: float = 15) -> str:
    """Until task b's worker is running *and* has started its long sleep (its marker exists)."""
    end = time.monotonic() + deadline
    marker = ws.root.parent / "marker"
    while time.monotonic() < end:
        runs = list((ws.crew / "state" / "runs").glob("*/tasks.json")) if (ws.crew / "state").exists() else []
        for path in runs:
            try:
                tasks = {t["id"]: t for t in json.loads(path.read_text())["tasks"]}
            except (ValueError, KeyError):
                continue
            b = tasks.get("02_b", {})
            if b.get("status") == "running" and (b.get("checkpoint") or {}).get("childPid") and marker.exists():
                return path.parent.name
        time.sleep(0.05)
    raise AssertionError("task b never started")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def test_ctrl_c_cancels_cleanly_and_resume_finishes(ws, tmp_path, capsys):
    command = _setup(ws, tmp_path)
    proc = subprocess.Popen(CLI + ["run", "--team", "t", "--runtime", "command", "--worker-command", command,
                                   "--cwd", str(ws.root), "--json", "do it"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    run_id = _wait_for_b(ws)
    child = ws.tasks(run_id)["02_b"]["checkpoint"]["childPid"]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1, err
    result = json.loads(out)
    assert result["status"] == "cancelled"
    assert [t["status"] for t in result["tasks"]] == ["completed", "cancelled", "cancelled"]
    assert not group_alive(child)
    code = main(["runs", "resume", run_id, "--cwd", str(ws.root), "--worker-command", command, "--json"])
    final = json.loads(capsys.readouterr().out)
    assert code == 0 and final["status"] == "completed"
    calls = (tmp_path / "calls.log").read_text().split()
    assert calls == ["01_a", "02_b", "02_b", "03_c"]  # the completed task was not re-run


def test_kill_9_mid_run_then_recover_loses_no_completed_task(ws, tmp_path, capsys):
    command = _setup(ws, tmp_path)
    proc = subprocess.Popen(CLI + ["run", "--team", "t", "--runtime", "command", "--worker-command", command,
                                   "--cwd", str(ws.root), "do it"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    run_id = _wait_for_b(ws)
    orphan = ws.tasks(run_id)["02_b"]["checkpoint"]["childPid"]
    proc.kill()
    proc.wait()
    assert main(["runs", "recover", run_id, "--cwd", str(ws.root), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)["plan"]
    assert plan["completed"] == ["01_a"] and plan["requeue"] == ["02_b"] and plan["queued"] == ["03_c"]
    code = main(["runs", "recover", run_id, "--accept", "--cwd", str(ws.root), "--worker-command", command, "--json"])
    final = json.loads(capsys.readouterr().out)
    assert code == 0 and final["status"] == "completed"
    assert not group_alive(orphan)  # the orphaned worker of the dead owner was stopped
    assert (tmp_path / "calls.log").read_text().split() == ["01_a", "02_b", "02_b", "03_c"]
    events = ws.events(run_id)
    seqs = [e["metadata"]["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    resumed = [e for e in events if e["type"] == "crew.run.resumed"][0]
    assert resumed["data"]["recoveredFromSeq"] < resumed["metadata"]["seq"]


def test_decline_recovery(ws, tmp_path, capsys):
    command = _setup(ws, tmp_path)
    proc = subprocess.Popen(CLI + ["run", "--team", "t", "--runtime", "command", "--worker-command", command,
                                   "--cwd", str(ws.root), "do it"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    run_id = _wait_for_b(ws)
    orphan = ws.tasks(run_id)["02_b"]["checkpoint"]["childPid"]
    proc.kill()
    proc.wait()
    assert main(["runs", "recover", run_id, "--decline", "--cwd", str(ws.root), "--json"]) == 0
    capsys.readouterr()
    m = ws.manifest(run_id)
    assert m["status"] == "cancelled" and m["reason"] == "interrupted-not-resumed"
    assert any(e["type"] == "crew.run.recovery_declined" for e in ws.events(run_id))
    try:
        os.killpg(orphan, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_cli_contract_exit_codes(ws, capsys):
    root = str(ws.root)
    assert main(["plan", "--cwd", root, "--json", "fix", "it"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["waves"] == [["01_explore"], ["02_plan"], ["03_execute"], ["04_verify"]]
    assert main(["plan", "--cwd", root, "--team", "nope", "x"]) == 2
    assert main(["run", "--cwd", root, "--team", "nope", "--json", "x"]) == 2
    assert "Unknown team" in json.loads(capsys.readouterr().out)["diagnostics"][0]["message"]
    assert main(["run", "--bogus-flag", "x"]) == 2
    assert main(["run", "--cwd", root, "--json", "fix"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["status"] == "completed" and [t["id"] for t in done["tasks"]][0] == "01_explore"
    assert set(done) == {"runId", "status", "tasks"} and set(done["tasks"][0]) == {"id", "role", "status"}
    for bad in ("../x", "a/b", "..", "x y"):
        assert main(["runs", "status", bad, "--cwd", root]) == 2
        assert main(["runs", "events", bad, "--cwd", root]) == 2
    assert main(["runs", "status", "default_00000000000000_0000000000000000", "--cwd", root]) == 2
    capsys.readouterr()
    assert main(["runs", "list", "--cwd", root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["runId"] == done["runId"]
    assert main(["runs", "events", done["runId"], "--cwd", root, "--json", "--limit", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["nextSeq"] == 2
    assert main(["runs", "cancel", done["runId"], "--cwd", root, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cancelledTaskIds"] == []


BAD_CONFIG = {
    "executeWorkers": True,
    "runtime": {"mode": "child-process", "allowChildProcessFallback": True},
    "worker": {"runtime": "command", "command": "touch PWNED"},
    "limits": {"maxConcurrentWorkers": 2},
}


def test_workspace_files_cannot_choose_the_worker_program(ws, tmp_path, capsys, monkeypatch):
    ws.config(BAD_CONFIG)
    (ws.root / ".pi").mkdir()
    (ws.root / ".pi" / "pi-crew.json").write_text(json.dumps(BAD_CONFIG))
    (ws.root / ".pi" / "settings.json").write_text(json.dumps({"crew": {"worker": {"command": "touch PWNED"}}}))
    monkeypatch.chdir(ws.root)
    assert resolve_worker().runtime == "scaffold"
    assert main(["run", "--cwd", str(ws.root), "--json", "go"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert ws.manifest(done["runId"])["runtime"]["kind"] == "scaffold"
    assert not list(ws.root.rglob("PWNED")) and not Path("PWNED").exists()
    # a tampered manifest (it lives in the workspace) cannot name the program of a resumed run either
    m = ws.manifest(done["runId"])
    m["status"] = "failed"
    m["runtime"] = {"kind": "command", "reason": "x", "command": ["touch", str(ws.root / "PWNED")]}
    (ws.run_dir(done["runId"]) / "manifest.json").write_text(json.dumps(m))
    assert main(["runs", "resume", done["runId"], "--cwd", str(ws.root), "--json"]) == 2
    assert main(["runs", "resume", done["runId"], "--cwd", str(ws.root), "--json",
                 "--worker-command", f"{PY} -c \"print('safe')\""]) == 0
    assert not list(ws.root.rglob("PWNED"))
    with pytest.raises(WorkerConfigError):
        resolve_worker("command")  # no command from arguments or environment
    monkeypatch.setenv("CREW_WORKER_COMMAND", "my-agent --flag")
    assert resolve_worker().command == ("my-agent", "--flag") and resolve_worker().runtime == "command"


async def test_accepted_recovery_finishes_the_run_and_diagnostic_bundle(ws, tmp_path):
    from crew_lsp.engine.manager import RunManager

    command = _setup(ws, tmp_path)
    proc = subprocess.Popen(CLI + ["run", "--team", "t", "--runtime", "command", "--worker-command", command,
                                   "--cwd", str(ws.root), "do it"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    run_id = _wait_for_b(ws)
    proc.kill()
    proc.wait()
    async with RunManager(ws.root, runtime="command", worker_command=command) as runs:
        assert [p["runId"] for p in await runs.interrupted()] == [run_id]
        await runs.recover(run_id, accept=True)
        final = await runs.wait(run_id)
        assert final.status == "completed"
        bundle = json.loads(Path(await runs.export_diagnostics(run_id)).read_text())
    assert bundle["schemaVersion"] == 2 and bundle["manifest"]["runId"] == run_id and len(bundle["tasks"]) == 3
    assert bundle["events"][-1]["type"] == "run.completed"
    assert (tmp_path / "calls.log").read_text().split() == ["01_a", "02_b", "02_b", "03_c"]


@pytest.mark.parametrize("planted", ["artifacts", "state"])
def test_planted_symlink_in_the_crew_root_is_refused(ws, tmp_path, capsys, planted):
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.crew / planted).symlink_to(outside, target_is_directory=True)
    assert main(["run", "--cwd", str(ws.root), "--json", "go"]) == 2
    assert "symlink" in json.loads(capsys.readouterr().out)["error"]
    assert not any(outside.rglob("*"))
