"""A compacted snapshot (every closed file reduced to its text and facts, parsed again when asked) answers
every check and the cross-file features exactly as the fully parsed one, before and after any edits."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crew_lsp.language.navigation import references
from crew_lsp.language.symbols import workspace_symbols
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.model import parse_resource
from tests.resources.test_index_update_property import _diagnostics, edits, start, write_workspace

TEAM = "---\nname: crew\ndefaultWorkflow: flow\n---\n- lead: agent=scout skills=tidy model=gpt-5\n- writer: agent=Scribe\n"
WORKFLOW = "---\nname: flow\n---\n## plan\nrole: lead\nskills: tidy, check\nmodel: o3\n\nPlan {goal}.\n"
AGENT = "---\nname: scout\nmodel: gpt-5\nfallbackModels: o3, o4\nskills: tidy\ndisabled: true\n---\nLook.\n"


def test_a_compacted_file_reads_as_the_parsed_one():
    for kind, text in (("team", TEAM), ("workflow", WORKFLOW), ("agent", AGENT)):
        full = parse_resource(kind, "project", f"/ws/.crew/x/{kind}.md", text)
        small = full.compacted()
        assert small.compact and small._parsed is None, kind
        assert (small.name, small.declared_name, small.disabled, small.skill_names, small.facts) == \
            (full.name, full.declared_name, full.disabled, full.skill_names, full.facts), kind
        assert small._parsed is None, kind  # (the facts alone answered)
        assert small == full and small.model == full.model and small.doc == full.doc, kind


def test_a_compacted_team_gives_its_names_without_parsing():
    small = parse_resource("team", "project", "/ws/.crew/teams/crew.team.md", TEAM).compacted()
    assert (small.team_workflow, small.default_workflow, small.role_names, small.role_agents, small.facts.models) == \
        ("flow", "flow", ("lead", "writer"), ("scout", "Scribe"), ("gpt-5",))
    assert small._parsed is None


def test_a_compacted_file_parsed_again_keeps_one_parse_until_dropped():
    small = parse_resource("workflow", "project", "/ws/.crew/workflows/flow.workflow.md", WORKFLOW).compacted()
    model = small.model
    assert small.model is model and small.doc_and_model()[1] is model


def _features(index: Index, root: Path) -> list:
    snap = index.snapshot
    out: list = [[(s.name, s.kind, s.location.path, tuple(s.location.span)) for s in workspace_symbols(snap, "")]]
    for path in sorted(snap.resources):
        res = snap.resources[path]
        if res.kind in ("team", "workflow", "agent"):
            for line in range(min(len(res.text.split("\n")), 12)):
                found = references(res, snap, line, 3, True)
                out.append((path, line, [(loc.path, tuple(loc.span)) for loc in found]))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=start, sequence=st.lists(edits, max_size=4))
def test_a_compacted_index_checks_and_answers_as_the_full_one(initial, sequence):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_workspace(root, initial)
        full = Index.load(Workspace.discover(root))
        small = Index.load(Workspace.discover(root), compact=True)
        assert _diagnostics(small) == _diagnostics(full)
        assert _features(small, root) == _features(full, root)
        for rel, text in sequence:
            path = str((root / rel).resolve())
            assert full.update(path, text) == small.update(path, text)
            assert _diagnostics(small) == _diagnostics(full)
        assert _features(small, root) == _features(full, root)


def test_references_to_an_agent_parse_again_only_the_teams_naming_it(tmp_path):
    crew = tmp_path / ".crew"
    (crew / "agents").mkdir(parents=True)
    (crew / "teams").mkdir()
    (crew / "agents" / "scout.md").write_text("---\nname: scout\ndescription: looks\n---\nLook.\n")
    (crew / "teams" / "uses.team.md").write_text("---\nname: uses\n---\n- lead: agent=scout\n")
    (crew / "teams" / "other.team.md").write_text("---\nname: other\n---\n- lead: agent=writer\n")
    index = Index.load(Workspace.discover(tmp_path), compact=True)
    resources = index.snapshot.resources
    agent = next(r for r in resources.values() if r.name == "scout")
    found = references(agent, index.snapshot, 1, 7, False)
    assert [Path(loc.path).name for loc in found] == ["uses.team.md"]
    assert next(r for r in resources.values() if r.name == "other")._parsed is None


def test_a_facts_row_sent_as_json_gives_back_the_names_and_facts_of_the_file():
    import json

    from crew_lsp.resources.facts import from_row, to_row

    for kind, text in (("team", TEAM), ("workflow", WORKFLOW), ("agent", AGENT)):
        res = parse_resource(kind, "project", f"/ws/.crew/x/{kind}-file.md", text)
        row = json.loads(json.dumps(to_row(res.file_name, res.name, res.facts)))
        assert from_row(row, {}.setdefault) == (res.file_name, res.name, res.facts), kind


def test_a_facts_row_that_is_not_exactly_a_row_is_refused():
    from crew_lsp.resources.facts import from_row

    good = ["crew", None, True, False, "flow", "flow", ["lead"], ["scout"], ["tidy"], ["gpt-5"]]
    assert from_row(good, {}.setdefault) is not None
    for bad in (None, "crew", good[:9], good + [1], ["crew", None, 1, *good[3:]],
                [*good[:6], ["lead", "writer"], ["scout"], *good[8:]],  # (a role without its agent)
                [*good[:8], [3], good[9]], [*good[:4], 7, *good[5:]], [*good[:9], "gpt-5"]):
        assert from_row(bad, {}.setdefault) is None, bad


def test_a_file_with_a_facts_row_is_indexed_from_it_and_read_only_when_its_text_is_asked_for(tmp_path):
    from crew_lsp.cache.key import Key
    from crew_lsp.checks.parallel import check_folder
    from crew_lsp.resources.discovery import scan
    from crew_lsp.resources.facts import Strings
    from crew_lsp.resources.index import KnownFacts, read_entries
    from crew_lsp.resources.loader import Loader

    crew = tmp_path / ".crew"
    (crew / "agents").mkdir(parents=True)
    (crew / "teams").mkdir()
    (crew / "agents" / "kept.md").write_text("---\nname: kept\ndescription: stays\n---\nStay.\n")
    (crew / "teams" / "odd.team.md").write_text(TEAM)
    ws = Workspace.discover(tmp_path)
    entries = scan(ws, Loader(ws.boundaries()))
    key = Key(ws, entries, {}, stamps=True)
    sent: list = []
    check_folder(ws, listing=(Loader(ws.boundaries()), entries), facts=sent.append)
    (rows,) = sent
    odd = next(n for n, entry in enumerate(entries) if entry[2].endswith("odd.team.md"))
    rows[odd] = ["odd", None, "yes"]  # (not a row: that file is read and parsed)
    known = KnownFacts(entries, rows, key.stamps, ws)
    resources, _problems, stamps = read_entries(ws, entries, Loader(ws.boundaries()), True, Strings(), known)
    assert known.used == len(entries) - 1
    kept = next(r for p, r in resources.items() if p.endswith("kept.md"))
    assert kept._text is None and kept._parsed is None and kept.name == "kept" and kept.declared_name
    assert stamps[kept.path] == key.stamps[entries.index((kept.kind, kept.scope, kept.path))]  # (as the key saw it)
    (crew / "agents" / "kept.md").write_text("---\nname: kept\ndescription: changed\n---\nNow.\n")
    assert kept.text.endswith("Now.\n") and kept.doc.frontmatter.get("description") == "changed"  # (read when asked)
    team = next(r for p, r in resources.items() if p.endswith("odd.team.md"))
    assert team.name == "crew" and team.role_names == ("lead", "writer")  # (parsed here)
