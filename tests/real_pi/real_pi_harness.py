"""Fixtures and helpers for running the real `pi` CLI offline against the scripted `FakeLLM`.

Used by tests/real_pi/conftest.py and imported by tests/engine/test_real_pi.py (a conftest only
serves its own folder). Isolation, so no real account or network is ever used: a private HOME and
`PI_CODING_AGENT_DIR` holding `models.json` (provider `fake` → this server) and `settings.json`
(no retries, so one HTTP 500 is one request), plus `PI_OFFLINE`, `PI_SKIP_VERSION_CHECK`,
`PI_TELEMETRY=0`. The variables are set in this process's environment because that is where the
engine builds each child's environment from (minus secret-named variables).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_llm import FakeLLM  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BUILT_PI = REPO / "build" / "pi" / "node_modules" / ".bin" / "pi"
MODEL = "fake/fake-model"


def real_pi_path() -> str:
    """`PI_REAL_BIN` (set by `make test`), else the copy `make real-pi` installs; skip if neither
    exists or `node` is missing. A `PI_REAL_BIN` naming a missing file is an error, not a skip."""
    if shutil.which("node") is None:
        pytest.skip("the real pi needs `node` on PATH (Node >= 20.6)")
    given = os.environ.get("PI_REAL_BIN", "").strip()
    if given:
        path = Path(given)
        assert path.is_file(), f"PI_REAL_BIN={given} does not exist"
        return str(path.resolve())
    if BUILT_PI.exists():
        return str(BUILT_PI.resolve())
    pytest.skip("real pi not installed: PI_REAL_BIN is unset and build/pi/node_modules/.bin/pi is missing (run `make real-pi`)")


def provider_config(base_url: str) -> dict:
    return {"providers": {"fake": {
        "baseUrl": base_url, "api": "openai-completions", "apiKey": "fake-key",
        "compat": {"supportsDeveloperRole": False, "supportsReasoningEffort": False, "supportsStore": False},
        "models": [{"id": "fake-model", "name": "Fake", "reasoning": False, "input": ["text"],
                    "contextWindow": 128000, "maxTokens": 4096,
                    "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0}}],
    }}}


SETTINGS = {"retry": {"enabled": False, "provider": {"maxRetries": 0, "timeoutMs": 60000}},
            "quietStartup": True, "enableInstallTelemetry": False}


@dataclass
class PiSandbox:
    bin: str
    home: Path
    agent_dir: Path
    llm: FakeLLM
    env: dict[str, str] = field(default_factory=dict)  # what was added to the environment

    def child_env(self, **extra: str) -> dict[str, str]:
        """A full environment for a subprocess (e.g. the `crew-lsp` CLI)."""
        return {**os.environ, **self.env, **extra}


def make_sandbox(root: Path, pi_bin: str, llm: FakeLLM) -> PiSandbox:
    home = root / "pi-home"
    agent_dir = home / "agent"
    agent_dir.mkdir(parents=True)
    (agent_dir / "models.json").write_text(json.dumps(provider_config(llm.base_url)))
    (agent_dir / "settings.json").write_text(json.dumps(SETTINGS))
    env = {"PI_TEAMS_PI_BIN": pi_bin, "HOME": str(home), "PI_CODING_AGENT_DIR": str(agent_dir),
           "PI_OFFLINE": "1", "PI_SKIP_VERSION_CHECK": "1", "PI_TELEMETRY": "0"}
    return PiSandbox(pi_bin, home, agent_dir, llm, env)


@pytest.fixture(scope="session")
def real_pi_bin() -> str:
    return real_pi_path()


@pytest.fixture
def fake_llm(tmp_path):
    """A scripted model server on an ephemeral 127.0.0.1 port; requests also go to requests.jsonl."""
    with FakeLLM(log=str(tmp_path / "requests.jsonl")) as llm:
        yield llm


@pytest.fixture
def pi_sandbox(tmp_path, monkeypatch, real_pi_bin, fake_llm) -> PiSandbox:
    """The real pi, isolated and pointed at `fake_llm`; the engine's `pi` runtime will run it."""
    box = make_sandbox(tmp_path, real_pi_bin, fake_llm)
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    return box


def agent_file(name: str, body: str, *, model: str | None = MODEL, tools: str = "bash, read",
               skills: str | None = None, mode: str = "replace") -> str:
    fm = [f"name: {name}", f"description: real-pi test agent {name}", f"model: {model or 'false'}",
          f"tools: {tools}", f"systemPromptMode: {mode}", "inheritProjectContext: false", "inheritSkills: false"]
    if skills:
        fm.append(f"skills: {skills}")
    return "---\n" + "\n".join(fm) + "\n---\n" + body.strip() + "\n"


def procs_with_cmdline(needle: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``needle``."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if needle in cmd and state not in ("Z", "X"):
            out.append(int(name))
    return out


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
