"""Oversized arguments on the command line are refused with exit code 2 and a message naming the
argument and its limit (the limits of the server's commands), before anything is created."""

from __future__ import annotations

import pytest

from crew_lsp.engine.cli import main

FIVE_MB = "x" * 5_000_000


@pytest.mark.parametrize(("argv", "argument", "limit"), [
    (["run", "{goal}"], "argument goal", "65536"),
    (["run", "a", "{goal}"], "argument goal", "65536"),  # the goal is its words joined
    (["plan", "{goal}"], "argument goal", "65536"),
    (["run", "--team", "t" * 201, "g"], "argument --team", "200"),
    (["run", "--workflow", "w" * 201, "g"], "argument --workflow", "200"),
    (["run", "--agent", "a" * 201, "g"], "argument --agent", "200"),
    (["run", "--model", "m" * 201, "g"], "argument --model", "200"),
    (["plan", "--team", "t" * 201, "g"], "argument --team", "200"),
    (["runs", "status", "r" * 201], "argument run", "200"),
    (["runs", "cancel", "r", "--reason", FIVE_MB], "argument --reason", "2000"),
])
def test_oversized_arguments_exit_2_naming_them(ws, capsys, argv, argument, limit):
    argv = [FIVE_MB if a == "{goal}" else a for a in argv]
    assert main([*argv, "--cwd", str(ws.root)]) == 2
    err = capsys.readouterr().err
    assert argument in err and limit in err
    assert len(err) < 2000  # the value is not echoed back
    assert not (ws.crew / "state").exists()


def test_oversized_cwd_exits_2(capsys):
    assert main(["runs", "list", "--cwd", "/" + "d" * 100_000]) == 2
    err = capsys.readouterr().err
    assert "argument --cwd" in err and "4096" in err


def test_a_goal_at_the_limit_is_accepted(ws, capsys):
    ws.team("t", ["executor"], workflow="w")
    ws.workflow("w", "## a\nrole: executor\n\ndo {goal}\n")
    assert main(["plan", "--team", "t", "--cwd", str(ws.root), "g" * 65_536]) == 0
