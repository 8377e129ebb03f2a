"""After any sequence of edits, the files `Index.update` reports for re-checking include every file whose
diagnostics a full re-check changes: an editor that re-checks only those never shows stale diagnostics.

(The reported set may be larger: the edited file is always in it, and some links are re-checked
whenever they could change, which is cheaper than finding out whether they did.)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crew_lsp.checks import check_snapshot
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index

AGENT_NAMES = ["scout", "scribe", "scrib", "Scout", "executor"]  # typos, a case clash, a builtin's name
ROLES = ["lead", "writer", "executor", "planner"]
WORKFLOW_NAMES = ["flow", "flo", "default", "review"]
TEAM_NAMES = ["alpha", "beta", "flow"]

AGENT_FILES = [".crew/agents/a1.md", ".crew/agents/a2.md", ".crew/agents/a3.md"]
TEAM_FILES = [".crew/teams/t1.team.md", ".crew/teams/t2.team.md"]
WORKFLOW_FILES = [".crew/workflows/w1.workflow.md", ".crew/workflows/w2.workflow.md"]


SKILL_NAMES = ["tidy-up", "tidy-upp", "verify-evidence"]  # a typo of each other, a builtin's name
SKILL_FILES = [f"skills/{name}/SKILL.md" for name in SKILL_NAMES[:2]]


def agent_text(name: str, skills: list[str] | None = None) -> str:
    return f"---\nname: {name}\ndescription: works\n" + (f"skills: {', '.join(skills)}\n" if skills else "") + "---\nYou work.\n"


def team_text(name: str, workflow: str | None, roles: list[tuple[str, str]]) -> str:
    head = f"---\nname: {name}\ndescription: a team\n" + (f"defaultWorkflow: {workflow}\n" if workflow else "") + "---\n"
    return head + "".join(f"- {role}: agent={agent}" + (f" skills={skill}" if skill else "") + " do it\n" for role, agent, skill in roles)


def workflow_text(name: str, steps: list[tuple[str, str, str | None, str | None]]) -> str:
    out = f"---\nname: {name}\ndescription: steps\n---\n"
    for sid, role, dep, skill in steps:
        out += (f"\n## {sid}\nrole: {role}\n" + (f"dependsOn: {dep}\n" if dep else "") + (f"skills: {skill}\n" if skill else "")
                + f"\nDo {sid} for {{goal}}.\n")
    return out


skill_refs = st.none() | st.sampled_from(SKILL_NAMES + ["tidy"])
agents = st.builds(agent_text, st.sampled_from(AGENT_NAMES), st.none() | st.lists(st.sampled_from(SKILL_NAMES), max_size=2))
teams = st.builds(
    team_text, st.sampled_from(TEAM_NAMES), st.none() | st.sampled_from(WORKFLOW_NAMES),
    st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(AGENT_NAMES), skill_refs), max_size=3),
)
skills = st.just("---\nname: placeholder\ndescription: helps\n---\nBody.\n")
steps = st.lists(st.tuples(st.sampled_from(["plan", "build", "check"]), st.sampled_from(ROLES),
                           st.none() | st.sampled_from(["plan", "build", "nope"]), skill_refs), max_size=3)
workflows = st.builds(workflow_text, st.sampled_from(WORKFLOW_NAMES), steps)

# one edit: a file slot and its new text (None: the file is deleted)
edits = st.one_of(
    st.tuples(st.sampled_from(AGENT_FILES), st.none() | agents),
    st.tuples(st.sampled_from(TEAM_FILES), st.none() | teams),
    st.tuples(st.sampled_from(WORKFLOW_FILES), st.none() | workflows),
    st.tuples(st.sampled_from(SKILL_FILES), st.none() | skills),
)
start = st.fixed_dictionaries({
    **{f: st.none() | agents for f in AGENT_FILES},
    **{f: st.none() | teams for f in TEAM_FILES},
    **{f: st.none() | workflows for f in WORKFLOW_FILES},
    **{f: st.none() | skills for f in SKILL_FILES},
})


def write_workspace(root: Path, files: dict[str, str | None]) -> None:
    """The generated files (None: absent) under ``root``, which always has a crew root."""
    for rel, text in files.items():
        if text is not None:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
    (root / ".crew").mkdir(exist_ok=True)


def _diagnostics(index: Index) -> dict[str, list[tuple]]:
    return {
        path: sorted((d.code, tuple(d.span), d.severity, d.message, json.dumps(d.data, sort_keys=True, default=str),
                      tuple((r.path, tuple(r.span), r.message) for r in d.related or ())) for d in found)
        for path, found in check_snapshot(index.snapshot).items()
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(initial=start, sequence=st.lists(edits, min_size=1, max_size=6))
def test_update_reports_every_file_whose_diagnostics_change(initial, sequence):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_workspace(root, initial)
        index = Index.load(Workspace.discover(root))
        before = _diagnostics(index)
        for rel, text in sequence:
            path = str((root / rel).resolve())
            assert (path in index.snapshot.resources) == (root / rel).is_file()  # the index's own path spelling
            if text is None:
                (root / rel).unlink(missing_ok=True)
            else:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text, encoding="utf-8")
            reported = index.update(path, text)
            after = _diagnostics(index)
            changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
            assert changed <= reported, (rel, text, sorted(Path(p).name for p in changed - reported))
            before = after
