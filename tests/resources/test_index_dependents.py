"""`Index.update` re-checks the files whose did-you-mean suggestions depend on the set of names."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index


def _index(root: Path, files: dict[str, str]) -> Index:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return Index.load(Workspace.discover(root))


def read_text(path: str) -> str:
    return Path(path).read_bytes().decode("utf-8")


def _path(index: Index, name: str) -> str:
    return next(p for p in index.snapshot.resources if p.endswith(name))


def test_renaming_an_agent_rechecks_teams_with_unknown_agents(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    index = _index(tmp_path / "ws", {
        ".crew/agents/scribe.md": "---\nname: scribe\ndescription: writes\n---\nx",
        ".crew/teams/broken.team.md": "---\nname: broken\n---\n- writer: agent=scrib\n",
        ".crew/teams/fine.team.md": "---\nname: fine\n---\n- writer: agent=executor\n",
    })
    scribe, broken, fine = (_path(index, n) for n in ("scribe.md", "broken.team.md", "fine.team.md"))
    changed = index.update(scribe, read_text(scribe).replace("name: scribe", "name: penman"))
    assert broken in changed  # its "did you mean `scribe`?" is stale now
    assert fine not in changed
    # and back: the previous snapshot had the unresolved reference too
    changed = index.update(scribe, read_text(scribe))
    assert broken in changed and fine not in changed
    # a body edit keeps the names: nothing else to re-check
    assert index.update(scribe, read_text(scribe) + "more\n") == {scribe}


def test_renaming_a_workflow_rechecks_teams_with_unknown_workflows_close_to_its_names(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    index = _index(tmp_path / "ws", {
        ".crew/workflows/triage.workflow.md": "---\nname: triage\n---\n## one\nrole: executor\n\ndo it\n",
        ".crew/teams/lost.team.md": "---\nname: lost\ndefaultWorkflow: triag\n---\n- executor: agent=executor\n",
        ".crew/teams/far.team.md": "---\nname: far\ndefaultWorkflow: zzzzzzzz\n---\n- executor: agent=executor\n",
        ".crew/teams/fine.team.md": "---\nname: fine\ndefaultWorkflow: default\n---\n- executor: agent=executor\n",
    })
    triage, lost, far, fine = (_path(index, n) for n in ("triage.workflow.md", "lost.team.md", "far.team.md", "fine.team.md"))
    changed = index.update(triage, read_text(triage).replace("name: triage", "name: audit"))
    assert lost in changed  # its "did you mean `triage`?" is stale now
    assert far not in changed  # no name that came or went is close to `zzzzzzzz`
    assert fine not in changed


def test_a_project_file_shadowed_by_a_builtin_changes_no_suggestion_when_renamed(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    index = _index(tmp_path / "ws", {
        ".crew/workflows/review.workflow.md": "---\nname: review\n---\n## one\nrole: executor\n\ndo it\n",
        ".crew/teams/lost.team.md": "---\nname: lost\ndefaultWorkflow: reviw\n---\n- executor: agent=executor\n",
    })
    review, lost = (_path(index, n) for n in ("review.workflow.md", "lost.team.md"))
    # the builtin `review` wins before and after: "did you mean `review`?" stays true
    assert lost not in index.update(review, read_text(review).replace("name: review", "name: audit"))


def test_a_team_shadowing_another_rechecks_the_workflow_the_shadowed_team_ran(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    index = _index(tmp_path / "ws", {
        ".crew/teams/t1.team.md": "---\nname: alpha\ndefaultWorkflow: flow\n---\n- lead: agent=executor\n",
        ".crew/teams/beta.team.md": "---\nname: beta\ndefaultWorkflow: flow\n---\n- lead: agent=executor\n",
        ".crew/workflows/flow.workflow.md": "---\nname: flow\n---\n## plan\nrole: writer\n\nPlan.\n",
    })
    flow = _path(index, "flow.workflow.md")
    t2 = str(tmp_path / "ws" / ".crew" / "teams" / "t2.team.md")
    text = "---\nname: alpha\n---\n- lead: agent=executor\n"
    Path(t2).write_text(text, encoding="utf-8")
    # t2 wins the name `alpha` (last by file name): only `beta` runs `flow` now, and its role check names the teams
    assert flow in index.update(str(Path(t2).resolve()), text)


def test_renaming_an_agent_rechecks_the_user_config_whose_overrides_name_agents(tmp_path, monkeypatch):
    monkeypatch.setenv("PI_TEAMS_HOME", str(tmp_path / "home"))
    index = _index(tmp_path / "ws", {
        ".crew/agents/scribe.md": "---\nname: scribe\ndescription: writes\n---\nx",
    })
    config = tmp_path / "home" / ".pi" / "agent" / "pi-crew.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"agents": {"overrides": {"scribe": {"thinking": "high"}}}}', encoding="utf-8")
    index.update(str(config), read_text(str(config)))
    scribe = _path(index, "scribe.md")
    changed = index.update(scribe, read_text(scribe).replace("name: scribe", "name: penman"))
    assert str(config) in changed  # its override of `scribe` names no agent now
