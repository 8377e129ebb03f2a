"""The runtimes and the worker rules (docs/runs.md, Workers), with real child processes
(the fake `pi` of tests/fake_pi.py and `command` workers written in Python)."""

from __future__ import annotations

import json
import os

import anyio
import pytest
from engine_helpers import FAKE_PI_BIN, PY, fast_options, steps

from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.model import parse_iso
from crew_lsp.engine.views import RunView
from crew_lsp.engine.workers.process import group_alive


@pytest.fixture
def pi_env(monkeypatch):
    monkeypatch.setenv("PI_TEAMS_PI_BIN", FAKE_PI_BIN)


def _times(tasks: dict, tid: str) -> tuple[float, float]:
    return parse_iso(tasks[tid]["startedAt"]), parse_iso(tasks[tid]["finishedAt"])


async def test_streaming_dispatch_starts_a_task_the_moment_a_slot_frees(ws, pi_env):
    ws.team("t", ["explorer"], workflow="w", max_concurrency=3)
    ws.workflow("w", steps(*[(sid, "explorer", "", f"FAKE_PI: sleep={s}") for sid, s in
                             (("one", 0.6), ("two", 1.2), ("three", 1.8), ("four", 0.6))]))
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        final = await runs.wait(run_id)
    assert final.status == "completed"
    tasks = ws.tasks(run_id)
    one, three, four = _times(tasks, "01_one"), _times(tasks, "03_three"), _times(tasks, "04_four")
    assert four[0] >= one[1]  # the fourth waited for a free slot...
    assert four[0] - one[1] < 0.3  # ...and took it the moment the first ended
    assert four[0] < three[1] - 0.5  # not at the end of the batch
    assert tasks["01_one"]["usage"] == {"input": 42, "output": 7, "cost": 0.0003, "turns": 1}


async def test_a_failure_skips_its_dependents_and_independent_branches_keep_running(ws, pi_env):
    ws.team("t", ["explorer"], workflow="w", max_concurrency=4)
    ws.workflow("w", steps(
        ("a", "explorer", "", "root"), ("b", "explorer", "a", "FAKE_PI: fail=error"),
        ("c", "explorer", "a", "FAKE_PI: sleep=0.3"), ("d", "explorer", "b, c", "join"), ("e", "explorer", "", "alone"),
    ))
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        final = await runs.wait(run_id)
    status = {t.id: t.status for t in final.tasks}
    assert status == {"01_a": "completed", "02_b": "failed", "03_c": "completed", "04_d": "skipped", "05_e": "completed"}
    tasks = ws.tasks(run_id)
    assert tasks["04_d"]["error"] == "Blocked by failed task '02_b'."
    assert "500 Internal Server Error" in tasks["02_b"]["error"]
    assert final.status == "failed"


async def test_concurrency_one_runs_one_worker_at_a_time(ws):
    ws.config({"limits": {"maxConcurrentWorkers": 1}})
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} -c \"import time; time.sleep(0.05); print('ok')\"",
                          options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="parallel-research")
        final = await runs.wait(run_id)
    assert final.status == "completed" and final.manifest["concurrency"] == 1
    running = peak = 0
    for e in ws.events(run_id):
        if e["type"] == "task.started":
            running += 1
            peak = max(peak, running)
        elif e["type"] in ("task.completed", "task.failed"):
            running -= 1
    assert peak == 1


