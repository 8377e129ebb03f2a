"""The language server's cold-start child (checks/jobs.py; docs/architecture.md, Head start): how many
processes it uses — while its stdin pipe is open the server is still starting and has a core to
itself — and that it ends when the server does."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crew_lsp.checks import jobs as jobs_module
from crew_lsp.checks.jobs import SERVER_WAIT_FILES, for_server_child

SMALL, LARGE = 2_000, SERVER_WAIT_FILES * 5
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def starting():
    """A child's stdin while the server starts: a pipe whose write end is still open."""
    read, write = os.pipe()
    yield read, write
    os.close(read)
    try:
        os.close(write)
    except OSError:
        pass


def test_a_small_folder_is_checked_on_one_process_while_the_server_starts(starting):
    read, _write = starting
    assert for_server_child(4, read)(SMALL) == 1


def test_once_the_server_has_started_every_core_is_used(starting):
    read, write = starting
    os.close(write)
    assert for_server_child(4, read)(SMALL) == 4
    assert for_server_child(4, read)(LARGE) == 4


def test_a_large_folder_waits_a_bounded_time_for_the_server_then_uses_every_core(starting, monkeypatch):
    monkeypatch.setattr(jobs_module, "SERVER_WAIT_S", 0.0)  # (a server that never says it started)
    read, _write = starting
    assert for_server_child(4, read)(LARGE) == 4


def test_a_child_whose_stdin_is_no_pipe_uses_every_core():
    with open(os.devnull, "rb") as devnull:
        assert for_server_child(3, devnull.fileno())(SMALL) == 3


CHILD = """
import os, sys, time
from crew_lsp.checks.jobs import end_with_parent
end_with_parent()
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
"""
SERVER = """
import subprocess, sys, time
subprocess.Popen([sys.executable, sys.argv[1], sys.argv[2]])
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_server_child_ends_when_the_process_that_started_it_is_killed(tmp_path):
    # a stand-in for the server starts a child that asks to end with it, and is then killed
    (tmp_path / "child.py").write_text(CHILD)
    (tmp_path / "server.py").write_text(SERVER)
    pid_file = tmp_path / "child.pid"
    server = subprocess.Popen([sys.executable, str(tmp_path / "server.py"), str(tmp_path / "child.py"), str(pid_file)],
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists():  # (written once the child asked)
            assert server.poll() is None and time.monotonic() < deadline, "the child did not start"
            time.sleep(0.01)
        child = int(pid_file.read_text())
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 10
    while _alive(child):  # (killed by the kernel once its parent is gone)
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            return stat_file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
