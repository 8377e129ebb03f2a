"""Code actions and fixAll from the checker's fixes; role-line formatting; semantic tokens."""

from __future__ import annotations

from langkit import apply, at, decode

from crew_lsp.checks import check_resource
from crew_lsp.checks.codes import Severity
from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.language.actions import code_actions, fix_all
from crew_lsp.language.formatting import format_document
from crew_lsp.language.tokens import semantic_tokens
from crew_lsp.language.types import TextEdit
from crew_lsp.resources.text import Span

TEAM = "---\nname: t\ndescription: x\ndefaultWorkflow: w\n---\n- lead: agent=exector\n- plan: agent=planer\n"
WORKFLOW = "---\nname: w\n---\n## lead\nverify: True\nprogress: False\n\nDo {goals}.\n\n## plan\ndependsOn: led\n\nPlan.\n"


def test_quick_fixes_for_overlapping_diagnostics(ws):
    ws.write("teams/t.team.md", TEAM)
    ws.write("workflows/w.workflow.md", WORKFLOW)
    snap = ws.snap()
    team = ws.res(snap, "teams/t.team.md")
    diags = check_resource(team, snap)
    line, col = at(team, "agent=ex|ector")
    caret = Span(line, col, line, col)
    got = code_actions(team, snap, diags, caret, None)
    assert [(a.title, a.kind, a.codes, a.preferred) for a in got] == [
        ("Change to `executor`", "quickfix", ["CREW201"], True),
        ("Create agent `exector`", "quickfix", ["CREW201"], False),
    ]
    assert got[0].edit.changes == {team.path: [TextEdit(Span(5, 14, 5, 21), "executor")]}
    path, text = got[1].edit.creates[0]
    assert path == str(ws.crew / "agents/exector.md") and text.startswith("---\nname: exector\n")
    assert got[1].edit.changes == {}
    # nothing overlaps line 1; `only` filters kinds
    line, col = at(team, "|name: t")
    assert code_actions(team, snap, diags, Span(line, col, line, col), None) == []
    assert code_actions(team, snap, diags, caret, ["refactor"]) == []
    fix = code_actions(team, snap, diags, Span(0, 0, 7, 0), ["source.fixAll"])
    assert [a.kind for a in fix] == ["source.fixAll.crew"]


def test_fix_all_applies_preferred_edits(ws):
    ws.write("teams/t.team.md", TEAM.replace("defaultWorkflow: w", "defaultWorkflow: w"))
    ws.write("workflows/w.workflow.md", WORKFLOW)
    snap = ws.snap()
    wf = ws.res(snap, "workflows/w.workflow.md")
    diags = check_resource(wf, snap)
    action = fix_all(wf, snap, diags)
    assert action.kind == "source.fixAll.crew" and action.title == "Fix all crew problems"
    assert {"CREW108", "CREW310", "CREW302"} <= set(action.codes)
    fixed = apply(wf.text, action.edit.changes[wf.path])
    assert "verify: true\nprogress: false\n" in fixed and "Do {goal}." in fixed and "dependsOn: lead\n" in fixed
    assert fix_all(wf, snap, []) is None


def test_fix_all_skips_overlaps_and_creates(ws):
    ws.write("teams/t.team.md", TEAM)
    snap = ws.snap()
    team = ws.res(snap, "teams/t.team.md")

    def d(code, span, fixes):
        return Diagnostic(code, Severity.WARNING, span, "m", {"fixes": fixes})

    diags = [
        d("CREW1", Span(5, 14, 5, 21), [{"title": "a", "edits": [[5, 14, 5, 21, "executor"]], "isPreferred": True}]),
        d("CREW2", Span(5, 16, 5, 18), [{"title": "b", "edits": [[5, 16, 5, 18, "zz"]]}]),  # overlaps the first: skipped
        d("CREW3", Span(6, 0, 6, 0), [{"title": "c", "edits": [[6, 0, 6, 0, "x"]]}, {"title": "d", "edits": [[6, 0, 6, 0, "y"]]}]),  # two, none preferred
        d("CREW4", Span(6, 14, 6, 20), [{"title": "e", "create": {"path": "/tmp/x.md", "text": ""}}]),  # create only
        d("CREW5", Span(6, 14, 6, 20), [{"title": "f", "edits": [[6, 14, 6, 20, "planner"]]}]),
        d("CREW6", Span(6, 14, 6, 20), [{"title": "f", "edits": [[6, 14, 6, 20, "planner"]]}]),  # the same edit again
    ]
    action = fix_all(team, snap, diags)
    assert action.edit.changes[team.path] == [TextEdit(Span(5, 14, 5, 21), "executor"), TextEdit(Span(6, 14, 6, 20), "planner")]
    assert action.codes == ["CREW1", "CREW5", "CREW6"]
    # the same fix offered twice becomes one quick fix
    assert [a.title for a in code_actions(team, snap, diags[4:], Span(*at(team, "agent=p|laner"), *at(team, "agent=p|laner")), ["quickfix"])] == ["f"]


