"""Helpers of the run tests (tests/server/test_run_*.py): sessions that can opt into
`experimental.crewNotifications`, answer `window/showMessageRequest`, and start the server with its
own environment (fake `pi`, worker settings). The client is lsp_harness.make_client, which records
every `$/progress`, `crew/*` notification and `window/showMessage` with its arrival time."""

from __future__ import annotations

import asyncio
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from lsp_harness import CREW_METHODS  # noqa: F401  (re-exported: the run tests filter events by it)
from lsp_harness import CLIENTS, ROOT, Session, server_config, write_project
from lsprotocol import types as T
from pytest_lsp import client_capabilities

FAKE_PI = ROOT / "tests" / "fake_pi.py"
FAKE_PI_BIN = f"{shlex.quote(sys.executable)} {shlex.quote(str(FAKE_PI))}"


def team(name: str, roles: list[str], workflow: str, max_concurrency: int | None = None, extra: str = "") -> str:
    fm = [f"name: {name}", f"description: test team {name}", f"defaultWorkflow: {workflow}"]
    if max_concurrency is not None:
        fm.append(f"maxConcurrency: {max_concurrency}")
    body = "\n".join(f"- {r}: agent={r} does the {r} work" for r in roles)
    return "---\n" + "\n".join(fm) + extra + "\n---\n" + body + "\n"


def workflow(name: str, steps: list[tuple[str, str, str, str]]) -> str:
    """steps: (id, role, dependsOn, task text)."""
    out = [f"---\nname: {name}\ndescription: test workflow {name}\n---\n"]
    for sid, role, deps, task in steps:
        meta = [f"role: {role}"] + ([f"dependsOn: {deps}"] if deps else [])
        out.append(f"## {sid}\n" + "\n".join(meta) + f"\n\n{task}\n")
    return "\n".join(out)


class RunSession(Session):
    @property
    def events(self) -> list[tuple[float, str, Any]]:
        return self.client.events  # type: ignore[attr-defined]

    def of(self, method: str, run_id: str | None = None) -> list[Any]:
        out = [p for _, m, p in self.events if m == method]
        if run_id is not None:
            out = [p for p in out if (p.get("runId") if isinstance(p, dict) else getattr(p, "runId", None)) == run_id]
        return out

    def timed(self, method: str, run_id: str) -> list[tuple[float, dict]]:
        return [(t, p) for t, m, p in self.events if m == method and p.get("runId") == run_id]

    def progress_of(self, token: str) -> list[dict]:
        """The token's progress values as JSON objects, in arrival order."""
        unstructure = self.client.protocol._converter.unstructure
        return [v if isinstance(v, dict) else unstructure(v) for v in self.client.progress_reports.get(token, [])]

    def tokens(self) -> list[str]:
        """Progress tokens in the order the server created them."""
        return [p for _, m, p in self.events if m == "create"]

    async def run_until(self, run_id: str, statuses: tuple[str, ...] = ("completed", "failed", "cancelled", "blocked"),
                        timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            view = await self.command("crew.status", {"runId": run_id})
            if view["status"] in statuses and not view.get("active"):
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"run {run_id} still {view['status']} after {timeout} s")
            await asyncio.sleep(0.05)


async def start_run_session(tmp_path: Path, files: dict[str, str], *, profile: str = "vscode", crew: bool = True,
                            init_options: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                            answer: str | None = None, progress: bool = True, root: Path | None = None,
                            experimental: dict[str, Any] | None = None) -> RunSession:
    """``experimental``: client capabilities declared beside `crewNotifications` (when ``crew``)."""
    root = root or tmp_path / "ws"
    root.mkdir(parents=True, exist_ok=True)
    write_project(root, files)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    client = await server_config(home, env, answer).start()
    caps = client_capabilities(CLIENTS[profile])
    caps.experimental = {"crewNotifications": True, **(experimental or {})} if crew else None
    if not progress and caps.window is not None:
        caps.window.work_done_progress = False
    options: dict[str, Any] = {"diagnostics": {"delayMs": 0}}
    options.update(init_options or {})
    result = await client.initialize_session(T.InitializeParams(
        capabilities=caps, root_uri=root.as_uri(),
        workspace_folders=[T.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options=options,
    ))
    return RunSession(client, root, profile, result)


async def stop_run_session(session: Session) -> None:
    try:
        await asyncio.wait_for(session.client.shutdown_session(), 20)
    finally:
        await session.client.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is gone for our purpose
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    """Any live (non-zombie) process in the group."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def fake_pi_pids(marker: str) -> list[int]:
    """Live processes whose command line mentions the fake pi and a test-specific marker."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace")
        except OSError:
            continue
        if "fake_pi.py" in cmd and marker in cmd and alive(int(entry)):
            out.append(int(entry))
    return out
