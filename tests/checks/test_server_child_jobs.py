"""How many processes the language server's cold-start child uses (checks/jobs.py, `for_server_child`;
docs/architecture.md, Head start): while its stdin pipe is open the server is still starting and has
a core to itself."""

from __future__ import annotations

import os

import pytest

from crew_lsp.checks import jobs as jobs_module
from crew_lsp.checks.jobs import SERVER_WAIT_FILES, for_server_child

SMALL, LARGE = 2_000, SERVER_WAIT_FILES * 5


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
