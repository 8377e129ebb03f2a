"""The server's workers inherit an allow-list plus the user's `crew.worker.passEnv`; the diagnostic
bundle of `crew.exportDiagnostics` carries no secret of the server's environment."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from run_harness import start_run_session, stop_run_session, team, workflow

DUMP_ENV = r"""
import json, os, sys
sys.stdin.read()
with open(sys.argv[1], "w") as f:
    json.dump(dict(os.environ), f)
print("\n".join(sorted(f"{k}={v}" for k, v in os.environ.items())))
"""
SECRETS = {"PGPASSWORD": "pg-secret-value-1", "GH_PAT": "gh-pat-secret-value-3",
           "DATABASE_URL": "postgres://u:hunter2@db/x"}


async def test_workers_get_the_listed_variables_and_no_secret_of_the_server(tmp_path):
    script, seen = tmp_path / "dump_env.py", tmp_path / "seen-env.json"
    script.write_text(DUMP_ENV)
    files = {".crew/teams/t.team.md": team("t", ["executor"], "w"),
             ".crew/workflows/w.workflow.md": workflow("w", [("dump", "executor", "", "print your environment")])}
    worker = {"runtime": "command", "command": [sys.executable, str(script), str(seen)], "passEnv": ["MY_TOOL_SETTING"]}
    s = await start_run_session(tmp_path, files, init_options={"worker": worker},
                                env={**SECRETS, "MY_TOOL_SETTING": "listed-value"})
    try:
        run_id = (await s.command("crew.run", {"team": "t", "goal": "g"}))["runId"]
        assert (await s.run_until(run_id))["status"] == "completed"
        bundle = Path((await s.command("crew.exportDiagnostics", {"runId": run_id}))["path"])
    finally:
        await stop_run_session(s)
    env = json.loads(seen.read_text())
    assert env["MY_TOOL_SETTING"] == "listed-value" and not set(SECRETS) & set(env)
    crew = s.root / ".crew"
    leaks = [str(p) for p in crew.rglob("*") if p.is_file()
             and any(v in p.read_text(errors="replace") for v in ("pg-secret-value-1", "gh-pat-secret-value-3", "hunter2"))]
    assert leaks == [] and bundle.is_file()
