"""Secrets in this process's environment: a worker inherits an allow-list plus what the user lists,
and whatever a worker prints never carries a secret into results, events, logs or the diagnostic
bundle. Real `command` workers that dump their environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from engine_helpers import PY, fast_options, steps

from crew_lsp.engine.config import WorkerConfigError, WorkerSettings, resolve_worker
from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.workers.environment import worker_environment


SECRETS = {
    "PGPASSWORD": "pg-secret-value-1",
    "AZURE_OPENAI_KEY": "azure-secret-value-2",
    "GH_PAT": "gh-pat-secret-value-3",
    "NPM_AUTH": "npm-auth-secret-value-4",
    "AWS_ACCESS_KEY_ID": "AKIA" + "Z7Q4EXAMPLEKEY42",
    "DATABASE_URL": "postgres://u:hunter2@db/x",
}
LEAKS = [v for k, v in SECRETS.items() if k != "DATABASE_URL"] + ["hunter2"]

# writes the environment it got to a file of the test's (the unredacted truth), then prints it as
# `NAME=value` lines on stdout (→ result, output log, progress events) and stderr (→ worker log)
DUMP_ENV = r"""
import json, os, sys
sys.stdin.read()
with open(sys.argv[1], "w") as f:
    json.dump(dict(os.environ), f)