def test_format_role_lines(ws):
    ws.write("teams/t.team.md", (
        "---\nname: t\n---\nIntro text.\n"
        "-   lead :  maxConcurrency=2   map   it   skills=safe-bash , minimal-diff model=a/b agent=explorer\n"
        "- executor\n"
        "  - planner: agent=planner plan it   \n"
        "- Note: this is prose\n"
        "---\n"
        "- verifier: agent=verifier skills=false check\n"
    ))
    snap = ws.snap()
    res = ws.res(snap, "teams/t.team.md")
    edits = format_document(res)
    assert edits == [
        TextEdit(Span(4, 0, 4, 98), "- lead: agent=explorer model=a/b skills=safe-bash,minimal-diff maxConcurrency=2 map it"),
        TextEdit(Span(5, 0, 5, 10), "- executor: agent=executor"),
        TextEdit(Span(6, 2, 6, 37), "- planner: agent=planner plan it"),
    ]
    # idempotent
    ws.write("teams/t.team.md", apply(res.text, edits))
    snap = ws.snap()
    assert format_document(ws.res(snap, "teams/t.team.md")) == []
    assert format_document(ws.res(snap, "teams/t.team.md")) == []
    wf = ws.write("workflows/w.workflow.md", WORKFLOW)
    assert format_document(ws.snap().resources[wf]) == []


def test_format_keeps_meaning_when_canonical_would_differ(ws):
    # a description starting with a comma would be swallowed by `skills=` in canonical order
    ws.write("teams/t.team.md", "---\nname: t\n---\n- a: , then skills=x agent=b\n")
    snap = ws.snap()
    assert format_document(ws.res(snap, "teams/t.team.md")) == []


def test_semantic_tokens_team(ws):
    ws.write("teams/t.team.md", "---\nname: t\n# c\nmaxConcurrency: 2\n---\n- lead: agent=scout model=a/b skills=x,y maxConcurrency=3 text\n- off: skills=false\n")
    snap = ws.snap()
    assert decode(semantic_tokens(ws.res(snap, "teams/t.team.md"))) == [
        (1, 0, 4, "property", []), (1, 6, 1, "string", []),
        (2, 0, 3, "comment", []),
        (3, 0, 14, "property", []), (3, 16, 1, "number", []),
        (5, 2, 4, "class", ["declaration"]),
        (5, 8, 5, "property", []), (5, 14, 5, "type", []),
        (5, 20, 5, "property", []), (5, 26, 3, "string", []),
        (5, 30, 6, "property", []), (5, 37, 1, "string", []), (5, 39, 1, "string", []),
        (5, 41, 14, "property", []), (5, 56, 1, "number", []),
        (6, 2, 3, "class", ["declaration"]), (6, 7, 6, "property", []), (6, 14, 5, "keyword", []),
    ]


def test_semantic_tokens_workflow_and_config(ws):
    ws.write("workflows/w.workflow.md", "---\nname: w\n---\n## a\nrole: lead\ndependsOn: b, c\nverify: true\noutput: false\ntask: do {goal} now\n\nText {goal} and {goal}.\n")
    ws.write("config.json", '{"limits": {"maxTaskDepth": 3}, "telemetry": {"enabled": true}}')
    snap = ws.snap()
    assert decode(semantic_tokens(ws.res(snap, "workflows/w.workflow.md"))) == [
        (1, 0, 4, "property", []), (1, 6, 1, "string", []),
        (3, 3, 1, "namespace", ["declaration"]),
        (4, 0, 4, "property", []), (4, 6, 4, "class", []),
        (5, 0, 9, "property", []), (5, 11, 1, "namespace", []), (5, 14, 1, "namespace", []),
        (6, 0, 6, "property", []), (6, 8, 4, "enumMember", []),
        (7, 0, 6, "property", []), (7, 8, 5, "keyword", []),
        (8, 0, 4, "property", []), (8, 6, 3, "string", []), (8, 9, 6, "variable", []), (8, 15, 4, "string", []),
        (10, 5, 6, "variable", []), (10, 16, 6, "variable", []),
    ]
    assert decode(semantic_tokens(ws.res(snap, "config.json"))) == [
        (0, 1, 8, "property", []), (0, 12, 14, "property", []), (0, 28, 1, "number", []),
        (0, 32, 11, "property", []), (0, 46, 9, "property", []), (0, 57, 4, "keyword", []),
    ]
