"""Real editors against the real server: headless Neovim and batch Emacs + eglot.

Each editor runs a driver script (next to this file) that writes its observations as JSON; the test
asserts what a person would see. A missing editor skips its test with the install hint
(`apt-get install -y neovim emacs-nox elpa-eglot` provides both), or fails it under `make test`
(CREW_EDITORS_REQUIRED=1, see conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ELPA = Path("/usr/share/emacs/site-lisp/elpa")

AGENT = "---\nname: scribe\ndescription: Writes the documentation\n---\nYou write documentation.\n"
TEAM = ("---\nname: broken\ndescription: A team with a typo\ndefaultWorkflow: docs\n---\n"
        "- explorer: agent=explorer find the facts\n- scribe: agent=scrib write the docs\n")
WORKFLOW = ("---\nname: docs\ndescription: Explore then write\n---\n\n## explore\nrole: explorer\noutput: facts.md\n\n"
            "Find the facts for {goal}.\n\n## write\nrole: scribe\ndependsOn: explore\nreads: facts.md\n\n"
            "Write the docs for {goal}.\n")
MESSAGE = "Role `scribe` references unknown agent `scrib` — did you mean `scribe`?"


def _workspace(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path / "ws"
    for rel, text in ((".crew/agents/scribe.md", AGENT), (".crew/teams/broken.team.md", TEAM),
                      (".crew/workflows/docs.workflow.md", WORKFLOW)):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    state = tmp_path / "state"
    env = dict(os.environ)
    env.update({
        "PI_TEAMS_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        "CREW_PYTHON": sys.executable,
        "CREW_ROOT": str(root),
        "CREW_FILE": str(root / ".crew/teams/broken.team.md"),
        "CREW_OUT": str(tmp_path / "result.json"),
        # keep editor state out of $HOME
        "HOME": str(tmp_path / "userhome"),
        "XDG_CONFIG_HOME": str(state / "config"), "XDG_CACHE_HOME": str(state / "cache"),
        "XDG_DATA_HOME": str(state / "data"), "XDG_STATE_HOME": str(state / "state"),
    })
    for key in ("userhome",):
        (tmp_path / key).mkdir(exist_ok=True)
    (tmp_path / "home").mkdir(exist_ok=True)
    return root, tmp_path / "result.json", env


def _run(cmd: list[str], env: dict[str, str], out: Path, cwd: Path) -> dict:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
                          start_new_session=True)
    assert out.exists(), f"no result written (exit {proc.returncode})\nstdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
    result = json.loads(out.read_text())
    result["_exit"] = proc.returncode
    result["_stderr"] = proc.stderr[-2000:]
    return result


def test_neovim_shows_the_diagnostic_and_applies_the_quick_fix(tmp_path, editor_missing):
    if shutil.which("nvim") is None:
        editor_missing("Neovim is not installed (apt-get install -y neovim)")
    root, out, env = _workspace(tmp_path)
    result = _run(["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {HERE / 'neovim_driver.lua'}"],
                  env, out, root)
    assert result["got_diagnostics"] is True, result
    (diag,) = result["diagnostics"]
    assert diag["code"] == "CREW201"
    assert diag["message"] == MESSAGE
    assert (diag["lnum"], diag["col"], diag["end_col"]) == (6, 16, 21)
    assert diag["severity"] == 1 and diag["source"] == "crew"
    assert result["action_titles"][:2] == ["Change to `scribe`", "Create agent `scrib`"]
    assert result["applied"] == "Change to `scribe`"
    assert result["cleared"] is True, result
    assert result["line_after"] == "- scribe: agent=scribe write the docs"
    assert result["offset_encoding"] == "utf-16"
    assert result["_exit"] == 0, result


def test_emacs_eglot_receives_the_diagnostics(tmp_path, editor_missing):
    if shutil.which("emacs") is None:
        editor_missing("Emacs is not installed (apt-get install -y emacs-nox elpa-eglot)")
    if not any(ELPA.glob("eglot-*")):
        editor_missing("eglot is not installed (apt-get install -y elpa-eglot)")
    root, out, env = _workspace(tmp_path)
    env["CREW_ELPA"] = str(ELPA)
    result = _run(["emacs", "-Q", "--batch", "-l", str(HERE / "eglot_driver.el")], env, out, root)
    assert "error" not in result, result
    assert result["raw_codes"] == ["CREW201"], result
    (diag,) = result["flymake_diagnostics"]
    assert MESSAGE in diag["text"]
    assert (diag["line"], diag["col"]) == (7, 16)  # 1-based line, 0-based column of `scrib`
    assert diag["type"] in ("eglot-error", ":error", "error")
    assert result["_exit"] == 0, result
