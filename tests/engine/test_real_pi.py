"""The `pi` runtime with the **real** `pi` CLI (npm @mariozechner/pi-coding-agent 0.73), offline: its
model calls go to the scripted FakeLLM on 127.0.0.1 (tests/real_pi/), its tools run for real.

Skipped only when no real pi is installed (PI_REAL_BIN unset and no build/pi) or `node` is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
from engine_helpers import fast_options, steps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "real_pi"))
from real_pi_harness import (  # noqa: E402
    MODEL, agent_file, fake_llm, pid_alive, pi_sandbox, procs_with_cmdline, real_pi_bin,  # noqa: F401 (fixtures)
)

from crew_lsp.engine.manager import RunManager  # noqa: E402


def _tool_names(body: dict) -> list[str]:
    return sorted(t["function"]["name"] for t in body.get("tools") or [])


def _messages(body: dict, role: str) -> list[str]:
    from fake_llm import text_of

    return [text_of(m.get("content")) for m in body.get("messages") or [] if m.get("role") == role]


async def test_tool_call_result_usage_and_flags(ws, pi_sandbox, fake_llm):
    """A real `bash` tool call runs in the workspace; the answer, usage and model reach the task;
    the engine's system prompt, tools, skill and context flags reach the model request."""
    (ws.root / "AGENTS.md").write_text("PROJECT_CONTEXT_MARKER: must not reach the model\n")
    (ws.crew / "agents" / "shell.md").write_text(agent_file(
        "shell", "AGENT_SYSTEM_MARKER: you are the shell agent of a test crew.", skills="safe-bash"))
    ws.team("t", ["shell"], workflow="w")
    ws.workflow("w", steps(("touch", "shell", "", "STEP_TOUCH write the marker for {goal}"),
                           ("report", "shell", "touch", "STEP_REPORT summarise " + "x" * 9000)))  # → @<tmp>/task.md
    fake_llm.route("STEP_TOUCH", {"tool": "bash", "args": {"command": "echo hi > marker.txt && echo wrote-marker"}},
                   {"text": "DONE: marker written"})
    fake_llm.route("STEP_REPORT", {"text": "REPORT: all good"})

    async with RunManager(ws.root, runtime="pi", options=fast_options(final_grace=5.0)) as runs:
        run_id = await runs.start(goal="the test", team="t")
        final = await runs.wait(run_id)
    assert final.status == "completed", final.tasks

    # the tool really ran, in the workspace, and its output went back to the model
    assert (ws.root / "marker.txt").read_text() == "hi\n"
    touch_reqs = fake_llm.chat_requests("STEP_TOUCH")
    assert len(touch_reqs) == 2
    assert any("wrote-marker" in t for t in _messages(touch_reqs[1]["body"], "tool"))

    # answer → results/<id>.txt; usage (two turns of 42/7 tokens) and model → tasks.json
    results = ws.artifacts(run_id) / "results"
    assert (results / "01_touch.txt").read_text() == "DONE: marker written"
    assert (results / "02_report.txt").read_text() == "REPORT: all good"
    tasks = ws.tasks(run_id)
    touch = tasks["01_touch"]
    assert touch["usage"] == {"input": 84, "output": 14, "cost": 0.0, "turns": 2}
    assert touch["model"] == MODEL and tasks["02_report"]["model"] == MODEL
    assert touch["exitCode"] == 0 and touch["error"] is None
    output = (ws.run_dir(run_id) / "agents" / "01_touch" / "output.log").read_text()
    assert "[tool bash]" in output and output.rstrip().endswith("DONE: marker written")  # streamed text deltas
    transcript = (ws.artifacts(run_id) / "transcripts" / "01_touch.jsonl").read_text().splitlines()
    kinds = [json.loads(line)["type"] for line in transcript]
    assert kinds[0] == "session" and kinds[-1] == "agent_end" and "tool_execution_end" in kinds

    # what the engine passed to pi reached the model request
    first = touch_reqs[0]["body"]
    assert first["model"] == "fake-model" and first["stream"] is True
    system = "\n".join(_messages(first, "system"))
    assert "AGENT_SYSTEM_MARKER" in system  # --system-prompt <file>
    assert "safe-bash" in system  # --skill <dir> (pi lists loaded skills in its system prompt)
    assert _tool_names(first) == ["bash", "read"]  # --tools bash,read
    everything = json.dumps([r["body"] for r in fake_llm.chat_requests()])
    assert "PROJECT_CONTEXT_MARKER" not in everything  # --no-context-files
    user = _messages(first, "user")[0]
    assert user.startswith("Task: # Run context") and "STEP_TOUCH write the marker for the test" in user
    # the dependency's answer reached the next task, marked as data; its long prompt came as a file
    report_user = _messages(fake_llm.chat_requests("STEP_REPORT")[0]["body"], "user")[0]
    assert '<dependency-context task="01_touch"' in report_user and "DONE: marker written" in report_user
    assert report_user.startswith("<file name=") and "\nTask: # Run context" in report_user and "x" * 9000 in report_user
    # and the log file records the same requests
    logged = [json.loads(line) for line in (Path(fake_llm.log).read_text().splitlines())]
    assert len(logged) == 3 and {e["route"] for e in logged} == {"STEP_TOUCH", "STEP_REPORT"}


