"""Discovery and the effective set (docs/formats.md, Roots and discovery): roots, scopes, precedence, names."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.resources.discovery import Workspace, crew_root, repo_root
from crew_lsp.resources.index import Index

ROOT = Path(__file__).resolve().parents[2]


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def _snap(folder: Path):
    return Index.load(Workspace.discover(folder)).snapshot


def test_repo_root_and_crew_root(tmp_path):
    repo = _write(tmp_path / "repo", {"pyproject.toml": "", "sub/deep/x.txt": ""})
    assert repo_root(repo / "sub" / "deep") == repo.resolve()
    assert crew_root(repo) == repo / ".crew"
    (repo / ".pi").mkdir()
    assert crew_root(repo) == repo / ".pi" / "teams"
    (repo / ".crew").mkdir()
    assert crew_root(repo) == repo / ".crew"


def test_no_marker_means_the_folder_itself(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    assert repo_root(folder) == folder.resolve()


def test_precedence_user_over_builtin_over_project(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    _write(home, {".pi/agent/agents/critic.md": "---\ndescription: user critic\n---\nx"})
    ws = _write(tmp_path / "ws", {
        ".crew/agents/executor.md": "---\ndescription: project executor\n---\nx",
        ".crew/agents/helper.md": "---\ndescription: project helper\n---\nx",
        ".crew/agents/README.md": "Notes about the agents.\n",
        ".crew/agents/named.md": "---\nname: Other-Name\n---\nx",
        ".crew/teams/t.team.md": "---\nname: t\n---\n- a: agent=helper\n",
        ".crew/agents/nested/deep.md": "---\nname: deep\n---\nx",
    })
    snap = _snap(ws)
    assert snap.agents["executor"].scope == "builtin"
    assert snap.agents["critic"].scope == "user"
    assert snap.agents["helper"].scope == "project"
    assert snap.agents["readme"].name == "README"  # every .md in an agents folder is an agent
    assert snap.agents["other-name"].name == "Other-Name"  # keyed lower-cased, named by frontmatter
    assert "deep" not in snap.agents  # folders are read non-recursively
    assert snap.losers[str(ws.resolve() / ".crew/agents/executor.md")].scope == "builtin"
    assert snap.agent("Other-Name") is not None and snap.agent("other-name") is None  # case-sensitive lookup
    assert sorted(t.name for t in snap.teams_running("default")) == ["default", "t"]


def test_disabled_agents_leave_the_effective_set(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    _write(home, {".pi/agent/pi-crew.json": '{"agents": {"overrides": {"Writer": {"disabled": true}}}}'})
    ws = _write(tmp_path / "ws", {
        ".crew/agents/off.md": "---\ndisabled: true\n---\nx",
        ".crew/agents/on.md": "---\nenabled: false\n---\nx",
        ".crew/config.json": '{"agents": {"overrides": {"critic": {"disabled": true}}}}',  # sanitised in a project file
    })
    snap = _snap(ws)
    assert {"off", "on", "writer"} <= set(snap.disabled_agents)
    assert not {"off", "on", "writer"} & set(snap.agents)
    assert "critic" in snap.agents


def test_resource_package_is_its_own_builtin_scope():
    ws = Workspace.discover(ROOT)
    assert ws.builtin == ROOT
    snap = Index.load(ws).snapshot
    assert {r.scope for r in snap.resources.values() if r.kind != "config"} == {"builtin"}
    assert snap.losers == {} and snap.same_scope == {}


def test_scan_finds_every_kind(tmp_path):
    ws = _write(tmp_path / "ws", {
        ".crew/agents/a.md": "x", ".crew/teams/t.team.md": "x", ".crew/workflows/w.workflow.md": "x",
        ".crew/teams/not-a-team.md": "x", ".crew/config.json": "{}", "skills/s/SKILL.md": "x", "skills/loose.md": "x",
    })
    snap = _snap(ws)
    project = sorted((r.kind, Path(r.path).name) for r in snap.resources.values() if r.scope == "project")
    assert project == [("agent", "a.md"), ("config", "config.json"), ("skill", "SKILL.md"), ("team", "t.team.md"), ("workflow", "w.workflow.md")]
    assert snap.skills["s"].scope == "project" and "safe-bash" in snap.skills
