"""The worker runtimes are listed once (crew_lsp/engine/runtimes.py); every other list derives from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import crew_lsp
from crew_lsp.engine.config import WorkerConfigError, resolve_worker
from crew_lsp.engine.runtimes import RUNTIMES
from crew_lsp.engine.workers import make_worker

PACKAGE = Path(crew_lsp.__file__).parent
# the names written out one after the other, as a tuple, a list or Literal[...] arguments would be
WRITTEN_OUT = re.compile(r"""["'](?:scaffold|pi|command)["']\s*,\s*["'](?:scaffold|pi|command)["']""")


def test_the_runtime_list_is_written_only_in_runtimes_py():
    places = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if WRITTEN_OUT.search(p.read_text()))
    assert places == ["engine/runtimes.py"]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_runtime_makes_a_worker_of_its_kind(runtime, monkeypatch, tmp_path):
    monkeypatch.setenv("PI_TEAMS_PI_BIN", str(tmp_path / "pi"))  # `pi` need not be installed to be chosen
    settings = resolve_worker(runtime, "echo {taskId}" if runtime == "command" else None)
    assert make_worker(settings).kind == runtime


def test_an_unknown_runtime_is_refused_naming_the_known_ones():
    with pytest.raises(WorkerConfigError, match="unknown runtime 'bogus' .*scaffold, pi or command"):
        resolve_worker("bogus")
