"""UTF-16 columns on lines with emoji (a surrogate pair counts 2) and CRLF files."""

from __future__ import annotations

from langkit import AGENT_SCOUT, apply, at, decode

from crew_lsp.language.completion import complete
from crew_lsp.language.formatting import format_document
from crew_lsp.language.hints import inlay_hints
from crew_lsp.language.hover import hover
from crew_lsp.language.navigation import definition
from crew_lsp.language.rename import rename
from crew_lsp.language.structure import folding_ranges
from crew_lsp.language.symbols import document_symbols
from crew_lsp.language.tokens import semantic_tokens
from crew_lsp.language.types import Location, TextEdit
from crew_lsp.resources.text import Span

EMOJI_TEAM = "---\nname: party\ndefaultWorkflow: fun\n---\n- lead: 🎉🎉 party agent=scout skills=safe-bash go\n- b: 🚀 agent=sc\n"
EMOJI_FLOW = "---\nname: fun\n---\n## ship🚀\nrole: lead\n\n🎉 Ship {goal}.\n\n## b\nrole: lead\ndependsOn: ship🚀, \n\n🎉 {go\n"


def test_emoji_columns(ws):
    ws.write("agents/scout.md", AGENT_SCOUT)
    ws.write("teams/party.team.md", EMOJI_TEAM)
    ws.write("workflows/fun.workflow.md", EMOJI_FLOW)
    snap = ws.snap()
    team = ws.res(snap, "teams/party.team.md")
    # "- lead: 🎉🎉 party agent=s" is 24 Python characters but 26 UTF-16 units
    on_scout = at(team, "agent=s|cout")
    assert on_scout == (4, 26)
    h = hover(team, snap, *on_scout)
    assert h.span == Span(4, 25, 4, 30) and h.markdown.startswith("**agent `scout`**")
    assert definition(team, snap, *on_scout) == [Location(str(ws.crew / "agents/scout.md"), Span(1, 6, 1, 11))]
    in_agent = at(team, "🚀 agent=sc|")
    assert in_agent == (5, 16)  # "- b: 🚀 agent=sc": 15 characters, 16 units
    items = complete(team, snap, *in_agent)
    assert "scout" in [i.label for i in items]
    assert {i.replace for i in items} == {Span(5, 14, 5, 16)}
    hints = inlay_hints(team, snap, 4, 4)
    assert (hints[0].line, hints[0].character) == (4, 50)
    edit = rename(team, snap, *on_scout, "finder")
    assert edit.changes[team.path] == [TextEdit(Span(4, 25, 4, 30), "finder")]
    assert apply(team.text, edit.changes[team.path]).splitlines()[4] == "- lead: 🎉🎉 party agent=finder skills=safe-bash go"
    assert format_document(team)[0] == TextEdit(Span(4, 0, 4, 50), "- lead: agent=scout skills=safe-bash 🎉🎉 party go")
    tokens = [t for t in decode(semantic_tokens(team)) if t[0] == 4]
    assert tokens[:3] == [(4, 2, 4, "class", ["declaration"]), (4, 19, 5, "property", []), (4, 25, 5, "type", [])]


def test_emoji_in_workflows(ws):
    ws.write("agents/scout.md", AGENT_SCOUT)
    ws.write("teams/party.team.md", EMOJI_TEAM)
    ws.write("workflows/fun.workflow.md", EMOJI_FLOW)
    snap = ws.snap()
    wf = ws.res(snap, "workflows/fun.workflow.md")
    assert wf.model.steps[0].id_span == Span(3, 3, 3, 9)
    after_list = at(wf, "dependsOn: ship🚀, |")
    assert after_list == (10, 19)  # "dependsOn: ship🚀, " — 18 characters, 19 units
    items = complete(wf, snap, *after_list)
    line = after_list[0]
    assert [i.label for i in items] == []  # the only other step is listed already
    hover_dep = hover(wf, snap, *at(wf, "dependsOn: sh|ip"))
    assert hover_dep.span == Span(line, 11, line, 17) and "**step `ship🚀`** — task `01_ship`" in hover_dep.markdown
    in_goal = at(wf, "🎉 {go|")
    assert in_goal == (12, 6)  # "🎉 {go": 5 characters, 6 units
    goal = complete(wf, snap, *in_goal)
    assert [i.label for i in goal] == ["{goal}"] and goal[0].replace == Span(12, 3, 12, 6)
    assert [(h.line, h.character, h.label) for h in inlay_hints(wf, snap, 0, 20)] == [(3, 9, "01_ship"), (8, 4, "02_b")]
    edit = rename(wf, snap, *at(wf, "## s|hip"), "launch")
    assert edit.changes[wf.path] == [TextEdit(Span(3, 3, 3, 9), "launch"), TextEdit(Span(10, 11, 10, 17), "launch")]


def test_crlf_workflow(ws):
    ws.write("agents/scout.md", AGENT_SCOUT)
    ws.write("teams/t.team.md", "---\nname: t\ndefaultWorkflow: w\n---\n- lead: agent=scout\n- lead2:   agent=scout  \n", newline="\r\n")
    ws.write("workflows/w.workflow.md", "---\nname: w\n---\n## lead\noutput: a.md\n\nA {goal}.\n\n## b\nrole: lead\ndependsOn: \n\nB.\n", newline="\r\n")
    snap = ws.snap()
    wf = ws.res(snap, "workflows/w.workflow.md")
    assert wf.doc.crlf
    items = complete(wf, snap, *at(wf, "dependsOn: |"))
    assert [i.label for i in items] == ["lead"] and items[0].replace == Span(10, 11, 10, 11)
    assert hover(wf, snap, *at(wf, "role: l|ead")).markdown.startswith("**role `lead`** of team `t`")
    assert folding_ranges(wf)[0].end_line == 2
    assert [s.name for s in document_symbols(wf) if s.kind == "step"] == ["lead", "b"]
    # renaming a step whose role is its id keeps the role, with the file's line ending
    edit = rename(wf, snap, *at(wf, "## l|ead"), "scan")
    fixed = apply(wf.text, edit.changes[wf.path])
    assert fixed.startswith("---\r\nname: w\r\n---\r\n## scan\r\nrole: lead\r\noutput: a.md\r\n")
    assert "\n" not in fixed.replace("\r\n", "")
    team = ws.res(snap, "teams/t.team.md")
    assert format_document(team) == [TextEdit(Span(5, 0, 5, 24), "- lead2: agent=scout")]


def test_crlf_without_frontmatter_does_not_crash(ws):
    ws.write("workflows/raw.workflow.md", "## a\nrole: x\n\nA.\n", newline="\r\n")
    snap = ws.snap()
    wf = ws.res(snap, "workflows/raw.workflow.md")
    for line in range(len(wf.doc.lines)):
        for col in range(0, 8):
            complete(wf, snap, line, col)
            hover(wf, snap, line, col)
            definition(wf, snap, line, col)
    semantic_tokens(wf)
    assert [h.label for h in inlay_hints(wf, snap, 0, 10)] == ["01_a"]
