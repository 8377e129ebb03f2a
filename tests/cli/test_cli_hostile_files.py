"""`crew-lsp check` on a workspace of files it must not read: it finishes and reports each one once."""

from __future__ import annotations

import json
from pathlib import Path

from hostile_files import NOT_LISTED, READ, SECRET, UNREAD, write_hostile_workspace
from test_cli_check import crew


def test_check_finishes_and_reports_every_file_it_does_not_read(tmp_path):
    ws = write_hostile_workspace(tmp_path / "ws", tmp_path / "outside")
    out = crew("check", str(ws), "--format", "json", cwd=ws)  # a FIFO or /dev/zero would hang it or fill memory
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    by_path: dict[str, list[dict]] = {}
    for d in found:
        by_path.setdefault(d["path"], []).append(d)
    for rel, message in UNREAD.items():
        (only,) = by_path[rel]  # one diagnostic, nothing parsed from the file
        assert only["code"] == "CREW114" and only["severity"] == "warning", only
        assert only["message"].startswith(message), only
        assert only["range"] == {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    assert str(tmp_path / "outside" / "secret") in by_path[".crew/agents/x.md"][0]["message"]
    for rel in READ + NOT_LISTED:
        assert all(d["code"] != "CREW114" for d in by_path.get(rel, [])), rel
    assert not any(Path(p).name.startswith("spy") for p in by_path)  # below `workflows -> outside`: not listed
    assert SECRET not in out.stdout + out.stderr


def test_check_of_a_single_unread_file_reports_it(tmp_path):
    ws = write_hostile_workspace(tmp_path / "ws", tmp_path / "outside")
    out = crew("check", str(ws / ".crew/agents/zero.md"), "--format", "json", cwd=ws)
    assert out.returncode == 0, out.stderr
    assert [(d["path"], d["code"]) for d in json.loads(out.stdout)] == [(".crew/agents/zero.md", "CREW114")]
