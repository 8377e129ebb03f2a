"""Corrupt or unwritable run state: every reader validates and answers one clear error, a garbage
or stale lock is broken at once, and a failed write releases the lock and records the failure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from engine_helpers import PY
from faults import DiskFull

from crew_lsp.engine.cli import main
from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.state import CorruptRunState, LockTimeout, RunLock, RunStore


@pytest.fixture
def run_id(ws, capsys) -> str:
    """A finished scaffold run of the default team, made through the CLI."""
    assert main(["run", "--cwd", str(ws.root), "--json", "go"]) == 0
    capsys.readouterr()
    return _only_run(ws)


def _only_run(ws) -> str:
    (run_id,) = [p.name for p in (ws.crew / "state" / "runs").iterdir()]
    return run_id


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _assert_one_clear_line(err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("crew-lsp: ") and "Traceback" not in err and "internal error" not in err
    for text in expected:
        assert text in lines[0], lines[0]


# --- tasks.json ------------------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", [b"garbage", b'{"tasks": 5}', b'{"tasks": [{"id": "a", "status": "exploded"}]}', b""])
async def test_garbage_tasks_file_is_a_corrupt_run_not_an_empty_one(ws, capsys, garbage, run_id):
    tasks = ws.run_dir(run_id) / "tasks.json"
    tasks.write_bytes(garbage)
    manifest_before = (ws.run_dir(run_id) / "manifest.json").read_bytes()
    async with RunManager(ws.root) as runs:
        with pytest.raises(CorruptRunState) as caught:
            await runs.resume(run_id)
        assert caught.value.path == tasks
        with pytest.raises(CorruptRunState):
            await runs.status(run_id)
    # nothing was claimed, re-queued or locked
    assert (ws.run_dir(run_id) / "manifest.json").read_bytes() == manifest_before
    assert not (ws.run_dir(run_id) / "run.lock").exists()


def test_cli_resume_and_status_of_a_garbage_tasks_file_say_so_in_one_line(ws, capsys, run_id):
    (ws.run_dir(run_id) / "tasks.json").write_text("garbage")
    for action in ("resume", "status"):
        code, out, err = _cli(capsys, "runs", action, run_id, "--cwd", str(ws.root))
        assert code == 2 and out == ""
        _assert_one_clear_line(err, "corrupt run state", "tasks.json")


# --- manifest.json --------------------------------------------------------------------------------


WRONG_TYPES = pytest.mark.parametrize("field, value", [
    ("owner", "x"), ("runtime", 5), ("status", "exploded"), ("concurrency", "4"), ("roles", []),
])


def _set_in_manifest(ws, run_id: str, field: str, value: object):
    path = ws.run_dir(run_id) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest[field] = value
    path.write_text(json.dumps(manifest))
    return path


@WRONG_TYPES
async def test_wrong_typed_manifest_is_reported_with_the_field(ws, field, value, run_id):
    path = _set_in_manifest(ws, run_id, field, value)
    async with RunManager(ws.root) as runs:
        for call in (runs.status(run_id), runs.resume(run_id), runs.recover(run_id, accept=False)):
            with pytest.raises(CorruptRunState) as caught:
                await call
            assert caught.value.path == path and caught.value.reason.startswith(field)


@WRONG_TYPES
def test_cli_status_of_a_wrong_typed_manifest_says_so_in_one_line(ws, capsys, field, value, run_id):
    _set_in_manifest(ws, run_id, field, value)
    code, _, err = _cli(capsys, "runs", "status", run_id, "--cwd", str(ws.root))
    assert code == 2
    _assert_one_clear_line(err, "manifest.json", field)


def test_a_manifest_of_another_run_is_corrupt(ws, capsys, run_id):
    path = ws.run_dir(run_id) / "manifest.json"
    path.write_text(path.read_text().replace(run_id, "team_other"))
    code, _, err = _cli(capsys, "runs", "resume", run_id, "--cwd", str(ws.root))
    assert code == 2
    _assert_one_clear_line(err, "manifest.json", "team_other")


def test_one_corrupt_run_does_not_hide_the_others_from_the_list(ws, capsys, caplog, run_id):
    corrupt = run_id
    (ws.run_dir(corrupt) / "manifest.json").write_text("{")
    assert main(["run", "--cwd", str(ws.root), "--json", "go"]) == 0
    capsys.readouterr()
    code, out, _ = _cli(capsys, "runs", "list", "--cwd", str(ws.root), "--json")
    listed = [r["runId"] for r in json.loads(out)]
    assert code == 0 and len(listed) == 1 and corrupt not in listed
    (warning,) = [r for r in caplog.records if corrupt in r.getMessage()]
    assert "manifest.json: not valid JSON" in warning.getMessage() and warning.exc_info is None


def test_a_state_file_that_is_not_a_regular_file_is_not_read(ws, capsys, run_id):
    tasks = ws.run_dir(run_id) / "tasks.json"
    tasks.unlink()
    tasks.symlink_to("/dev/zero")  # read whole, it would never end
    code, _, err = _cli(capsys, "runs", "status", run_id, "--cwd", str(ws.root))
    assert code == 2
    _assert_one_clear_line(err, "tasks.json", "not a regular file")


# --- events.jsonl -----------------------------------------------------------------------------------


def test_torn_and_garbage_event_lines_are_skipped_not_fatal(ws, capsys, run_id):
    events = ws.run_dir(run_id) / "events.jsonl"
    good = events.read_text().splitlines()
    bad = ["garbage", "[1, 2]", '{"type": "x", "runId": "r", "metadata": {"seq": "abc"}}',
           '{"type": 5, "metadata": {"seq": 99}}', '{"time": "t", "type": "run.sta']
    events.write_text("\n".join([good[0], *bad[:4], *good[1:], bad[4]]))
    code, out, _ = _cli(capsys, "runs", "events", run_id, "--cwd", str(ws.root), "--json")
    page = json.loads(out)
    assert code == 0 and [e["metadata"]["seq"] for e in page["events"]] == list(range(1, len(good) + 1))
    code, _, err = _cli(capsys, "runs", "status", run_id, "--cwd", str(ws.root))
    assert code == 0 and err == ""


# --- run.lock ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"garbage", b"", b'{"pid": "me"}', b'{"pid": true, "time": 1}', b"[]"])
def test_garbage_lock_file_is_broken_at_once(tmp_path, content):
    path = tmp_path / "run.lock"
    path.write_bytes(content)
    with RunLock(path, timeout=0):  # timeout 0: taken without waiting, or LockTimeout
        assert json.loads(path.read_text())["pid"] > 0
    assert not path.exists()


def test_lock_of_a_dead_process_is_broken_at_once(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path = tmp_path / "run.lock"
    path.write_text(json.dumps({"pid": int(gone.stdout), "time": 0}))
    with RunLock(path, timeout=0):
        pass


def test_lock_of_a_live_process_is_waited_for_and_names_it(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        path = tmp_path / "run.lock"
        path.write_text(json.dumps({"pid": holder.pid, "time": 0}))
        with pytest.raises(LockTimeout, match=f"process {holder.pid}"):
            RunLock(path, timeout=0).acquire()
        assert path.exists()
    finally:
        holder.communicate(b"")


def test_cli_resume_with_a_garbage_lock_goes_ahead(ws, capsys, run_id):
    tasks = ws.run_dir(run_id) / "tasks.json"
    data = json.loads(tasks.read_text())
    data["tasks"][-1]["status"] = "failed"
    tasks.write_text(json.dumps(data))
    (ws.run_dir(run_id) / "run.lock").write_text("garbage")
    capsys.readouterr()
    code, out, err = _cli(capsys, "runs", "resume", run_id, "--cwd", str(ws.root), "--json")
    assert code == 0 and json.loads(out)["status"] == "completed", err
    assert not (ws.run_dir(run_id) / "run.lock").exists()


# --- a disk that fills up ----------------------------------------------------------------------------


def test_lock_is_not_left_behind_when_it_cannot_be_written(tmp_path, monkeypatch):
    DiskFull(monkeypatch, tmp_path)
    path = tmp_path / "run.lock"
    with pytest.raises(OSError):
        RunLock(path, timeout=0).acquire()
    assert list(tmp_path.iterdir()) == []


# the third task's worker runs until it is stopped: the disk fills while its prompt is written, so
# the run is in the middle of that task when its state cannot be written
WORKER = "import sys, time; sys.stdin.read(); time.sleep(60) if sys.argv[1] == '03_execute' else print('done')"
FILLS_UP = "prompts/03_execute.md"


def _run_argv(ws, tmp_path) -> list[str]:
    (tmp_path / "worker.py").write_text(WORKER)
    return ["run", "--cwd", str(ws.root), "--runtime", "command", "--worker-command", f"{PY} {tmp_path / 'worker.py'} {{taskId}}", "go"]


def _assert_failed_for_lack_of_space(view_or_manifest: dict) -> None:
    assert view_or_manifest["status"] == "failed"
    assert view_or_manifest["reason"] == "could not write the run state: [Errno 28] No space left on device"


def test_disk_full_for_a_moment_ends_the_run_failed_on_disk_with_the_reason(ws, tmp_path, capsys, caplog, monkeypatch):
    # room again after tasks.json failed to be written once
    disk = DiskFull(monkeypatch, ws.crew / "state", when_opened=FILLS_UP, failures=1, named="tasks.json")
    code, out, err = _cli(capsys, *_run_argv(ws, tmp_path))
    assert disk.failed == 1
    run_id = _only_run(ws)
    _assert_failed_for_lack_of_space(ws.manifest(run_id))
    tasks = ws.tasks(run_id)
    assert tasks["02_plan"]["status"] == "completed" and tasks["03_execute"]["status"] == "failed"
    assert not (ws.run_dir(run_id) / "run.lock").exists()
    assert [e["type"] for e in ws.events(run_id)][-1] == "run.failed"
    assert code == 1 and "Traceback" not in err and "Traceback" not in out
    assert f"{run_id}: failed — could not write the run state" in out
    assert not [r for r in caplog.records if r.exc_info]


def test_disk_full_for_good_releases_the_lock_and_says_so_in_one_line(ws, tmp_path, capsys, caplog, monkeypatch):
    disk = DiskFull(monkeypatch, ws.crew / "state", when_opened=FILLS_UP)
    code, out, err = _cli(capsys, *_run_argv(ws, tmp_path))
    assert disk.failed >= 1
    run_id = _only_run(ws)
    assert ws.manifest(run_id)["status"] == "running"  # the failure could not be recorded: recovery will find it
    assert not (ws.run_dir(run_id) / "run.lock").exists()
    assert not [p for p in ws.run_dir(run_id).iterdir() if p.name.endswith(".tmp")]
    assert code == 1 and "Traceback" not in err and "Traceback" not in out
    assert f"{run_id}: failed — could not write the run state" in out
    # the log (stderr, for the CLI) has one line about it, and no traceback
    (warning,) = [r for r in caplog.records if "could not record" in r.getMessage()]
    assert "No space left on device" in warning.getMessage()
    assert not [r for r in caplog.records if r.exc_info]


async def test_disk_full_through_the_engine_api(ws, tmp_path, monkeypatch):
    argv = _run_argv(ws, tmp_path)
    DiskFull(monkeypatch, ws.crew / "state", when_opened=FILLS_UP, failures=1, named="tasks.json")
    async with RunManager(ws.root, runtime="command", worker_command=argv[-2]) as runs:
        run_id = await runs.start(goal="go")
        final = await runs.wait(run_id)
    _assert_failed_for_lack_of_space(final.manifest)
    _assert_failed_for_lack_of_space(RunStore(ws.crew, ws.root).load_manifest(run_id))
