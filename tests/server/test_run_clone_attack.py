"""The clone attack on the server: a repository that commits an interrupted run and config asking for
it to be resumed automatically (tests/clone_attack.py), opened by a user whose own worker is
configured. The server runs nothing and writes nothing outside the workspace: it asks, and only the
user's answer resumes (or cancels) the run."""

from __future__ import annotations

from clone_attack import AUTO, plant_repository, tree, user_config, user_worker
from run_harness import start_run_session, stop_run_session


def _plant(tmp_path):
    root, outside, home = tmp_path / "ws", tmp_path / "outside", tmp_path / "home"
    run_id = plant_repository(root, outside, home)
    user_config(home, AUTO)  # even the user's own autoRecover does not resume a run of another process
    command, marker = user_worker(tmp_path / "user")
    return root, outside, run_id, command, marker


async def test_cloned_repository_with_an_interrupted_run_runs_nothing_when_opened(tmp_path):
    root, outside, run_id, command, marker = _plant(tmp_path)
    before = tree(tmp_path, skip=root)
    s = await start_run_session(tmp_path, {}, env={"CREW_WORKER_COMMAND": command})  # answers nothing
    try:
        await s.until(lambda: s.client.asked, what="the user to be asked")  # type: ignore[attr-defined]
        (asked,) = s.client.asked  # type: ignore[attr-defined]
        assert run_id in asked.message and [a.title for a in asked.actions] == ["Accept", "Decline"]
        await s.barrier()
        view = await s.command("crew.status", {"runId": run_id})
        assert view["status"] == "running" and view["interrupted"] is True and not view["active"]
        assert not [m.message for m in s.client.messages if "resumed" in m.message]
    finally:
        await stop_run_session(s)
    assert not marker.exists() and not (outside / "PWNED").exists()
    assert tree(tmp_path, skip=root) == before  # nothing written outside the workspace


async def test_declining_the_recovery_cancels_the_run_without_running_it(tmp_path):
    root, outside, run_id, command, marker = _plant(tmp_path)
    before = tree(tmp_path, skip=root)
    s = await start_run_session(tmp_path, {}, env={"CREW_WORKER_COMMAND": command}, answer="Decline")
    try:
        await s.until(lambda: s.client.asked, what="the user to be asked")  # type: ignore[attr-defined]
        final = await s.run_until(run_id, statuses=("cancelled",))
        assert final["manifest"]["reason"] == "interrupted-not-resumed"
    finally:
        await stop_run_session(s)
    assert not marker.exists()
    assert tree(tmp_path, skip=root) == before


async def test_accepted_recovery_runs_the_users_worker_not_the_committed_program(tmp_path):
    root, outside, run_id, command, marker = _plant(tmp_path)
    s = await start_run_session(tmp_path, {}, env={"CREW_WORKER_COMMAND": command}, answer="Accept")
    try:
        final = await s.run_until(run_id, timeout=20)
        assert final["status"] == "completed"
    finally:
        await stop_run_session(s)
    assert marker.read_text().split() == ["ran", "ran"]  # both unfinished tasks, by the user's worker
    assert not (outside / "PWNED").exists() and not any(outside.iterdir())


async def test_accepting_without_a_worker_of_the_user_says_so_and_runs_nothing(tmp_path):
    root, outside, run_id, _, _ = _plant(tmp_path)
    s = await start_run_session(tmp_path, {}, answer="Accept")  # no worker configured by the user
    try:
        await s.until(lambda: [m for m in s.client.messages if "cannot resume" in m.message], what="the refusal")
        (refusal,) = [m.message for m in s.client.messages if "cannot resume" in m.message]
        assert run_id in refusal and "no worker is configured" in refusal
        view = await s.command("crew.status", {"runId": run_id})
        assert view["status"] == "running" and view["interrupted"] is True
    finally:
        await stop_run_session(s)
    assert not (outside / "PWNED").exists() and not any(outside.iterdir())
