"""Which folder serves a path: the innermost folder that reports it, with or without other folders."""

from __future__ import annotations

import pytest

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.server.project import Project

AGENT = "---\nname: scout\ndescription: looks\n---\nYou look.\n"


@pytest.fixture
def outer(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    for rel in ("outer/.crew/agents/scout.md", "outer/inner/.crew/agents/scout.md"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True)
        path.write_text(AGENT)
    return tmp_path / "outer"


def folder_of(project: Project, root) -> object:
    folder = project.add(Workspace.discover(root))
    folder.index = Index.load(folder.ws)
    return folder


def test_a_lone_folder_serves_its_indexed_files_and_new_ones_it_would_index_and_nothing_else(outer):
    project = Project()
    folder = folder_of(project, outer)
    assert project.owner(str(outer / ".crew" / "agents" / "scout.md")) is folder
    assert project.owner(str(outer / ".crew" / "teams" / "new.team.md")) is folder  # not on disk yet
    assert project.owner(str(outer / "README.md")) is None
    assert project.resource(str(outer / "README.md")) is None
    assert folder.reported(str(outer / ".crew" / "agents" / "scout.md"))
    assert not folder.reported(str(folder.ws.user / "agents" / "scout.md"))  # the user scope is not reported


def test_with_nested_folders_the_inner_one_serves_its_files(outer):
    project = Project()
    outer_folder = folder_of(project, outer)
    inner_folder = folder_of(project, outer / "inner")
    assert project.owner(str(outer / "inner" / ".crew" / "agents" / "scout.md")) is inner_folder
    assert project.owner(str(outer / ".crew" / "agents" / "scout.md")) is outer_folder
