"""The one file loader of `crew-lsp check` and the server: only regular files inside their root are read.

A workspace is untrusted input: a symlink may point at a secret or at `/dev/zero`, a FIFO blocks
whoever opens it for reading, a 1 GB file costs a gigabyte. Each case below yields either the text
or one `Problem` saying why the file was not read.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from crew_lsp.resources.discovery import Workspace, scan
from crew_lsp.resources.loader import MAX_BYTES, Loader, load_file, text_problem

AGENT = "---\r\nname: scribe\r\ndescription: Writes\r\n---\r\nYou write.\r\n"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / ".crew" / "agents").mkdir(parents=True)
    return root


def _finishes(fn, *args):
    """fn(*args) in a daemon thread: its result, or a failure (not a hung test run) when it blocks."""
    done = threading.Event()
    box: list = []

    def run() -> None:
        box.append(fn(*args))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(10), f"{fn.__name__} blocked"
    return box[0]


def test_a_regular_file_is_read_exactly_with_its_stamp(ws):
    path = ws / ".crew/agents/scribe.md"
    path.write_bytes(AGENT.encode())
    loaded = load_file(str(path), str(ws))
    st = path.stat()
    assert loaded.text == AGENT  # CRLF kept: pi-crew's grammar sees it
    assert loaded.problem is None
    assert loaded.stamp == (st.st_mtime_ns, st.st_size)


def test_a_missing_file_or_a_folder_is_no_file(ws):
    assert load_file(str(ws / ".crew/agents/gone.md"), str(ws)).text is None
    (ws / ".crew/agents/folder.md").mkdir()
    loaded = load_file(str(ws / ".crew/agents/folder.md"), str(ws))
    assert loaded.text is None and loaded.problem is None


def test_a_fifo_is_not_opened_for_a_blocking_read(ws):
    fifo = ws / ".crew/agents/f.md"
    os.mkfifo(fifo)
    loaded = _finishes(load_file, str(fifo), str(ws))
    assert loaded.text == ""
    assert loaded.problem.reason == "special"
    assert loaded.problem.message == "Not a regular file (a FIFO) — not read."


def test_a_socket_is_not_read(ws):
    path = ws / ".crew/agents/s.md"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(path))
    except OSError:
        pytest.skip("no room for a UNIX socket path here")
    try:
        loaded = load_file(str(path), str(ws))
    finally:
        sock.close()
    assert loaded.text == "" and loaded.problem.reason == "special" and "socket" in loaded.problem.message


def test_a_symlink_to_dev_zero_is_not_followed(ws):
    link = ws / ".crew/agents/zero.md"
    link.symlink_to("/dev/zero")
    loaded = _finishes(load_file, str(link), str(ws))
    assert loaded.text == ""
    assert loaded.problem.reason == "symlink-out"
    assert "/dev/zero" in loaded.problem.message


def test_a_symlink_out_of_the_workspace_is_not_read(ws, tmp_path):
    secret = tmp_path / "home" / "secret"
    secret.parent.mkdir()
    secret.write_text("AWS_SECRET_ACCESS_KEY=hunter2\n")
    link = ws / ".crew/agents/x.md"
    link.symlink_to(secret)
    loaded = load_file(str(link), str(ws))
    assert loaded.text == ""  # the secret's text never enters the index
    assert loaded.problem.reason == "symlink-out"
    assert "symlink leaves the workspace" in loaded.problem.message and str(secret) in loaded.problem.message


def test_a_symlink_inside_the_workspace_is_followed(ws):
    shared = ws / "shared" / "scribe.md"
    shared.parent.mkdir()
    shared.write_bytes(AGENT.encode())
    link = ws / ".crew/agents/scribe.md"
    link.symlink_to("../../shared/scribe.md")
    loaded = load_file(str(link), str(ws))
    assert loaded.text == AGENT and loaded.problem is None


def test_a_dangling_symlink_is_no_file(ws, tmp_path):
    (ws / ".crew/agents/dangling.md").symlink_to(tmp_path / "nowhere.md")
    assert load_file(str(ws / ".crew/agents/dangling.md"), str(ws)).text is None


def test_a_file_below_a_folder_symlinked_out_of_the_workspace_is_not_there(ws, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text("---\nname: x\n---\nsecret prompt\n")
    (ws / ".crew/teams").symlink_to(elsewhere, target_is_directory=True)
    loaded = load_file(str(ws / ".crew/teams/x.md"), str(ws))
    assert loaded.text is None  # as `scan` does not list the folder: a watcher event for it adds nothing


def test_scan_does_not_list_through_a_folder_symlinked_out_of_the_workspace(ws, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "agents").mkdir(parents=True)
    (elsewhere / "agents" / "spy.md").write_text("---\nname: spy\n---\nsecret prompt\n")
    (elsewhere / "skills" / "spy").mkdir(parents=True)
    (elsewhere / "skills" / "spy" / "SKILL.md").write_text("---\nname: spy\ndescription: d\n---\n")
    (ws / ".crew/agents").rmdir()
    (ws / ".crew/agents").symlink_to(elsewhere / "agents", target_is_directory=True)
    (ws / "skills").mkdir()
    (ws / "skills" / "spy").symlink_to(elsewhere / "skills" / "spy", target_is_directory=True)
    inside = ws / "shared-teams"
    inside.mkdir()
    (inside / "docs.team.md").write_text("---\nname: docs\n---\n- a: agent=a\n")
    (ws / ".crew/teams").symlink_to(inside, target_is_directory=True)  # stays inside: listed
    paths = [p for _k, scope, p in scan(Workspace.discover(ws)) if scope == "project"]
    assert paths == [str(ws.resolve() / ".crew/teams/docs.team.md")]


def test_a_file_above_the_cap_is_not_read(ws):
    big = ws / ".crew/agents/big.md"
    big.write_bytes(b"x" * (MAX_BYTES + 1))
    loaded = load_file(str(big), str(ws))
    assert loaded.text == ""
    assert loaded.problem.reason == "too-large"
    assert loaded.problem.message == f"Not checked: too large ({MAX_BYTES + 1} bytes, limit 2 MiB)."


def test_a_file_at_the_cap_is_read(ws):
    exact = ws / ".crew/agents/exact.md"
    exact.write_bytes(b"x" * MAX_BYTES)
    loaded = load_file(str(exact), str(ws))
    assert loaded.problem is None and len(loaded.text) == MAX_BYTES


def test_a_file_with_nul_bytes_is_binary_and_not_read(ws):
    blob = ws / ".crew/agents/blob.md"
    blob.write_bytes(b"---\nname: blob\n---\n\x00\x01\x02")
    loaded = load_file(str(blob), str(ws))
    assert loaded.text == "" and loaded.problem.reason == "binary"


def test_bad_utf8_is_read_as_pi_crew_reads_it(ws):
    path = ws / ".crew/agents/latin1.md"
    path.write_bytes(b"---\nname: caf\xe9\n---\nBody.\n")
    loaded = load_file(str(path), str(ws))
    assert loaded.problem is None
    assert loaded.text == "---\nname: caf\ufffd\n---\nBody.\n"  # Node's utf-8 decoder: U+FFFD per bad byte


def test_each_user_root_and_the_builtins_are_their_own_roots(tmp_path, monkeypatch):
    home = tmp_path / "home"
    agents = home / ".pi" / "agent" / "agents"
    agents.mkdir(parents=True)
    (home / "notes.md").write_text("---\nname: notes\n---\nprivate\n")
    (agents / "notes.md").symlink_to(home / "notes.md")  # leaves ~/.pi/agent
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    folder = tmp_path / "ws"
    folder.mkdir()
    ws = Workspace.discover(folder)
    loaded = Loader(ws.boundaries()).load(str(agents / "notes.md"))
    assert loaded.problem.reason == "symlink-out"


def test_an_editor_text_above_the_cap_or_with_nul_is_not_read():
    big = "é" * (MAX_BYTES // 2 + 1)  # fewer characters than the cap, more UTF-8 bytes
    problem = text_problem(big)
    assert problem.reason == "too-large"
    assert problem.message == f"Not checked: too large ({MAX_BYTES + 2} bytes, limit 2 MiB)."
    assert text_problem("a\x00b").reason == "binary"
    assert text_problem("plain text") is None
