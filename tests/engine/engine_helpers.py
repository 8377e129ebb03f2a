"""Helpers for engine tests (imported by conftest and the test modules)."""

from __future__ import annotations

import json
import shlex
import sys
import textwrap
from pathlib import Path

FAKE_PI = Path(__file__).resolve().parent.parent / "fake_pi.py"
FAKE_PI_BIN = f"{shlex.quote(sys.executable)} {shlex.quote(str(FAKE_PI))}"
PY = shlex.quote(sys.executable)


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        self.crew = root / ".crew"
        for sub in ("teams", "workflows", "agents"):
            (self.crew / sub).mkdir(parents=True, exist_ok=True)

    def team(self, name: str, roles: list[str], workflow: str | None = None, max_concurrency: int | None = None) -> None:
        fm = [f"name: {name}", f"description: test team {name}"]
        if workflow:
            fm.append(f"defaultWorkflow: {workflow}")
        if max_concurrency is not None:
            fm.append(f"maxConcurrency: {max_concurrency}")
        body = "\n".join(f"- {r}: agent={r.split('=')[-1] if '=' in r else r} does {r}" for r in roles)
        (self.crew / "teams" / f"{name}.team.md").write_text("---\n" + "\n".join(fm) + "\n---\n" + body + "\n")

    def workflow(self, name: str, body: str, max_concurrency: int | None = None) -> None:
        fm = [f"name: {name}", f"description: test workflow {name}"]
        if max_concurrency is not None:
            fm.append(f"maxConcurrency: {max_concurrency}")
        (self.crew / "workflows" / f"{name}.workflow.md").write_text("---\n" + "\n".join(fm) + "\n---\n" + textwrap.dedent(body))

    def config(self, data: dict) -> None:
        (self.crew / "config.json").write_text(json.dumps(data))

    def run_dir(self, run_id: str) -> Path:
        return self.crew / "state" / "runs" / run_id

    def artifacts(self, run_id: str) -> Path:
        return self.crew / "artifacts" / run_id

    def events(self, run_id: str) -> list[dict]:
        lines = (self.run_dir(run_id) / "events.jsonl").read_text().splitlines()
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def tasks(self, run_id: str) -> dict[str, dict]:
        data = json.loads((self.run_dir(run_id) / "tasks.json").read_text())
        return {t["id"]: t for t in data["tasks"]}

    def manifest(self, run_id: str) -> dict:
        return json.loads((self.run_dir(run_id) / "manifest.json").read_text())


def steps(*specs: tuple[str, str, str, str]) -> str:
    """Workflow body from (id, role, dependsOn, task) tuples."""
    out = []
    for sid, role, deps, task in specs:
        meta = [f"role: {role}"] + ([f"dependsOn: {deps}"] if deps else [])
        out.append(f"## {sid}\n" + "\n".join(meta) + f"\n\n{task}\n")
    return "\n".join(out)


def fast_options(**overrides):
    from crew_lsp.engine.context import EngineOptions

    values = dict(final_grace=0.5, kill_grace=3.0, drain=0.3, log_flush_interval=0.2, cancel_poll=0.1, watch_heartbeats=False)
    values.update(overrides)
    return EngineOptions(**values)