async def test_pi_outcomes_and_final_drain(ws, pi_env):
    """stopReason error, no final message, exit code, self-kill (before and after the final answer),
    silence past the no-output timeout → failed; lingering after the answer → killed, answer stands."""
    ws.team("t", ["explorer"], workflow="w", max_concurrency=8)
    cases = {"ok": "FAKE_PI: tool=bash", "error": "FAKE_PI: fail=error", "nofinal": "FAKE_PI: fail=nofinal",
             "exit": "FAKE_PI: fail=exit:3", "kill": "FAKE_PI: fail=kill", "killfinal": "FAKE_PI: fail=kill_after_final",
             "silent": "FAKE_PI: silent=5", "linger": "FAKE_PI: linger=30 ignore_term=1"}
    ws.workflow("w", steps(*[(k, "explorer", "", v) for k, v in cases.items()]))
    async with RunManager(ws.root, runtime="pi", options=fast_options(idle_timeout=1.0, final_grace=0.3, kill_grace=0.5)) as runs:
        run_id = await runs.start(goal="g", team="t")
        final = await runs.wait(run_id)
    by_step = {t["stepId"]: t for t in final.to_json()["tasks"]}
    assert {k: v["status"] for k, v in by_step.items()} == {
        "ok": "completed", "error": "failed", "nofinal": "failed", "exit": "failed", "kill": "failed",
        "killfinal": "failed", "silent": "failed", "linger": "completed"}
    assert "model call failed" in by_step["error"]["error"]
    assert "without a final assistant message" in by_step["nofinal"]["error"]
    assert "without a final assistant message" in by_step["exit"]["error"] and by_step["exit"]["exitCode"] == 3
    assert "signal 9" in by_step["kill"]["error"] and "signal 9" in by_step["killfinal"]["error"]
    assert "no output for 1 s" in by_step["silent"]["error"]
    assert by_step["linger"]["usage"]["turns"] == 1
    assert (ws.artifacts(run_id) / "results" / f"{by_step['linger']['id']}.txt").read_text().startswith("DONE")
    assert by_step["ok"]["usage"]["turns"] == 2  # a tool round trip, then the answer
    transcript = (ws.artifacts(run_id) / "transcripts" / f"{by_step['ok']['id']}.jsonl").read_text().splitlines()
    assert json.loads(transcript[0])["type"] == "session" and json.loads(transcript[-1])["type"] == "agent_end"


async def test_pi_argv_environment_and_prompt_file(ws, pi_env, monkeypatch, tmp_path):
    record = tmp_path / "record"
    monkeypatch.setenv("FAKE_PI_RECORD", str(record))
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_leak")
    monkeypatch.setenv("MY_SERVICE_API_KEY", "leak")
    monkeypatch.setenv("DB_PASSWORD", "leak")
    monkeypatch.setenv("MAX_TOKENS", "100")
    ws.team("t", ["explorer", "executor"], workflow="w")
    long_task = "Long task. " + "x" * 9000
    ws.workflow("w", "## look\nrole: explorer\nmodel: fake/fake-model\n\nshort {goal}\n\n## big\nrole: executor\n\n" + long_task + "\n")
    # a worker inherits an allow-list: the fake pi's knob and MAX_TOKENS only because they are listed
    async with RunManager(ws.root, runtime="pi", pass_env=["FAKE_PI_RECORD", "MAX_TOKENS"], options=fast_options()) as runs:
        run_id = await runs.start(goal="find it", team="t")
        final = await runs.wait(run_id)
    assert final.status == "completed"
    look = json.loads((record / "01_look.json").read_text())
    big = json.loads((record / "02_big.json").read_text())
    argv = look["argv"][1:]
    assert argv[:4] == ["--mode", "json", "-p", "--no-session"]
    assert argv[argv.index("--model") + 1] == "fake/fake-model"
    assert argv[argv.index("--tools") + 1] == "read,grep,find,ls"
    assert "--no-skills" in argv and "--skill" in argv
    assert "--no-context-files" not in argv  # the builtin explorer inherits project context
    assert look["system"]["mode"] == "0o600" and "explorer" in look["system"]["text"]
    assert argv[-1].startswith("Task: ") and "short find it" in argv[-1]
    assert big["argv"][-1].startswith("@") and "x" * 9000 in big["prompt"]
    for rec in (look, big):
        env = rec["env"]
        assert env["PI_CREW_DEPTH"] == "1" and env["MAX_TOKENS"] == "100"
        assert not {"GITHUB_TOKEN", "MY_SERVICE_API_KEY", "DB_PASSWORD"} & set(env)
        assert rec["stdin"] == "/dev/null" and rec["pgid"] == rec["pid"] == rec["sid"]
        assert rec["cwd"] == str(ws.root.resolve())
    assert not os.path.exists(look["system"]["path"])  # temp files are removed
    hb = ws.tasks(run_id)["01_look"]["heartbeat"]
    assert hb["alive"] is False and hb["pid"] == look["pid"] and hb["workerId"] == "01_look#1"
    status = json.loads((ws.run_dir(run_id) / "agents" / "01_look" / "status.json").read_text())
    assert status["heartbeat"]["alive"] is False


async def test_depth_guard(ws, pi_env, monkeypatch):
    monkeypatch.setenv("PI_CREW_DEPTH", "2")
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="g", agent="explorer"))
    assert final.status == "failed" and "refusing to spawn" in final.tasks[0].error


