"""The diagnostics cache in the editor (docs/cache.md, In the editor): a folder's cached diagnostics are
published before it is indexed, the check re-sends only what differs, and the folder's own check is
stored for the next start. `crew.diagnostics.cache: false` turns it off."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from lsp_harness import BROKEN_TEAM, start_session, stop_session, write_project

from crew_lsp.server.head_start import OFF_VARIABLE

BROKEN = ".crew/teams/broken.team.md"
AN_HOUR_AGO = time.time() - 3600


def _entries() -> list[Path]:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "crew-lsp" / "diagnostics"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@pytest.fixture
def project(tmp_path) -> Path:
    """The harness's project, last changed an hour ago (a state the cache may store)."""
    root = write_project(tmp_path / "ws")
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (AN_HOUR_AGO, AN_HOUR_AGO))
    return root


async def _session(tmp_path, **settings):
    # (the server's own cache path: with the head start, `crew-lsp check` in a child reads the cache)
    s = await start_session(tmp_path, "vscode", write=False, init_options={"diagnostics": {"delayMs": 0, **settings}},
                            env={OFF_VARIABLE: "1"})
    await s.ready()
    return s


async def _stored_after(tmp_path, **settings) -> list:
    """A first session: the diagnostics it published for the broken team, once its check is stored."""
    s = await _session(tmp_path, **settings)
    try:
        await s.until(_entries, what="the folder's diagnostics to be stored")
        return s.publishes_for(BROKEN)[0].diagnostics
    finally:
        await stop_session(s)


async def _restored(s, entry: Path, stamp: int) -> None:
    """Until the session stored its own check again (its check has settled)."""
    await s.until(lambda: entry.stat().st_mtime_ns != stamp, what="the second session's check to be stored")


async def test_a_restart_publishes_the_stored_diagnostics_once_and_they_equal_the_fresh_ones(project, tmp_path):
    first = await _stored_after(tmp_path)
    (entry,) = _entries()
    stamp = entry.stat().st_mtime_ns
    s = await _session(tmp_path)
    try:
        await _restored(s, entry, stamp)
        await s.barrier()
        assert [p.diagnostics for p in s.publishes_for(BROKEN)] == [first]  # from the cache, not sent again
    finally:
        await stop_session(s)


async def test_cached_diagnostics_come_before_the_check_which_resends_only_what_differs(project, tmp_path):
    first = await _stored_after(tmp_path)
    (entry,) = _entries()
    value = json.loads(entry.read_text())
    for path, diags in value["files"]:
        if path.endswith("broken.team.md"):
            diags[0][6] = "As the cache remembers it."
    entry.write_text(json.dumps(value))
    stamp = entry.stat().st_mtime_ns
    s = await _session(tmp_path)
    try:
        await s.until(lambda: len(s.publishes_for(BROKEN)) == 2, what="the fresh set to replace the cached one")
        cached, fresh = (p.diagnostics for p in s.publishes_for(BROKEN))
        assert [d.message for d in cached] == ["As the cache remembers it."]
        assert fresh == first
        await _restored(s, entry, stamp)
        assert "As the cache remembers it." not in entry.read_text()  # the fresh check replaced the entry
    finally:
        await stop_session(s)


async def test_the_setting_off_neither_publishes_nor_stores_the_cache(project, tmp_path):
    first = await _stored_after(tmp_path)
    (entry,) = _entries()
    value = json.loads(entry.read_text())
    value["files"][0][1][0][6] = "As the cache remembers it."
    stale = json.dumps(value)
    entry.write_text(stale)
    s = await _session(tmp_path, cache=False)
    try:
        await s.barrier()
        assert [p.diagnostics for p in s.publishes_for(BROKEN)] == [first]
    finally:
        await stop_session(s)
    assert entry.read_text() == stale


def test_only_what_the_files_on_disk_say_is_stored(project):
    from crew_lsp.cache import FolderCache
    from crew_lsp.checks import check_snapshot
    from crew_lsp.resources.discovery import Workspace, scan
    from crew_lsp.resources.index import Index
    from crew_lsp.server.cached_diagnostics import _store_if_on_disk
    from crew_lsp.server.diagnostics import Checked

    ws = Workspace.discover(project)
    entry = FolderCache(ws, scan(ws))
    snap = Index.load(ws).snapshot
    checked = {path: Checked(diags, [], 0) for path, diags in check_snapshot(snap).items()}
    broken = str(project / BROKEN)
    unsaved = {broken: BROKEN_TEAM.replace("agent=scrib ", "agent=scribe ")}
    assert not _store_if_on_disk(entry, ws, snap.resources, checked, [], unsaved, None)
    assert entry.load() is None
    (project / ".crew" / "agents" / "late.md").write_text("---\nname: late\n---\nHi.\n")  # the disk changed since
    assert not _store_if_on_disk(entry, ws, snap.resources, checked, [], {broken: BROKEN_TEAM}, None)
    (project / ".crew" / "agents" / "late.md").unlink()
    assert _store_if_on_disk(entry, ws, snap.resources, checked, [], {broken: BROKEN_TEAM}, None)
    assert entry.load() == {p: c.diags for p, c in checked.items() if c.diags}