lines = sorted(f"{k}={v}" for k, v in os.environ.items())
print("\n".join(lines))
print("\n".join(lines), file=sys.stderr)
"""


@pytest.fixture
def secret_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MY_TOOL_SETTING", "listed-value")
    monkeypatch.setenv("UNLISTED_SETTING", "unlisted-value")


async def _run_env_dump(ws, tmp_path: Path, pass_env: list[str]) -> tuple[dict, str, Path]:
    script = tmp_path / "dump_env.py"
    script.write_text(DUMP_ENV)
    seen = tmp_path / "seen-env.json"
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("dump", "executor", "", "print your environment")))
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {script} {seen}", pass_env=pass_env,
                          options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="g", team="t"))
        bundle = Path(await runs.export_diagnostics(final.run_id))
    assert final.status == "completed", final
    return json.loads(seen.read_text()), final.run_id, bundle


def _files_holding(root: Path, needles: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            hits = [n for n in needles if n in text]
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


async def test_secrets_of_the_parent_never_reach_the_worker_nor_what_it_leaves(ws, tmp_path, secret_env):
    seen, run_id, bundle = await _run_env_dump(ws, tmp_path, pass_env=["MY_TOOL_SETTING"])
    assert not set(SECRETS) & set(seen)
    assert seen["MY_TOOL_SETTING"] == "listed-value"  # the user listed it
    assert "UNLISTED_SETTING" not in seen
    assert seen["PATH"] == os.environ["PATH"] and seen["HOME"] == os.environ["HOME"]
    assert seen["PI_CREW_RUN_ID"] == run_id and seen["PI_CREW_DEPTH"] == "1"
    result = (ws.artifacts(run_id) / "results" / "01_dump.txt").read_text()
    assert "MY_TOOL_SETTING=listed-value" in result  # the result is the worker's output
    assert _files_holding(ws.crew, LEAKS) == {}
    assert bundle.is_relative_to(ws.crew) and json.loads(bundle.read_text())["events"]


async def test_listed_secrets_reach_the_worker_but_are_redacted_in_everything_it_leaves(ws, tmp_path, secret_env):
    seen, run_id, bundle = await _run_env_dump(ws, tmp_path, pass_env=list(SECRETS))
    assert {k: seen[k] for k in SECRETS} == SECRETS  # the user asked for them
    result = (ws.artifacts(run_id) / "results" / "01_dump.txt").read_text()
    assert "PGPASSWORD=***" in result and "DATABASE_URL=postgres://u:***@db/x" in result
    assert "MY_TOOL_SETTING" not in result  # not listed this time
    assert _files_holding(ws.crew, LEAKS) == {}
    assert any(e["type"] == "task.progress" for e in json.loads(bundle.read_text())["events"])


async def test_pass_env_from_the_environment_and_prefixes(ws, tmp_path, secret_env, monkeypatch):
    monkeypatch.setenv("CREW_WORKER_PASS_ENV", "UNLISTED_SETTING, AWS_*")
    seen, _, _ = await _run_env_dump(ws, tmp_path, pass_env=[])
    assert seen["UNLISTED_SETTING"] == "unlisted-value" and seen["AWS_ACCESS_KEY_ID"] == SECRETS["AWS_ACCESS_KEY_ID"]
    assert "PGPASSWORD" not in seen and "MY_TOOL_SETTING" not in seen


def test_pass_env_names_are_checked():
    assert resolve_worker("command", "agent", pass_env=["A_B", "AWS_*", "A_B"], env={}).pass_env == ("A_B", "AWS_*")
    assert resolve_worker(env={"CREW_WORKER_PASS_ENV": "X Y,Z"}).pass_env == ("X", "Y", "Z")
    for bad in ("*", "A B=1", "$HOME", "A*B"):
        with pytest.raises(WorkerConfigError, match="give a variable name or a prefix"):
            resolve_worker("command", "agent", pass_env=[bad], env={})


def test_the_pi_runtime_inherits_its_own_settings_but_no_secret_named_one():
    parent = {"PATH": "/bin", "LANG": "C.UTF-8", "LC_ALL": "C", "PI_CODING_AGENT_DIR": "/a", "PI_OFFLINE": "1",
              "PI_API_KEY": "x", "PI_TEAMS_HOME": "/t", "ANTHROPIC_API_KEY": "sk", "OPENAI_API_KEY": "sk2",
              "HTTPS_PROXY": "http://u:p@proxy:3128", "MAX_TOKENS": "5", "SSH_AUTH_SOCK": "/s"}
    pi = worker_environment(WorkerSettings("pi", "test", pass_env=("ANTHROPIC_API_KEY",)), parent)
    assert pi == {"PATH": "/bin", "LANG": "C.UTF-8", "LC_ALL": "C", "PI_CODING_AGENT_DIR": "/a", "PI_OFFLINE": "1",
                  "PI_TEAMS_HOME": "/t", "ANTHROPIC_API_KEY": "sk", "HTTPS_PROXY": "http://u:p@proxy:3128"}
    command = worker_environment(WorkerSettings("command", "test"), parent)
    assert command == {"PATH": "/bin", "LANG": "C.UTF-8", "LC_ALL": "C", "PI_TEAMS_HOME": "/t",
                       "HTTPS_PROXY": "http://u:p@proxy:3128"}


def test_the_cli_passes_listed_variables(ws, tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setenv("PGPASSWORD", "pg-secret-value-1")
    monkeypatch.setenv("MY_TOOL_SETTING", "listed-value")
    seen = tmp_path / "seen-env.json"
    script = tmp_path / "dump_env.py"
    script.write_text(DUMP_ENV)
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("dump", "executor", "", "print your environment")))
    done = subprocess.run(
        [sys.executable, "-m", "crew_lsp", "run", "--cwd", str(ws.root), "--team", "t", "--runtime", "command",
         "--worker-command", f"{PY} {script} {seen}", "--pass-env", "MY_TOOL_SETTING", "--pass-env", "NOPE_*", "g"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    env = json.loads(seen.read_text())
    assert env["MY_TOOL_SETTING"] == "listed-value" and "PGPASSWORD" not in env


async def test_a_token_cut_by_the_progress_line_limit_is_still_redacted(ws, tmp_path):
    token = "gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    script = tmp_path / "say.py"
    # the progress line keeps 120 characters: the token would be cut after 19 of its own
    script.write_text(f"import sys; sys.stdin.read(); print({'x' * 100!r} + ' ' + {token!r})")
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", steps(("say", "executor", "", "say it")))
    async with RunManager(ws.root, runtime="command", worker_command=f"{PY} {script}", options=fast_options()) as runs:
        final = await runs.wait(await runs.start(goal="g", team="t"))
    assert final.status == "completed"
    assert any(e["type"] == "task.progress" for e in ws.events(final.run_id))
    assert _files_holding(ws.crew, [token[:12]]) == {}