async def test_command_runtime_stdin_stdout_and_exit_code(ws):
    script = ("import sys; d = sys.stdin.read(); print('got', len(d), 'chars'); "
              "print('problem', file=sys.stderr) if 'FAILME' in d else None; sys.exit(4 if 'FAILME' in d else 0)")
    ws.team("t", ["executor"], workflow="w", max_concurrency=2)
    ws.workflow("w", steps(("good", "executor", "", "do {goal}"), ("bad", "executor", "", "FAILME")))
    async with RunManager(ws.root, runtime="command", worker_command=f'{PY} -c "{script}" {{taskId}} {{role}}',
                          options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="g", team="t"))
    tasks = {t["stepId"]: t for t in final.to_json()["tasks"]}
    assert tasks["good"]["status"] == "completed" and tasks["bad"]["status"] == "failed"
    assert tasks["bad"]["error"] == "worker exited with code 4: problem" and tasks["bad"]["exitCode"] == 4
    result = (ws.artifacts(final.run_id) / "results" / "01_good.txt").read_text()
    prompt = (ws.artifacts(final.run_id) / "prompts" / "01_good.md").read_text()
    assert result.startswith("got ") and int(result.split()[1]) == len(prompt)
    assert (ws.artifacts(final.run_id) / "shared" / "01_good.md").read_text() == result


async def test_max_run_minutes_is_enforced(ws, pi_env):
    async with RunManager(ws.root, runtime="pi", options=fast_options(max_run_seconds=0.8)) as runs:
        ws.team("t", ["explorer"], workflow="w")
        ws.workflow("w", steps(("slow", "explorer", "", "FAKE_PI: sleep=30"), ("after", "explorer", "slow", "x")))
        with anyio.fail_after(20):  # the 30 s worker is stopped by the limit, long before
            final = await runs.wait(await runs.start(goal="g", team="t"))
    assert final.status == "failed" and "time limit" in final.manifest["reason"]
    assert [t.status for t in final.tasks] == ["failed", "skipped"]


async def _wait_running(runs: RunManager, run_id: str, n: int) -> RunView:
    with anyio.fail_after(10):
        while True:
            view = await runs.status(run_id)
            pids = [t.stored["checkpoint"]["childPid"] for t in view.tasks
                    if t.status == "running" and (t.stored["checkpoint"] or {}).get("childPid")]
            if len(pids) >= n:
                return view
            await anyio.sleep(0.05)


async def test_cancel_reaches_every_process_group_then_resume_completes(ws, pi_env, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    ws.team("t", ["explorer"], workflow="w", max_concurrency=3)
    ws.workflow("w", steps(
        ("plain", "explorer", "", f"FAKE_PI: sleep=30 once={marks / 'a'}"),
        ("stubborn", "explorer", "", f"FAKE_PI: sleep=30 ignore_term=1 once={marks / 'b'}"),
        ("family", "explorer", "", f"FAKE_PI: grandchild=1 sleep=30 once={marks / 'c'}"),
        ("later", "explorer", "plain", "after"),
    ))
    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        view = await _wait_running(runs, run_id, 3)
        with anyio.fail_after(10):  # every worker got past its start (marks written, grandchild spawned)
            while len(list(marks.iterdir())) < 3:
                await anyio.sleep(0.05)
        pgids = [t.stored["checkpoint"]["childPid"] for t in view.tasks if t.status == "running"]
        with anyio.fail_after(15):  # a hang guard: SIGKILL follows SIGTERM after the kill grace
            result = await runs.cancel(run_id, "user asked")
        assert not [g for g in pgids if group_alive(g)]
        assert sorted(result["cancelledTaskIds"]) == ["01_plain", "02_stubborn", "03_family", "04_later"]
        view = await runs.status(run_id)
        assert view.status == "cancelled" and {t.status for t in view.tasks} == {"cancelled"}
        resumed = await runs.resume(run_id)
        assert sorted(resumed["requeuedTaskIds"]) == ["01_plain", "02_stubborn", "03_family", "04_later"]
        final = await runs.wait(run_id)
    assert final.status == "completed"
    events = ws.events(run_id)
    seqs = [e["metadata"]["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert any(e["type"] == "crew.run.resumed" for e in events)
    assert [a["error"] for a in ws.tasks(run_id)["01_plain"]["attempts"]] == ["user asked", None]
