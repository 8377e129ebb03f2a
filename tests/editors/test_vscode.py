"""A real VS Code with the packaged extension: code-server 4.100 (VS Code 1.100) driven in Debian
Chromium by playwright-core, as a person would use it.

The test installs build/crew-lsp.vsix (`make package`) into a fresh extensions folder, opens a copy of
examples/clean with one broken team file, and runs tests/e2e/vscode/drive.mjs, which writes what it
saw as JSON and a screenshot per step into build/e2e/. The server is the one the .vsix carries, run
by this interpreter through `crew.server.python`. code-server, its extension host and the server run
in one process group of their own, killed when the test ends.

`make vscode-e2e-deps` installs code-server, Chromium and playwright-core; without them the test is
skipped, or fails under `make test` (CREW_EDITORS_REQUIRED=1). CREW_CODE_SERVER, CREW_CHROMIUM and
CREW_VSIX point it at other installs or another build of the extension.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
E2E = REPO / "tests/e2e/vscode"
VSIX = Path(os.environ.get("CREW_VSIX") or REPO / "build/crew-lsp.vsix")
SHOTS = REPO / "build/e2e"
CODE_SERVER = Path(os.environ.get("CREW_CODE_SERVER") or
                   Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crew-e2e/code-server/node_modules/.bin/code-server")
CHROMIUM = Path(os.environ.get("CREW_CHROMIUM", "/usr/bin/chromium"))

GOAL = "Write a getting-started page for the greeting module"
TEAM_FILE = ".crew/teams/typo.team.md"
TEAM = ("---\nname: typo\ndescription: The docs team, with a typo in an agent name\ndefaultWorkflow: docs\n---\n"
        "- explorer: agent=explorer find the facts\n"
        "- docs-writer: agent=docs-writr write the docs\n")
PROBLEM = "Role `docs-writer` references unknown agent `docs-writr` — did you mean `docs-writer`?"
PROBLEM_AT = "7:22"  # the start of `docs-writr`, 1-based as VS Code's Go to Line takes it
FIX = "Change to `docs-writer`"
FIXED_LINE = "- docs-writer: agent=docs-writer write the docs"

# Everything code-server needs, and where it would come from.
REQUIREMENTS = (
    (CODE_SERVER, "code-server is not installed (make vscode-e2e-deps)"),
    (CHROMIUM, "chromium is not installed (make vscode-e2e-deps)"),
    (E2E / "node_modules/playwright-core", "playwright-core is not installed (make vscode-e2e-deps)"),
    (VSIX, "build/crew-lsp.vsix is not built (make package)"),
)

USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "update.mode": "none",
    # machine- and application-scoped settings count only in the user settings, never the workspace's
    "crew.worker.runtime": "scaffold",
    "crew.server.python": sys.executable,
    # the protocol messages in the Crew output's log file, shown when the test fails
    "crew.trace.server": "messages",
}


class CodeServer:
    """code-server in its own process group, listening on a port of its choosing."""

    LISTENING = re.compile(r"HTTP server listening on (http://\S+?)/?\s*$")

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.url: str | None = None
        self._listening = threading.Event()
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.log.open("w") as out:
            for line in self.proc.stdout:
                out.write(line)
                out.flush()
                match = self.LISTENING.search(line)
                if match and self.url is None:
                    self.url = match.group(1)
                    self._listening.set()
        self._listening.set()  # code-server exited: stop waiting

    def wait_listening(self, timeout: float) -> str:
        self._listening.wait(timeout)
        assert self.url, f"code-server did not start listening; its log:\n{self.log.read_text()[-3000:]}"
        return self.url

    def stop(self) -> None:
        """Ends the whole group: code-server keeps extension hosts (and their servers) alive otherwise."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            if self._group_gone(timeout=10):
                break
        self._reader.join(timeout=10)

    def _group_gone(self, timeout: float) -> bool:
        """Waits until no process of the group is left (its exit is not an event one can wait on)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.proc.poll()  # reaps code-server itself: a zombie still counts as a member
            if not self.group_alive():
                return True
            time.sleep(0.05)
        return False

    def group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True


def _isolated_env(tmp_path: Path) -> dict[str, str]:
    """No editor state in $HOME, and no PYTHONPATH: the server must come from the .vsix."""
    state = tmp_path / "state"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VSCODE_IPC_HOOK_CLI")}
    env.update({
        "HOME": str(tmp_path / "userhome"),
        "PI_TEAMS_HOME": str(tmp_path / "pi-home"),
        "XDG_CONFIG_HOME": str(state / "config"), "XDG_CACHE_HOME": str(state / "cache"),
        "XDG_DATA_HOME": str(state / "data"), "XDG_STATE_HOME": str(state / "state"),
    })
    for folder in ("userhome", "pi-home"):
        (tmp_path / folder).mkdir()
    return env


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "examples/clean", root)
    (root / TEAM_FILE).write_text(TEAM)
    return root


def _planned_task_ids(root: Path, env: dict[str, str]) -> list[str]:
    """The tasks of the default team's plan, as crew-lsp itself computes them."""
    out = subprocess.run([sys.executable, "-m", "crew_lsp", "plan", "--json", "--team", "default", "--cwd", str(root), GOAL],
                         env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=60, check=True)
    return [task["id"] for task in json.loads(out.stdout)["tasks"]]


