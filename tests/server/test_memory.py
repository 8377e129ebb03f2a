"""Once a folder is checked, its closed files keep only their text and facts; open documents stay whole."""

from __future__ import annotations

import asyncio

from crew_lsp.resources.discovery import Workspace
from crew_lsp.server.memory import compact_folders
from crew_lsp.server.project import Project, list_files, load_folder


def _project(tmp_path):
    crew = tmp_path / ".crew"
    (crew / "agents").mkdir(parents=True)
    (crew / "agents" / "scout.md").write_text("---\nname: scout\ndescription: looks\n---\nLook.\n")
    (crew / "agents" / "open.md").write_text("---\nname: open\ndescription: shown\n---\nShow.\n")
    project = Project()
    folder = project.add(Workspace.discover(tmp_path))

    async def load():
        loader, entries = await list_files(folder.ws)
        await load_folder(folder, loader, entries)
        folder.ready.set()

    asyncio.run(load())
    paths = {res.name: path for path, res in folder.snapshot.resources.items() if res.kind == "agent"}
    return project, folder, paths


def test_closed_files_are_compacted_and_open_ones_kept_whole(tmp_path):
    project, folder, paths = _project(tmp_path)
    open_res = folder.snapshot.resources[paths["open"]]
    assert asyncio.run(compact_folders(project.folders, [paths["open"]])) == 1
    resources = folder.snapshot.resources
    assert resources[paths["scout"]].compact
    assert resources[paths["open"]] is open_res and not open_res.compact


def test_an_edit_during_compaction_keeps_its_snapshot(tmp_path):
    project, folder, paths = _project(tmp_path)

    async def edit_meanwhile():
        compacting = asyncio.ensure_future(compact_folders(project.folders, []))
        await asyncio.sleep(0)  # the compaction runs in a worker thread now
        folder.set_text(paths["scout"], "---\nname: scout\ndescription: edited\n---\nLook.\n")
        return await compacting

    assert asyncio.run(edit_meanwhile()) == 0
    assert folder.snapshot.resources[paths["scout"]].model.description == "edited"
