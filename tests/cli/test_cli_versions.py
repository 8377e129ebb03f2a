"""`crew-lsp check --pi-crew-version` (README.md, Versions): the same files read as another pi-crew version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AGENT = "---\nname: asker\ndescription: Asks the user\ntools: read, ask\n---\nYou ask.\n"


def crew(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crew_lsp", *args], cwd=cwd, env={**os.environ, "NO_COLOR": "1"},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".crew" / "agents").mkdir(parents=True)
    (tmp_path / ".crew" / "agents" / "asker.md").write_text(AGENT, encoding="utf-8")
    return tmp_path


def _codes(out: subprocess.CompletedProcess) -> list[str]:
    return [d["code"] for d in json.loads(out.stdout)]


@pytest.mark.parametrize(("version", "codes"), [("0.2", ["CREW405"]), ("0.2.0", ["CREW405"]), ("0.10", []), ("0.10.1", [])])
def test_the_version_option_chooses_the_reading(project, version, codes):
    out = crew("check", ".", "--format", "json", "--pi-crew-version", version, cwd=project)
    assert _codes(out) == codes, out.stderr


def test_auto_detects_the_version_from_the_project_pin(project):
    (project / ".pi").mkdir()
    (project / ".pi" / "settings.json").write_text(json.dumps({"packages": ["npm:pi-crew@0.10.1"]}), encoding="utf-8")
    assert _codes(crew("check", ".", "--format", "json", "--pi-crew-version", "auto", cwd=project)) == []
    assert _codes(crew("check", ".", "--format", "json", cwd=project)) == []


def test_a_bad_version_is_a_clear_error(project):
    out = crew("check", ".", "--pi-crew-version", "ten", cwd=project)
    assert out.returncode == 2
    assert "--pi-crew-version: `ten` is not a version" in out.stderr


def test_a_newer_version_is_read_as_the_newest_and_said_once(project):
    (project / "second").mkdir()
    out = crew("check", ".", "second", "--pi-crew-version", "3.1.4", cwd=project)
    assert out.stderr.count("3.1.4 is newer than crew-lsp knows, read as 0.10.1") == 1
    assert "CREW405" not in out.stdout
