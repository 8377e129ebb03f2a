"""The run store: ids and paths, atomic files, the lock, events.jsonl (seq, torn lines, rotation)."""

from __future__ import annotations

import json
import os
import time

import pytest

from crew_lsp.engine import events as events_mod
from crew_lsp.engine.events import EventLog, read_events
from crew_lsp.engine.state import LockTimeout, RunLock, RunPaths, RunStore, UnsafePath, check_id, safe_join


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "a b", "..", "/abs", "x\n"])
def test_run_and_task_ids_refused(tmp_path, bad):
    with pytest.raises(UnsafePath):
        check_id(bad)
    with pytest.raises(UnsafePath):
        RunStore(tmp_path, tmp_path).paths(bad)
    with pytest.raises(UnsafePath):
        RunPaths(tmp_path, "ok_run").agent_dir(bad)


def test_safe_join_refuses_escapes_and_symlinks(tmp_path):
    root = tmp_path / "crew"
    (root / "artifacts").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "artifacts" / "link").symlink_to(outside)
    for parts in (("..", "x"), ("/etc/passwd",), ("a/../../b",)):
        with pytest.raises(UnsafePath):
            safe_join(root, *parts)
    with pytest.raises(UnsafePath, match="symlink"):
        safe_join(root, "artifacts", "link", "file.md")
    with pytest.raises(UnsafePath):
        RunPaths(root, "r1").shared("../../escape.md")
    assert safe_join(root, "artifacts", "r1", "shared/sub/x.md") == root / "artifacts" / "r1" / "shared" / "sub" / "x.md"


def test_event_seq_strictly_increases_across_writers(tmp_path):
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.write([log.make("run.created", "r"), log.make("task.completed", "r", "t1", data={"x": 1})])
    log2 = EventLog(path)  # a restart: the sidecar and the tail agree on the last seq
    log2.write([log2.make("run.running", "r")])
    (tmp_path / "events.jsonl.seq").write_text("1\n")  # a stale sidecar: the tail still wins
    log3 = EventLog(path)
    log3.write([log3.make("run.completed", "r")])
    seqs = [e.seq for e in read_events(path)]
    assert seqs == [1, 2, 3, 4]
    done = read_events(path)[1]
    assert len(done.metadata["fingerprint"]) == 16 and "fingerprint" not in read_events(path)[0].metadata


def test_torn_last_line_is_skipped_and_repaired(tmp_path):
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.write([log.make("run.created", "r"), log.make("run.running", "r")])
    with open(path, "ab") as f:
        f.write(b'{"time": "2025-01-01", "type": "task.sta')  # crash mid-write
    assert [e.seq for e in read_events(path)] == [1, 2]
    log2 = EventLog(path)
    log2.write([log2.make("task.started", "r", "t")])
    events = read_events(path)
    assert [e.seq for e in events] == [1, 2, 3] and events[-1].type == "task.started"
    assert path.read_bytes().endswith(b"\n")


def test_events_are_redacted(tmp_path):
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.write([log.make("task.progress", "r", "t", "password=hunter2", {"auth_token": "secret", "tokens": 12})])
    raw = path.read_text()
    assert "hunter2" not in raw and "secret" not in raw and '"tokens": 12' in raw


def test_rotation_keeps_newest_1000(tmp_path, monkeypatch):
    monkeypatch.setattr(events_mod, "ROTATE_BYTES", 20_000)
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    for _ in range(30):
        log.write([log.make("task.progress", "r", "t", "x" * 100) for _ in range(50)])
    events = read_events(path)
    assert len(events) <= 1000 and events[-1].seq == 1500
    assert all(b.seq > a.seq for a, b in zip(events, events[1:]))


def test_run_lock_is_exclusive_and_stale_after_30s(tmp_path):
    path = tmp_path / "run.lock"
    with RunLock(path):
        assert json.loads(path.read_text())["pid"] == os.getpid()
        with pytest.raises(LockTimeout):
            RunLock(path, timeout=0.05).acquire()
    assert not path.exists()
    path.write_text(json.dumps({"pid": os.getpid(), "time": 0}))
    old = time.time() - 31
    os.utime(path, (old, old))
    with RunLock(path, timeout=0.05):
        pass
