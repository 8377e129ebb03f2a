"""Incremental sync: UTF-16 columns (emoji), CRLF files, whole-document changes."""

from __future__ import annotations

from lsp_harness import BROKEN_TEAM, start_session, stop_session
from lsprotocol import types as T

WORKFLOW = ".crew/workflows/docs.workflow.md"
BROKEN = ".crew/teams/broken.team.md"


def R(a: int, b: int, c: int, d: int) -> T.Range:
    return T.Range(T.Position(a, b), T.Position(c, d))


async def test_utf16_columns_on_a_line_with_emoji(session):
    session.open(WORKFLOW)
    # `dependsOn: explore` → `dependsOn: 🚀, nope`: the rocket is one code point but two UTF-16 units
    session.change(WORKFLOW, (13, 11), (13, 18), "🚀, nope")
    diags = await session.diagnostics(WORKFLOW)
    assert [(d.code, d.range) for d in diags] == [
        ("CREW302", R(13, 11, 13, 13)),  # `🚀`
        ("CREW302", R(13, 15, 13, 19)),  # `nope` starts at UTF-16 column 15 (Python index 14)
    ]
    assert diags[1].message == "Step `write` depends on `nope`, which is no step of this workflow"
    # an incremental edit addressed in UTF-16 units: `nope` (15..19) → `explore`
    session.change(WORKFLOW, (13, 15), (13, 19), "explore")
    diags = await session.diagnostics(WORKFLOW)
    assert [(d.code, d.range) for d in diags] == [("CREW302", R(13, 11, 13, 13))]
    # hover after the emoji resolves the right item
    hover = await session.client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=session.uri(WORKFLOW)), position=T.Position(13, 17)))
    assert hover.range == R(13, 15, 13, 22)
    assert hover.contents.value.startswith("**step `explore`**")
    # delete `🚀, ` (4 UTF-16 units): the line is clean again
    session.change(WORKFLOW, (13, 11), (13, 15), "")
    assert await session.diagnostics(WORKFLOW) == []


async def test_crlf_file_ranges_and_edits(tmp_path):
    crlf = BROKEN_TEAM.replace("\n", "\r\n")
    for profile in ("vscode", "neovim"):
        s = await start_session(tmp_path / profile, profile, files={
            ".crew/agents/scribe.md": "---\r\nname: scribe\r\ndescription: Writes\r\n---\r\nYou write.\r\n",
            ".crew/teams/broken.team.md": crlf,
            ".crew/workflows/docs.workflow.md": "---\nname: docs\ndescription: d\n---\n\n## explore\nrole: explorer\n\n"
                                                "Find {goal}.\n\n## write\nrole: scribe\ndependsOn: explore\n\nWrite.\n",
        })
        try:
            await s.ready()
            assert [(d.code, d.range) for d in s.pushed(BROKEN)] == [("CREW201", R(6, 16, 6, 21))]
            s.open(BROKEN)
            # at the end of line 5 (before its `\r\n`): a role token is read from that line, not the next
            s.change(BROKEN, (5, 41), (5, 41), " skills=nosuch")
            diags = await s.diagnostics(BROKEN)
            assert [(d.code, d.range) for d in diags] == [("CREW403", R(5, 49, 5, 55)), ("CREW201", R(6, 16, 6, 21))]
            s.change(BROKEN, (5, 41), (5, 55), "")
            s.change(BROKEN, (6, 16), (6, 21), "scribe")
            assert await s.diagnostics(BROKEN) == []
            # an edit spanning a CRLF line break joins the lines exactly
            s.change(BROKEN, (5, 41), (6, 0), " ")
            symbols = await s.client.text_document_document_symbol_async(
                T.DocumentSymbolParams(text_document=T.TextDocumentIdentifier(uri=s.uri(BROKEN))))
            roles = [(sym.name, sym.range.start.line) for sym in symbols if sym.kind == T.SymbolKind.Field]
            assert roles == [("explorer", 5)]  # one role line now; the scribe line became its text
            # the workflow this team runs now misses the `scribe` role: a cross-file consequence
            await s.until(lambda: any(d.code == "CREW301" for d in s.pushed(".crew/workflows/docs.workflow.md")),
                          what="the workflow to lose the scribe role")
        finally:
            await stop_session(s)


async def test_whole_document_change(session):
    session.open(BROKEN)
    session.replace_all(BROKEN, BROKEN_TEAM.replace("agent=scrib ", "agent=scribe "))
    assert await session.diagnostics(BROKEN) == []
    session.replace_all(BROKEN, BROKEN_TEAM)
    assert [d.code for d in await session.diagnostics(BROKEN)] == ["CREW201"]