def _crew_output(tmp_path: Path) -> str:
    """The end of the extension's Crew output (VS Code keeps each output channel in a log file)."""
    logs = sorted((tmp_path / "user-data/logs").glob("*/exthost*/crew-lsp.crew-lsp/*.log"))
    return "\n".join(log.read_text(errors="replace")[-4000:] for log in logs) or "(no Crew output log)"


@pytest.fixture
def vscode(tmp_path: Path, editor_missing) -> Iterator[dict]:
    for path, reason in REQUIREMENTS:
        if not path.exists():
            editor_missing(reason)
    env = _isolated_env(tmp_path)
    root = _workspace(tmp_path)
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User/settings.json").write_text(json.dumps(USER_SETTINGS, indent=2))
    dirs = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    install = subprocess.run([str(CODE_SERVER), *dirs, "--install-extension", str(VSIX)], env=env,
                             capture_output=True, text=True, timeout=120, start_new_session=True)
    assert install.returncode == 0, f"installing the .vsix failed:\n{install.stdout}\n{install.stderr}"
    server = CodeServer([str(CODE_SERVER), "--bind-addr", "127.0.0.1:0", "--auth", "none", "--disable-telemetry",
                         "--disable-update-check", "--disable-workspace-trust", *dirs, str(root)],
                        env, tmp_path / "code-server.log")
    try:
        url = server.wait_listening(timeout=60)
        yield {"url": f"{url}/?folder={root}", "root": root, "env": env, "tmp": tmp_path}
    finally:
        server.stop()
        assert not server.group_alive(), "code-server's process group outlived the test"


def test_vscode_shows_fixes_completes_runs_and_previews_a_team(vscode):
    out = vscode["tmp"] / "seen.json"
    plan = _planned_task_ids(vscode["root"], vscode["env"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver_env = {**vscode["env"],
                  "CREW_E2E_URL": vscode["url"], "CREW_E2E_OUT": str(out), "CREW_E2E_SHOTS": str(SHOTS),
                  "CREW_E2E_CHROMIUM": str(CHROMIUM), "CREW_E2E_TEAM_FILE": TEAM_FILE,
                  "CREW_E2E_PROBLEM": PROBLEM, "CREW_E2E_PROBLEM_AT": PROBLEM_AT, "CREW_E2E_FIX": FIX,
                  "CREW_E2E_PLAN_TASKS": str(len(plan))}
    drive = subprocess.run(["node", str(E2E / "drive.mjs")], env=driver_env, cwd=E2E, capture_output=True, text=True,
                           timeout=300, start_new_session=True)
    assert out.exists(), f"the driver wrote nothing (exit {drive.returncode}):\n{drive.stdout[-2000:]}\n{drive.stderr[-2000:]}"
    seen = json.loads(out.read_text())
    assert "error" not in seen, (f"{seen['error']} (screenshot build/e2e/failed-*.png)\n{json.dumps(seen, indent=1)[-3000:]}"
                                 f"\n{drive.stderr[-2000:]}\nthe Crew output:\n{_crew_output(vscode['tmp'])}")

    # no start-up warning: the extension keeps the program-choosing settings (sent at start, from the
    # user settings) out of the workspace configuration the server reads
    shown = seen["notifications"] + seen["runNotifications"]
    assert not [text for text in shown if "ignored" in text], shown
    # a. the Problems panel lists the broken team's problem, its file closed
    assert any(PROBLEM in row for row in seen["problems"]), seen["problems"]
    # the language status of the team file names the pi-crew version it is read as, and why: the
    # user's pi settings (PI_CODING_AGENT_DIR, pinned to 0.2.0 for every test) list the package
    assert "pi-crew 0.2.0" in seen["languageStatus"], seen["languageStatus"]
    assert "settings.json lists" in seen["languageStatus"], seen["languageStatus"]
    # b. Ctrl+. offers the fix, which rewrites the agent name and clears the problem
    assert FIX in seen["quickFixes"], seen["quickFixes"]
    assert not any(PROBLEM in row for row in seen["problemsAfterFix"]), seen["problemsAfterFix"]
    assert FIXED_LINE in seen["editorText"].replace("\xa0", " ")
    # c. completion after `agent=` offers the builtin agents
    assert {"executor", "planner"} <= set(seen["completions"]), seen["completions"]
    # d. the default team ran (scaffold): the Runs view and the status bar say "completed"
    run_row, *task_rows = seen["runsView"]
    assert run_row == {"label": "default/default", "description": "completed"}, seen["runsView"]
    assert [row["label"] for row in task_rows] == plan, seen["runsView"]
    assert seen["statusBar"]["checkIcon"], seen["statusBar"]
    assert "completed" in seen["statusBar"]["tooltip"], seen["statusBar"]
    # e. the plan preview draws one node per planned task
    assert sorted(seen["planNodes"]) == sorted(plan), seen["planNodes"]
    assert seen["planFit"]["inView"] == len(plan), f"nodes cut off with the side bar open: {seen['planFit']}"
    assert drive.returncode == 0, drive.stderr[-2000:]
