"""The server's own watcher, for clients that register no file watchers (disk_watch.py): an OS watcher on
exactly the directories the index lists, never recursive, never through a symlink leaving the workspace;
a backed-off poll when the OS watcher cannot start."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.disk_watch import POLL_SECONDS, DiskWatcher, PollSchedule
from crew_lsp.server.watchers import directories_to_watch

from lsp_harness import start_session, stop_session

BAD_AGENT = "---\nname: {name}\ndescription: d\nthinking: loud\n---\nBody.\n"  # CREW406
SCRIBE = ".crew/agents/scribe.md"


def _workspace(root: Path, monkeypatch) -> Workspace:
    monkeypatch.setenv("PI_TEAMS_HOME", str(root / "home"))
    (root / "ws" / ".crew" / "agents").mkdir(parents=True)
    return Workspace.discover(root / "ws")


async def test_without_client_watchers_a_new_folder_and_its_files_are_noticed_and_deletions_too(tmp_path):
    # a workspace without `.crew/teams`: the watcher sees the folder appear, then watches it
    s = await start_session(tmp_path, "neovim", files={SCRIBE: BAD_AGENT.format(name="scribe")})
    try:
        await s.until(lambda: s.pushed(SCRIBE), what="the initial diagnostics")
        team = s.path(".crew/teams/new.team.md")
        team.parent.mkdir()
        team.write_text("---\nname: new\ndescription: d\n---\n- scribe: agent=nobody write\n")
        await s.until(lambda: "CREW201" in [d.code for d in s.pushed(".crew/teams/new.team.md")],
                      what="the new team in the new folder")
        team.unlink()
        await s.until(lambda: s.pushed(".crew/teams/new.team.md") == [], what="the deleted team to be cleared")
    finally:
        await stop_session(s)


def test_a_kind_folder_symlinked_out_of_the_workspace_is_not_watched(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    ws = _workspace(tmp_path, monkeypatch)
    (ws.crew / "teams").symlink_to(outside, target_is_directory=True)
    content, watched = directories_to_watch([ws])
    assert str(ws.crew / "teams") in content
    assert str(ws.crew / "teams") not in watched
    assert not any(w == str(outside) or w.startswith(str(outside) + os.sep) for w in watched)
    assert str(ws.crew / "agents") in watched


def test_a_missing_kind_folder_is_watched_through_its_nearest_existing_ancestor(tmp_path, monkeypatch):
    ws = _workspace(tmp_path, monkeypatch)
    content, watched = directories_to_watch([ws])
    assert str(ws.crew / "workflows") in content and str(ws.crew / "workflows") not in watched
    assert str(ws.crew) in watched  # sees `workflows` appear
    assert str(ws.folder / "skills") not in watched and str(ws.folder) in watched  # sees `skills` appear


def test_the_fallback_poll_backs_off_while_nothing_changes_and_looks_at_once_when_a_folder_changes():
    schedule = PollSchedule(now=0.0)
    now, gaps = 0.0, []
    for _ in range(8):  # idle: every full comparison finds nothing
        start = now
        while not schedule.due(now, layout_changed=False):
            now += POLL_SECONDS
        gaps.append(now - start)
        schedule.compared(now, found_changes=False)
    assert gaps == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    # a directory's mtime changed (a file created, deleted, renamed): compared at once, back to 2 s
    assert schedule.due(now + POLL_SECONDS, layout_changed=True)
    schedule.compared(now + POLL_SECONDS, found_changes=True)
    assert schedule.interval == POLL_SECONDS


async def test_the_fallback_poll_notices_a_created_file(tmp_path, monkeypatch):
    ws = _workspace(tmp_path, monkeypatch)
    rescans: asyncio.Queue[None] = asyncio.Queue()

    async def rescan() -> bool:
        rescans.put_nowait(None)
        return True

    async def changed(changes: list[tuple[str, bool]]) -> None:
        raise AssertionError("the poll compares whole folders: it reports rescans, never single paths")

    watcher = DiskWatcher(lambda: directories_to_watch([ws]), changed, rescan, lambda what, exc: None)
    polling = asyncio.ensure_future(watcher.poll())
    try:
        while str(ws.crew / "agents") not in watcher.watched:
            await asyncio.sleep(0.01)
        (ws.crew / "agents" / "new.md").write_text(BAD_AGENT.format(name="new"))
        await asyncio.wait_for(rescans.get(), timeout=30)
    finally:
        await watcher.stop()
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
