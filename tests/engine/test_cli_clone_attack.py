"""The clone attack on the command line (the repository of tests/clone_attack.py): every command a
user may type in a fresh clone — check, plan, runs list/status/events/recover — runs nothing and
writes nothing outside the workspace; recovery needs `--accept`, and then runs the *user's* worker,
never the program the committed manifest names."""

from __future__ import annotations

import json

from clone_attack import AUTO, plant_repository, tree, user_config, user_worker

from crew_lsp.cli import main


def _plant(tmp_path, monkeypatch):
    root, outside, home = tmp_path / "ws", tmp_path / "outside", tmp_path / "home"
    run_id = plant_repository(root, outside, home)
    user_config(home, AUTO)
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    return root, outside, run_id


def test_commands_in_a_cloned_repository_run_nothing(tmp_path, monkeypatch, capsys):
    root, outside, run_id = _plant(tmp_path, monkeypatch)
    command, marker = user_worker(tmp_path / "user")
    monkeypatch.setenv("CREW_WORKER_COMMAND", command)
    before = tree(tmp_path, skip=root)
    cwd = ["--cwd", str(root)]
    main(["check", str(root)])
    assert main(["plan", *cwd, "--team", "t", "x"]) == 0
    assert main(["runs", "list", *cwd, "--json"]) == 0
    assert main(["runs", "status", run_id, *cwd]) == 0
    assert main(["runs", "events", run_id, *cwd]) == 0
    capsys.readouterr()
    assert main(["runs", "recover", run_id, *cwd]) == 0  # shows what a recovery would do, and does nothing
    assert "Use --accept or --decline" in capsys.readouterr().out
    view = json.loads((root / ".crew/state/runs" / run_id / "manifest.json").read_text())
    assert view["status"] == "running"
    assert not marker.exists() and not (outside / "PWNED").exists()
    assert tree(tmp_path, skip=root) == before


def test_accepted_recovery_needs_a_worker_of_the_user(tmp_path, monkeypatch, capsys):
    root, outside, run_id = _plant(tmp_path, monkeypatch)
    cwd = ["--cwd", str(root)]
    # no worker configured by the user: the committed manifest's program is not a fallback
    assert main(["runs", "recover", run_id, "--accept", *cwd, "--json"]) == 2
    assert "no worker is configured" in json.loads(capsys.readouterr().out)["error"]
    assert not (outside / "PWNED").exists()
    command, marker = user_worker(tmp_path / "user")
    assert main(["runs", "recover", run_id, "--accept", *cwd, "--worker-command", command, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "completed"
    assert marker.read_text().split() == ["ran", "ran"]
    assert not (outside / "PWNED").exists() and not any(outside.iterdir())
