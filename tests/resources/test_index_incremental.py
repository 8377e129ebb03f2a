"""After any sequence of edits, the incrementally updated snapshot equals a full rebuild of the same files.

`Index.update` refolds only the names the edited file held or holds; a full build (`derive`) folds
everything. Edits add, change, rename and delete agents, teams, workflows and skills in the project,
builtin and user scopes (so names shadow each other across scopes, clash by case, and repeat within
a scope), switch agents off from the user config, and edit the repository's AGENTS.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.fold import references
from crew_lsp.resources.index import Index, Snapshot, derive
from crew_lsp.resources.model import Resource

AGENT_NAMES = ["scout", "Scout", "scribe", "scrib", "executor", "planner"]  # typos, a case clash, builtins' names
ROLES = ["lead", "writer", "executor"]
WORKFLOW_NAMES = ["flow", "flo", "default", "review"]
TEAM_NAMES = ["alpha", "beta", "default", "flow"]


def agent_text(name: str, disabled: bool) -> str:
    return f"---\nname: {name}\ndescription: works\n" + ("disabled: true\n" if disabled else "") + "---\nYou work.\n"


def team_text(name: str, workflow: str | None, roles: list[tuple[str, str]]) -> str:
    head = f"---\nname: {name}\n" + (f"defaultWorkflow: {workflow}\n" if workflow else "") + "---\n"
    return head + "".join(f"- {role}: agent={agent}\n" for role, agent in roles)


def workflow_text(name: str, roles: list[str]) -> str:
    return f"---\nname: {name}\n---\n" + "".join(f"\n## s{i}\nrole: {role}\n\nDo it.\n" for i, role in enumerate(roles))


def config_text(disable_builtins: bool | None, disabled: list[str]) -> str:
    agents: dict = {"overrides": {name: {"disabled": True} for name in disabled}}
    if disable_builtins is not None:
        agents["disableBuiltins"] = disable_builtins
    return json.dumps({"agents": agents})


agents = st.builds(agent_text, st.sampled_from(AGENT_NAMES), st.booleans())
teams = st.builds(team_text, st.sampled_from(TEAM_NAMES), st.none() | st.sampled_from(WORKFLOW_NAMES),
                  st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(AGENT_NAMES)), max_size=3))
workflows = st.builds(workflow_text, st.sampled_from(WORKFLOW_NAMES), st.lists(st.sampled_from(ROLES), max_size=3))
skills = st.just("---\nname: s\ndescription: helps\n---\nBody.\n")
configs = st.builds(config_text, st.none() | st.booleans(), st.lists(st.sampled_from(AGENT_NAMES), max_size=2))

# file slots by (scope root, relative path): the text strategy for each
FILES = {
    ("project", "agents/a1.md"): agents, ("project", "agents/a2.md"): agents, ("user", "agents/u1.md"): agents,
    ("builtin", "agents/zz-b1.md"): agents,
    ("project", "teams/t1.team.md"): teams, ("project", "teams/t2.team.md"): teams, ("user", "teams/ut.team.md"): teams,
    ("builtin", "teams/zz-bt.team.md"): teams,
    ("project", "workflows/w1.workflow.md"): workflows, ("project", "workflows/w2.workflow.md"): workflows,
    ("user", "workflows/uw.workflow.md"): workflows,
    ("skills", "verify-evidence/SKILL.md"): skills, ("skills", "new-skill/SKILL.md"): skills,
    ("user", "pi-crew.json"): configs,
    ("repo", "AGENTS.md"): st.sampled_from(["# Guide\n", "<!-- PI-CREW:START -->\nx\n<!-- PI-CREW:END -->\n"]),
}
NAME_KINDS = ("agents", "workflows", "skills")
edits = st.one_of(*(st.tuples(st.just(slot), st.none() | text) for slot, text in FILES.items()))


def _plain(value: object) -> object:
    """A map value as comparable data: files by path, sets sorted."""
    if isinstance(value, Resource):
        return value.path
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, frozenset):
        return tuple(sorted(value))
    return value


def state(snap: Snapshot) -> dict[str, object]:
    references(snap)
    out: dict[str, object] = {}
    for attr in Snapshot.__slots__:
        value = getattr(snap, attr)
        if attr in ("workspace", "version", "roles", "name_indexes"):  # (the names are compared below)
            continue
        if attr == "configs":
            out[attr] = _plain(value)
        else:
            out[attr] = {key: _plain(v) for key, v in value.items()}
    out["all_roles"] = snap.all_roles()
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("ws")
    (root / ".crew").mkdir()
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("PI_TEAMS_HOME", str(home))
    mp.setenv("PI_CODING_AGENT_DIR", str(home / ".pi" / "agent"))  # no pi settings: the newest version's reading
    mp.setenv("PI_CREW_SKIP_HOME_CHECK", "1")  # this temporary home stands for the user's, config included
    try:
        return Workspace.discover(root)
    finally:
        mp.undo()


def _path(ws: Workspace, where: str, rel: str) -> str:
    base = {"project": ws.crew, "user": ws.user, "builtin": ws.builtin, "skills": ws.folder / "skills", "repo": ws.repo}[where]
    return str(Path(base) / rel)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=st.lists(edits, min_size=1, max_size=12))
def test_incremental_updates_equal_a_full_rebuild(workspace, sequence):
    index = Index.load(workspace)
    for (where, rel), text in sequence:
        path = _path(workspace, where, rel)
        assert workspace.classify(path) is not None, path  # every slot is a file the index takes
        for kind in NAME_KINDS:
            index.snapshot.names(kind)  # built, so the edit carries them over
        index.update(path, text)
        snap = index.snapshot
        rebuilt = derive(Snapshot(workspace, dict(snap.resources), problems=dict(snap.problems)))
        assert state(snap) == state(rebuilt), (where, rel, text)
        for kind in NAME_KINDS:
            carried, fresh = snap.names(kind), rebuilt.names(kind)
            assert (carried.forward, carried.backward) == (fresh.forward, fresh.backward), kind


def test_an_edit_shares_every_untouched_map_entry_with_the_previous_snapshot(workspace):
    index = Index.load(workspace)
    path = _path(workspace, "project", "agents/a1.md")
    index.update(path, agent_text("scout", False))
    before = index.snapshot
    index.update(path, agent_text("scribe", False))
    after = index.snapshot
    assert before.resources[path].name == "scout" and after.resources[path].name == "scribe"  # the old one is intact
    assert after.teams is before.teams and after.workflows is before.workflows  # an agent rename touches no team map
    assert after.agents["executor"] is before.agents["executor"]
