"""The server reads files as `crew-lsp check` does: the same CREW114 for every file it does not read.

One loader serves both, so a FIFO cannot stall the index, a symlink to a secret or `/dev/zero` is
never read, and an editor and a CI run never disagree about a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hostile_files import SECRET, UNREAD, write_hostile_workspace
from lsp_harness import AGENT, ROOT, start_session, stop_session
from lsprotocol import types as T

SEVERITIES = {"error": 1, "warning": 2, "information": 3, "hint": 4}
HUGE = ".crew/agents/huge.md"


def _cli_diagnostics(ws) -> dict[str, list[tuple]]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "crew_lsp", "check", "--format", "json", "."], cwd=ws, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1), out.stderr
    found: dict[str, list[tuple]] = {}
    for d in json.loads(out.stdout):
        r = d["range"]
        found.setdefault(d["path"], []).append((r["start"]["line"], r["start"]["character"], r["end"]["line"],
                                                r["end"]["character"], SEVERITIES[d["severity"]], d["code"], d["message"]))
    return found


def _as_tuples(diags: list[T.Diagnostic]) -> list[tuple]:
    return [(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, int(d.severity),
             d.code, d.message) for d in diags]


async def test_the_server_reports_what_check_reports_for_files_it_does_not_read(tmp_path):
    ws = write_hostile_workspace(tmp_path / "ws", tmp_path / "outside")
    cli = _cli_diagnostics(ws)
    assert set(UNREAD) <= set(cli)
    s = await start_session(tmp_path, "vscode", write=False)
    try:
        # the FIFO and /dev/zero do not stall the index: every file check reports gets published
        await s.until(lambda: all(s.publishes_for(rel) for rel in cli), what="every file published")
        await s.barrier()
        for rel, expected in cli.items():
            assert _as_tuples(s.pushed(rel)) == expected, rel
        assert not any(SECRET in d.message for p in s.publishes for d in p.diagnostics)
    finally:
        await stop_session(s)


async def test_a_document_above_the_cap_gets_one_diagnostic_and_is_not_parsed(session):
    huge = AGENT.replace("name: scribe", "name: huge") + "You write documentation.\n" * (3 * 1024 * 1024 // 25)
    size = len(huge.encode())
    assert size > 3 * 1000 * 1000
    session.open(HUGE, huge)
    (only,) = await session.diagnostics(HUGE)
    assert (only.code, only.message) == ("CREW114", f"Not checked: too large ({size} bytes, limit 2 MiB).")
    assert (only.range.start.line, only.range.start.character) == (0, 0)
    # not parsed: its `name: huge` is unknown, the agent goes by its file name, features stay off
    hover = await session.client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=session.uri(HUGE)), position=T.Position(1, 7)))
    assert hover is None
    session.replace_all(HUGE, "---\nname: huge\n---\nYou write.\n")  # cut back below the cap: checked again
    assert [d.code for d in await session.diagnostics(HUGE)] == ["CREW111"]  # description missing
    session.replace_all(HUGE, huge + "\x00")
    (again,) = await session.diagnostics(HUGE)
    assert again.code == "CREW114" and "too large" in again.message


async def test_the_text_of_a_symlink_out_of_the_workspace_never_reaches_the_index(tmp_path):
    """Opened in the editor, the link is its target's document (outside every folder): not indexed."""
    ws = write_hostile_workspace(tmp_path / "ws", tmp_path / "outside")
    (tmp_path / "outside" / "secret").write_text(f"---\nname: x\ndescription: {SECRET}\n---\nbody\n")
    (ws / ".crew/teams").mkdir()
    (ws / ".crew/teams/t.team.md").write_text("---\nname: t\n---\n- r: agent=x do it\n")
    s = await start_session(tmp_path, "vscode", write=False)
    try:
        await s.until(lambda: s.publishes_for(".crew/agents/x.md"), what="the link's diagnostic")
        s.open(".crew/agents/x.md", (tmp_path / "outside" / "secret").read_text())  # what the editor shows
        s.open(".crew/teams/t.team.md")
        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=s.uri(".crew/teams/t.team.md")), position=T.Position(3, 11)))
        assert hover is not None and "agent `x`" in hover.contents.value  # the name resolves to the unread file
        assert SECRET not in hover.contents.value
        assert [d.code for d in s.pushed(".crew/agents/x.md")] == ["CREW114"]
    finally:
        await stop_session(s)
