"""The crew root must resolve inside the workspace to be written to: `.crew -> elsewhere` writes
nothing elsewhere, and the refusal names the path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crew_lsp.engine.cli import main
from crew_lsp.engine.manager import RunManager
from crew_lsp.engine.state import RunStore, UnsafeCrewRoot


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def linked_away(tmp_path) -> tuple[Path, Path]:
    """A repository whose `.crew` is a symlink to a folder outside it (with an empty crew layout)."""
    root, elsewhere = tmp_path / "proj", tmp_path / "elsewhere"
    (root / ".git").mkdir(parents=True)
    for sub in ("agents", "teams", "workflows"):
        (elsewhere / sub).mkdir(parents=True)
    (root / ".crew").symlink_to(elsewhere, target_is_directory=True)
    return root, elsewhere


async def test_crew_root_linked_outside_the_workspace_is_not_written_to(linked_away):
    root, elsewhere = linked_away
    before = _tree(elsewhere)
    async with RunManager(root) as runs:
        with pytest.raises(UnsafeCrewRoot) as caught:
            await runs.start(goal="go")
        assert str(root / ".crew") in str(caught.value) and str(elsewhere) in str(caught.value)
        with pytest.raises(UnsafeCrewRoot):
            await runs.list_runs()
    assert _tree(elsewhere) == before


def test_cli_refuses_a_crew_root_linked_outside_in_one_line(linked_away, capsys):
    root, elsewhere = linked_away
    before = _tree(elsewhere)
    for argv in (["run", "go"], ["runs", "list"], ["runs", "status", "team_x"]):
        assert main([*argv, "--cwd", str(root)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(root / ".crew") in err[0] and "outside the workspace" in err[0]
    assert main(["run", "--cwd", str(root), "--json", "go"]) == 2
    assert "outside the workspace" in json.loads(capsys.readouterr().out)["error"]
    assert _tree(elsewhere) == before


def test_a_pi_teams_crew_root_linked_outside_is_refused(tmp_path):
    root, elsewhere = tmp_path / "proj", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / ".pi").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UnsafeCrewRoot, match="outside the workspace"):
        RunStore(root / ".pi" / "teams", root).run_ids()
    assert _tree(elsewhere) == []


async def test_crew_root_linked_to_a_folder_inside_the_workspace_is_used(tmp_path):
    root = tmp_path / "proj"
    inside = root / "crew-data"
    for sub in ("agents", "teams", "workflows"):
        (inside / sub).mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".crew").symlink_to(inside, target_is_directory=True)
    async with RunManager(root) as runs:
        run_id = await runs.start(goal="go")
        assert (await runs.wait(run_id)).status == "completed"
    assert (inside / "state" / "runs" / run_id / "manifest.json").is_file()
