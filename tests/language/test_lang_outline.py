"""Document and workspace symbols, code lenses, inlay hints, folding ranges, document links."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.language.hints import inlay_hints
from crew_lsp.language.lenses import code_lenses
from crew_lsp.language.structure import document_links, folding_ranges
from crew_lsp.language.symbols import document_symbols, workspace_symbols
from crew_lsp.language.types import Fold, Hint, Lens, Link, Location, Symbol
from crew_lsp.resources.text import Span

BUILTIN = Path(__file__).resolve().parents[2]


def test_document_symbols_of_a_workflow(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    symbols = document_symbols(wf)
    assert [(s.name, s.kind) for s in symbols] == [("name", "field"), ("description", "field"), ("scan", "step"), ("build", "step"), ("check", "step")]
    assert symbols[0] == Symbol("name", "field", Span(1, 0, 1, 10), Span(1, 0, 1, 4), "flow")
    build = symbols[3]
    assert build.span == Span(12, 0, 17, 9) and build.selection == Span(12, 3, 12, 8)
    assert build.detail == "02_build · role executor"
    assert build.children == [
        Symbol("role", "field", Span(13, 0, 13, 14), Span(13, 0, 13, 4), "executor"),
        Symbol("dependsOn", "field", Span(14, 0, 14, 15), Span(14, 0, 14, 9), "scan"),
        Symbol("reads", "field", Span(15, 0, 15, 14), Span(15, 0, 15, 5), "scan.md"),
    ]
    for s in symbols:
        assert s.span.line <= s.selection.line and s.selection.end_line <= s.span.end_line


def test_document_symbols_of_a_team_and_a_config(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    roles = [s for s in document_symbols(team) if s.kind == "role"]
    assert roles[1] == Symbol("executor", "role", Span(8, 0, 8, 24), Span(8, 2, 8, 10), "agent=executor implement it")
    squad.write("config.json", '{\n  "limits": {\n    "maxTaskDepth": 3\n  }\n}\n')
    snap = squad.snap()
    cfg = squad.res(snap, "config.json")
    assert document_symbols(cfg) == [
        Symbol("limits", "field", Span(1, 2, 3, 3), Span(1, 2, 1, 10), "", [Symbol("maxTaskDepth", "field", Span(2, 4, 2, 21), Span(2, 4, 2, 18), "3")])
    ]


def test_workspace_symbols(squad):
    snap = squad.snap()
    got = workspace_symbols(snap, "sct")
    assert got[0].name == "scout" and got[0].kind == "agent" and got[0].scope == "project"
    assert got[0].location == Location(str(squad.crew / "agents/scout.md"), Span(1, 6, 1, 11))
    flow = workspace_symbols(snap, "FLOW")
    assert [(s.name, s.kind) for s in flow] == [("flow", "workflow")]
    everything = workspace_symbols(snap, "")
    kinds = {s.kind for s in everything}
    assert kinds == {"agent", "team", "workflow", "skill"}
    assert ("executor", "builtin") in {(s.name, s.scope) for s in everything}


def test_code_lenses(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    assert code_lenses(team, snap) == [Lens(Span(1, 6, 1, 11), "Run team", "crew.run", [{"team": "squad"}])]
    wf = squad.res(snap, "workflows/flow.workflow.md")
    assert code_lenses(wf, snap) == [
        Lens(Span(1, 6, 1, 10), "Run with squad", "crew.run", [{"team": "squad", "workflow": "flow"}]),
        Lens(Span(1, 6, 1, 10), "Preview plan", "crew.plan", [{"workflow": "flow", "team": "squad"}]),
    ]
    squad.write("workflows/lonely.workflow.md", "## a\nDo it.\n")
    snap = squad.snap()
    lonely = squad.res(snap, "workflows/lonely.workflow.md")
    assert code_lenses(lonely, snap) == [Lens(Span(0, 0, 0, 0), "Preview plan", "crew.plan", [{"workflow": "lonely", "team": None}])]


def test_inlay_hints(squad):
    squad.write("teams/squad.team.md", "---\nname: squad\ndefaultWorkflow: flow\n---\n- lead: agent=scout\n- executor: go\n- x: agent=Scout\n")
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    assert inlay_hints(team, snap, 0, 100) == [
        Hint(4, 19, "→ scout (project)", f"Finds the files a goal touches\n\n{squad.crew / 'agents/scout.md'}"),
        Hint(5, 14, "→ executor (builtin)", inlay_hints(team, snap, 5, 5)[0].tooltip),
        Hint(6, 16, "→ Scout (unknown)", "No agent with this exact name."),
    ]
    assert [h.line for h in inlay_hints(team, snap, 5, 6)] == [5, 6]
    wf = squad.res(snap, "workflows/flow.workflow.md")
    assert [(h.line, h.character, h.label) for h in inlay_hints(wf, snap, 0, 100)] == [(5, 7, "01_scan"), (12, 8, "02_build"), (19, 8, "03_check")]


def test_folding_ranges(squad):
    snap = squad.snap()
    wf = squad.res(snap, "workflows/flow.workflow.md")
    assert folding_ranges(wf) == [Fold(0, 3), Fold(5, 10), Fold(12, 17), Fold(19, 24)]
    squad.write("config.json", '{\n  "limits": {\n    "maxTaskDepth": 3\n  }\n}\n')
    snap = squad.snap()
    assert folding_ranges(squad.res(snap, "config.json")) == [Fold(0, 3), Fold(1, 2)]


def test_document_links(squad):
    snap = squad.snap()
    team = squad.res(snap, "teams/squad.team.md")
    assert document_links(team, snap) == [
        Link(Span(3, 17, 3, 21), str(squad.crew / "workflows/flow.workflow.md"), "workflow flow (project)"),
        Link(Span(7, 14, 7, 19), str(squad.crew / "agents/scout.md"), "agent scout (project)"),
        Link(Span(7, 46, 7, 55), str(BUILTIN / "skills/safe-bash/SKILL.md"), "skill safe-bash (builtin)"),
        Link(Span(9, 17, 9, 25), str(BUILTIN / "agents/verifier.md"), "agent verifier (builtin)"),
    ]
    squad.write("workflows/s.workflow.md", "---\nname: s\n---\n## a\nskills: minimal-diff, nope\n\nA.\n")
    snap = squad.snap()
    wf = squad.res(snap, "workflows/s.workflow.md")
    assert document_links(wf, snap) == [Link(Span(4, 8, 4, 20), str(BUILTIN / "skills/minimal-diff/SKILL.md"), "skill minimal-diff (builtin)")]


def test_workspace_symbols_are_the_best_matches_up_to_a_limit_each_located(squad):
    for n in range(12):
        squad.write(f"agents/scout-{n:02d}.md", f"---\nname: scout-{n:02d}\ndescription: helps\n---\nLook.\n")
    snap = squad.snap()
    everything = workspace_symbols(snap, "scout")
    assert [s.name for s in everything[:3]] == ["scout", "scout-00", "scout-01"]  # (exact, then prefix matches by name)
    best = workspace_symbols(snap, "scout", limit=5)
    assert best == everything[:5] and len(everything) > 5
    assert best[1].location == Location(str(squad.crew / "agents/scout-00.md"), Span(1, 6, 1, 14))


def test_workspace_symbols_rank_exact_then_prefix_then_substring_then_tightest_subsequence(squad):
    for name in ("xcoutx", "s-c-o-u-t", "scxout", "the-scout", "scoutmaster", "a-scxout"):
        squad.write(f"agents/{name}.md", f"---\nname: {name}\ndescription: helps\n---\nLook.\n")
    ranked = [s.name for s in workspace_symbols(squad.snap(), "SCOUT") if s.kind == "agent"]
    # (a subsequence from the first letter before one further in; then the tighter; `xcoutx` lacks the `s`)
    assert ranked == ["scout", "scoutmaster", "the-scout", "scxout", "s-c-o-u-t", "a-scxout"]