def test_http_500_fails_the_task_although_pi_exits_0(ws, pi_sandbox, fake_llm):
    """Through the CLI (`crew-lsp run --runtime pi --model fake/fake-model`): the model answers 500,
    pi still exits 0, the task fails with pi's errorMessage and its dependent is skipped."""
    (ws.crew / "agents" / "plain.md").write_text(agent_file("plain", "You are plain.", model=None, tools="read"))
    ws.team("t", ["plain"], workflow="w")
    ws.workflow("w", steps(("boom", "plain", "", "STEP_BOOM answer"), ("after", "plain", "boom", "STEP_AFTER")))
    fake_llm.route("STEP_BOOM", {"status": 500, "body": {"error": {"message": "fake internal error", "type": "server_error"}}})
    proc = subprocess.run(
        [sys.executable, "-m", "crew_lsp", "run", "--runtime", "pi", "--model", MODEL, "--team", "t", "--json",
         "--cwd", str(ws.root), "go"],
        env=pi_sandbox.child_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    run_id = next(p.name for p in (ws.crew / "state" / "runs").iterdir())
    tasks = ws.tasks(run_id)
    boom = tasks["01_boom"]
    assert boom["status"] == "failed" and boom["exitCode"] == 0
    assert boom["error"].startswith("model call failed: 500") and "fake internal error" in boom["error"]
    assert boom["model"] == MODEL
    assert tasks["02_after"]["status"] == "skipped"
    assert ws.manifest(run_id)["status"] == "failed"
    result = (ws.artifacts(run_id) / "results" / "01_boom.txt").read_text()
    assert "[error] model call failed: 500" in result
    reqs = fake_llm.chat_requests()
    assert len(reqs) == 1 and reqs[0]["route"] == "STEP_BOOM"  # no hidden retries
    assert reqs[0]["body"]["model"] == "fake-model"  # the run's --model override


async def test_cancel_kills_tool_process_and_hanging_model_call(ws, pi_sandbox, fake_llm):
    """Cancel while one pi runs `bash: sleep` and another waits on a model call that never answers:
    both tasks end cancelled within seconds and no sleep (pi's detached tool child) is left."""
    (ws.crew / "agents" / "shell.md").write_text(agent_file("shell", "You are the shell agent."))
    ws.team("t", ["shell"], workflow="w", max_concurrency=2)
    ws.workflow("w", steps(("sleeper", "shell", "", "STEP_SLEEP"), ("hanger", "shell", "", "STEP_HANG")))
    needle = f"sleep 30.{os.getpid()}"  # unique to this test process
    fake_llm.route("STEP_SLEEP", {"tool": "bash", "args": {"command": f"{needle} && echo late"}}, {"text": "too late"})
    fake_llm.route("STEP_HANG", {"hang_s": 60, "text": "too late"})

    async with RunManager(ws.root, runtime="pi", options=fast_options()) as runs:
        run_id = await runs.start(goal="g", team="t")
        with anyio.fail_after(20):
            while not (procs_with_cmdline(needle) and fake_llm.chat_requests("STEP_HANG")):
                await anyio.sleep(0.05)
        view = await runs.status(run_id)
        pids = [t.stored["checkpoint"]["childPid"] for t in view.tasks]
        assert all(pids) and all(pid_alive(p) for p in pids)
        with anyio.fail_after(20):  # a hang guard; cancel escalates to SIGKILL after 3 s
            result = await runs.cancel(run_id)
    assert sorted(result["cancelledTaskIds"]) == ["01_sleeper", "02_hanger"]
    assert result["status"] == "cancelled"
    assert procs_with_cmdline(needle) == []  # the tool's sleep is gone, not orphaned
    assert not any(pid_alive(p) for p in pids)
    tasks = ws.tasks(run_id)
    assert {t["status"] for t in tasks.values()} == {"cancelled"}
    assert len(fake_llm.chat_requests("STEP_SLEEP")) == 1  # the tool never finished


async def test_pi_auto_retry_is_not_cut_short(ws, pi_sandbox, fake_llm):
    """With pi's own retries on (its default), an error message is not the final answer: pi retries
    after `auto_retry_start`, and the engine must wait for the retried turn instead of killing pi
    `final_grace` after the error (which used to complete the task with the half-done turn)."""
    settings = {"retry": {"enabled": True, "maxRetries": 2, "baseDelayMs": 100, "provider": {"maxRetries": 0}},
                "quietStartup": True}
    (pi_sandbox.agent_dir / "settings.json").write_text(json.dumps(settings))
    (ws.crew / "agents" / "shell.md").write_text(agent_file("shell", "You are the shell agent."))
    ws.team("t", ["shell"], workflow="w")
    ws.workflow("w", steps(("flaky", "shell", "", "STEP_FLAKY"), ("down", "shell", "", "STEP_DOWN")))
    err = {"status": 500, "body": {"error": {"message": "fake internal error", "type": "server_error"}}}
    fake_llm.route("STEP_FLAKY", err, {"tool": "bash", "args": {"command": "sleep 1.5 && echo slow-tool-done"}},
                   {"text": "RECOVERED after retry"})
    fake_llm.route("STEP_DOWN", err, err, err)
    async with RunManager(ws.root, runtime="pi", options=fast_options(final_grace=1.0)) as runs:
        final = await runs.wait(await runs.start(goal="g", team="t"))
    tasks = {t["stepId"]: t for t in final.to_json()["tasks"]}
    flaky, down = tasks["flaky"], tasks["down"]
    assert flaky["status"] == "completed", flaky
    assert (ws.artifacts(final.run_id) / "results" / f"{flaky['id']}.txt").read_text() == "RECOVERED after retry"
    assert len(fake_llm.chat_requests("STEP_FLAKY")) == 3
    # every retry fails: pi gives up after maxRetries, the task fails with the last error
    assert down["status"] == "failed" and "500" in down["error"]
    assert len(fake_llm.chat_requests("STEP_DOWN")) == 3
