"""`crew-lsp check` as scripts use it (README.md, Command line): a subprocess, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from crew_lsp.checks.codes import CODES

ROOT = Path(__file__).resolve().parents[2]
CLEAN = "examples/clean"
BROKEN = "examples/broken"
TEXT_LINE = re.compile(r"(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|information|hint) (?P<code>CREW\d{3}) (?P<message>.+)")


def crew(*args: str, cwd: Path = ROOT, python_args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run `python -m crew_lsp ARGS` with the test's user root (PI_TEAMS_HOME) and no colours."""
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, *python_args, "-m", "crew_lsp", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def broken_json() -> list[dict]:
    out = crew("check", BROKEN, "--format", "json")
    assert out.returncode == 1, out.stderr
    return json.loads(out.stdout)


def test_clean_example_exits_0():
    out = crew("check", CLEAN)
    assert out.returncode == 0, out.stdout + out.stderr
    assert not any(f" {sev} " in line for line in out.stdout.splitlines() for sev in ("error", "warning"))


def test_broken_example_exits_1_with_text_lines():
    out = crew("check", BROKEN)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines and all(TEXT_LINE.fullmatch(line) for line in lines), lines
    first = TEXT_LINE.fullmatch(lines[0])
    assert not Path(first["path"]).is_absolute() and first["path"].startswith(BROKEN)
    assert "\033[" not in out.stdout
    assert re.search(r"\d+ errors?, \d+ warnings?", out.stderr)


def test_text_and_json_agree(broken_json):
    text = crew("check", BROKEN).stdout.splitlines()
    as_text = [f"{d['path']}:{d['range']['start']['line'] + 1}:{d['range']['start']['character'] + 1}: {d['severity']} {d['code']} {d['message']}"
               for d in broken_json]
    assert as_text == text


def test_json_shape(broken_json):
    assert broken_json
    for d in broken_json:
        assert set(d) == {"path", "range", "severity", "code", "message"}
        assert set(d["range"]) == {"start", "end"}
        for end in ("start", "end"):
            assert set(d["range"][end]) == {"line", "character"}
            assert all(isinstance(v, int) and v >= 0 for v in d["range"][end].values())
        assert d["severity"] in ("error", "warning", "information", "hint")
        assert re.fullmatch(r"CREW\d{3}", d["code"]) and d["message"]
    bom = next(d for d in broken_json if d["path"].endswith("bom.md"))
    assert bom["code"] == "CREW101" and bom["range"]["start"] == {"line": 0, "character": 0}  # 0-based


def test_sarif_is_valid_sarif_2_1_0(broken_json):
    out = crew("check", BROKEN, "--format", "sarif")
    assert out.returncode == 1
    log = json.loads(out.stdout)
    schema = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)  # every code, in table order
    results = run["results"]
    assert [r["ruleId"] for r in results] == [d["code"] for d in broken_json]
    for r, d in zip(results, broken_json):
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == d["range"]["start"]["line"] + 1
        assert region["startColumn"] == d["range"]["start"]["character"] + 1
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file://")


def test_folder_without_resources(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing for pi-crew here\n")
    out = crew("check", str(tmp_path))
    assert (out.returncode, out.stdout) == (0, "")
    json_out = crew("check", str(tmp_path), "--format", "json")
    assert (json_out.returncode, json.loads(json_out.stdout)) == (0, [])


def test_missing_path_is_a_usage_error(tmp_path):
    missing = tmp_path / "does-not-exist"
    out = crew("check", str(missing))
    assert out.returncode == 2 and out.stdout == ""
    assert "no such file or folder" in out.stderr and str(missing) in out.stderr


def test_bad_format_is_a_usage_error():
    out = crew("check", BROKEN, "--format", "xml")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_single_file_and_several_paths(broken_json):
    quoted = f"{BROKEN}/.crew/agents/quoted.md"
    out = crew("check", quoted, "--format", "json")
    assert out.returncode == 0  # a warning and an information: no error
    assert [d["code"] for d in json.loads(out.stdout)] == ["CREW105", "CREW112"]
    both = json.loads(crew("check", CLEAN, BROKEN, "--format", "json").stdout)
    assert both == broken_json  # the clean example adds nothing


def test_default_path_is_the_current_folder(broken_json):
    out = crew("check", "--format", "json", cwd=ROOT / BROKEN)
    assert out.returncode == 1
    assert [d["path"] for d in json.loads(out.stdout)] == [str(Path(d["path"]).relative_to(BROKEN)) for d in broken_json]


def _imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_check_does_not_import_the_language_server():
    out = crew("check", BROKEN, python_args=("-X", "importtime"))
    assert out.returncode == 1
    modules = _imported(out.stderr)
    assert "crew_lsp.report" in modules
    assert not {m for m in modules if m.split(".")[0] in ("pygls", "lsprotocol") or m.startswith("crew_lsp.server")}


def test_check_without_config_does_not_import_pydantic(tmp_path):
    (tmp_path / ".crew" / "agents").mkdir(parents=True)
    (tmp_path / ".crew" / "agents" / "a.md").write_text("---\nname: a\ndescription: x\n---\nYou work.\n")
    out = crew("check", str(tmp_path), python_args=("-X", "importtime"))
    assert out.returncode == 0
    assert not {m for m in _imported(out.stderr) if m.startswith("pydantic")}


def test_check_without_config_imports_neither_typing_nor_dataclasses(tmp_path):
    # (each costs a few milliseconds of every check's start-up: annotations are strings, records plain classes)
    (tmp_path / ".crew" / "agents").mkdir(parents=True)
    (tmp_path / ".crew" / "agents" / "a.md").write_text("---\nname: a\ndescription: x\n---\nYou work.\n")
    (tmp_path / ".crew" / "teams").mkdir()
    (tmp_path / ".crew" / "teams" / "t.team.md").write_text("---\nname: t\ndescription: x\n---\n- lead: agent=b\n")
    out = crew("check", "--no-cache", "--jobs", "1", str(tmp_path), python_args=("-X", "importtime"))
    assert out.returncode == 1  # (the team names an unknown agent: the checks ran)
    assert not _imported(out.stderr) & {"typing", "dataclasses"}


def test_check_without_the_cache_loads_neither_its_key_nor_its_store(tmp_path):
    (tmp_path / ".crew" / "agents").mkdir(parents=True)
    (tmp_path / ".crew" / "agents" / "a.md").write_text("---\nname: a\ndescription: x\n---\nYou work.\n")
    out = crew("check", "--no-cache", str(tmp_path), python_args=("-X", "importtime"))
    assert out.returncode == 0
    assert not {m for m in _imported(out.stderr) if m.startswith(("crew_lsp.cache.", "_blake2", "hashlib"))}
