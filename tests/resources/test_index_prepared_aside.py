"""What the first edit needs (reference maps, persistent maps) can be built aside, in a worker thread,
while the snapshot it is built from stays in use; the index takes it only if nothing changed meanwhile."""

from __future__ import annotations

import pytest
from immutables import Map

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.fold import references
from crew_lsp.resources.index import Index, Snapshot, derive, folded_for_checks, prepared_aside

TEAM = "---\nname: alpha\ndefaultWorkflow: flow\n---\n- lead: agent=scout\n- writer: agent=nobody\n"
FILES = {
    "agents/scout.md": "---\nname: scout\ndescription: looks\n---\nYou look.\n",
    "teams/alpha.team.md": TEAM,
    "workflows/flow.workflow.md": "---\nname: flow\n---\n\n## a\nrole: lead\n\nDo it.\n",
}


@pytest.fixture
def index(tmp_path, monkeypatch) -> Index:
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    for rel, text in FILES.items():
        path = tmp_path / "ws" / ".crew" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Index.load(Workspace.discover(tmp_path / "ws"))


def maps(snap: Snapshot) -> dict[str, dict]:
    references(snap)
    return {attr: dict(getattr(snap, attr)) for attr in Snapshot.__slots__
            if attr not in ("workspace", "version", "roles", "name_indexes", "configs")}


def test_a_snapshot_prepared_aside_leaves_the_one_in_use_untouched_and_holds_the_same_maps(index):
    base = index.snapshot
    ready = prepared_aside(base)
    assert base.role_counts is None and isinstance(base.resources, dict)  # readers of `base` see nothing change
    assert isinstance(ready.resources, Map) and ready.role_counts is not None
    fresh = derive(Snapshot(base.workspace, dict(base.resources), problems=dict(base.problems)))
    assert maps(ready) == maps(fresh)


def test_the_index_takes_a_snapshot_prepared_aside_and_edits_it_like_any_other(index):
    base = index.snapshot
    ready = prepared_aside(base)
    assert index.take_prepared(base, ready)
    assert index.snapshot is ready
    team = str(base.workspace.crew / "teams" / "alpha.team.md")
    affected = index.update(team, TEAM.replace("agent=nobody", "agent=scout"))
    assert team in affected
    assert index.snapshot.unresolved_agents.get("nobody") is None


def test_a_snapshot_prepared_aside_is_dropped_when_an_edit_came_first(index):
    base = index.snapshot
    ready = prepared_aside(base)
    team = str(base.workspace.crew / "teams" / "alpha.team.md")
    index.update(team, TEAM.replace("agent=nobody", "agent=scout"))
    edited = index.snapshot
    assert not index.take_prepared(base, ready)
    assert index.snapshot is edited


def test_a_snapshot_folded_for_checks_has_its_name_lookups_built_and_equal_to_lazily_built_ones(index):
    base = index.snapshot
    ready = folded_for_checks(base.workspace, dict(base.resources), dict(base.problems))
    assert set(ready.name_indexes) == {"agents", "workflows", "skills"} and ready.roles is not None
    for kind in ("agents", "workflows", "skills"):
        built, lazy = ready.names(kind), base.names(kind)
        assert (built.forward, built.backward) == (lazy.forward, lazy.backward)
    assert ready.all_roles() == base.all_roles() and {"lead", "writer"} <= ready.all_roles()
