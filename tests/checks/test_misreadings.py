"""What pi-crew silently misreads when parsing agents, teams, workflows and config, each flagged on the text at fault."""

from __future__ import annotations

from checkutil import apply_edits, check, codes, write_tree

from crew_lsp.checks import check_resource
from crew_lsp.checks.codes import Severity
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.model import parse_resource

TEAM_HEAD = "---\nname: {name}\ndescription: A team\ndefaultWorkflow: {wf}\n---\n"
DEFAULT_ROLES = "- explorer: agent=explorer map\n- planner: agent=planner plan\n- executor: agent=executor do\n- verifier: agent=verifier check\n"


def _team(name: str, roles: str, wf: str = "default") -> str:
    return TEAM_HEAD.format(name=name, wf=wf) + roles


def _workflow(name: str, body: str) -> str:
    return f"---\nname: {name}\ndescription: A workflow\n---\n{body}"


def _only(found, path: str):
    return [f for f in found if f.path == path]


def test_quoted_name_is_kept_with_quotes(tmp_path):
    text = '---\nname: "reviewer"\ndescription: Reviews docs\n---\nYou review.\n'
    root = write_tree(tmp_path, {".crew/agents/quoted.md": text})
    res = parse_resource("agent", "project", str(root / ".crew/agents/quoted.md"), text)
    assert res.name == '"reviewer"'
    found = check(root)
    assert codes(found) == ["CREW105", "CREW112"]  # the name with its quotes also differs from `quoted`
    crew105 = next(f for f in found if f.code == "CREW105")
    assert crew105.range == [1, 6, 1, 16]


def test_yaml_block_list_leaves_tools_unrestricted(tmp_path):
    text = "---\nname: runner\ndescription: Runs tests\ntools:\n  - read\n  - bash\n---\nYou run tests.\n"
    root = write_tree(tmp_path, {".crew/agents/runner.md": text})
    res = parse_resource("agent", "project", "runner.md", text)
    assert res.model.tools == []  # unrestricted
    found = check(root)
    assert codes(found) == ["CREW104"]
    d = found[0]
    assert d.range == [3, 0, 3, 5]
    assert "every tool" in d.message
    fixed = apply_edits(text, d.first_fix["edits"])
    assert "\ntools: read, bash\n---\n" in fixed
    assert parse_resource("agent", "project", "runner.md", fixed).model.tools == ["read", "bash"]
    (root / ".crew/agents/runner.md").write_text(fixed)
    assert check(root) == []


def test_bom_hides_the_frontmatter(tmp_path):
    text = "\ufeff---\nname: bom\ndescription: x\n---\nBody.\n"
    root = write_tree(tmp_path, {".crew/agents/bom.md": text})
    res = parse_resource("agent", "project", "bom.md", text)
    assert not res.doc.frontmatter.present and res.name == "bom"
    found = check(root)
    assert codes(found) == ["CREW101"]
    assert found[0].range[:2] == [0, 0]


def test_unclosed_frontmatter_leaves_the_whole_file_as_body(tmp_path):
    root = write_tree(tmp_path, {".crew/teams/x.team.md": "---\nname: x\n", ".crew/agents/y.md": "---\nname: y\n"})
    found = check(root)
    team = _only(found, ".crew/teams/x.team.md")
    assert [f.code for f in team] == ["CREW102", "CREW204"]
    assert not any("agent `--`" in f.message and f.code != "CREW204" for f in found)
    assert [f.code for f in _only(found, ".crew/agents/y.md")] == ["CREW102"]


def test_unknown_agent_is_flagged_on_its_token(tmp_path):
    root = write_tree(tmp_path, {".crew/teams/t.team.md": _team("t", DEFAULT_ROLES.replace("agent=executor", "agent=exector"))})
    found = check(root)
    assert codes(found) == ["CREW201"]
    d = found[0]
    line = (root / ".crew/teams/t.team.md").read_text().splitlines()[d.range[0]]
    assert line[d.range[1]:d.range[3]] == "exector"
    assert "did you mean `executor`?" in d.message
    assert d.first_fix["edits"] == [[d.range[0], d.range[1], d.range[2], d.range[3], "executor"]]


def test_prose_bullet_is_an_accidental_role(tmp_path):
    root = write_tree(tmp_path, {".crew/teams/t.team.md": _team("t", DEFAULT_ROLES + "- Note: this team is for X\n")})
    assert codes(check(root)) == ["CREW204"]


def test_skills_swallow_prose(tmp_path):
    text = _team("t", DEFAULT_ROLES.replace("- executor: agent=executor do", "- executor: agent=executor skills=safe-bash, then implement"))
    root = write_tree(tmp_path, {".crew/teams/t.team.md": text})
    role = parse_resource("team", "project", "t.team.md", text).model.role("executor")
    assert [i.text for i in role.skills] == ["safe-bash", "then"]
    assert codes(check(root)) == ["CREW205"]


def test_prose_glued_to_the_metadata_block(tmp_path):
    wf = _workflow("glued", "\n## plan\nrole: planner\nNote: keep it short\n\nPlan {goal}.\n")
    root = write_tree(tmp_path, {".crew/workflows/glued.workflow.md": wf, ".crew/teams/glued.team.md": _team("glued", "- planner: agent=planner plan\n", "glued")})
    step = parse_resource("workflow", "project", "glued.workflow.md", wf).model.steps[0]
    assert step.meta["Note"].value == "keep it short"
    assert "keep it short" not in step.task
    found = check(root)
    assert codes(found) == ["CREW305"]
    assert found[0].range == [7, 0, 7, 4]
    assert "blank line" in found[0].first_fix["title"].lower()


def test_missing_roles_unknown_dependencies_and_cycles_are_flagged_on_their_tokens(tmp_path):
    wf = _workflow("cycle", "\n## a\ndependsOn: b\n\nPrepare.\n\n## b\nrole: executor\ndependsOn: a, missing-step\n\nDo it.\n")
    root = write_tree(tmp_path, {".crew/workflows/cycle.workflow.md": wf,
                                 ".crew/teams/cycle.team.md": _team("cycle", "- planner: agent=planner plan\n- executor: agent=executor do\n", "cycle")})
    found = check(root)
    assert [(f.code, f.range) for f in found] == [
        ("CREW301", [5, 3, 5, 4]),  # step `a` has no role: its id is the role
        ("CREW303", [6, 11, 6, 12]),  # a's `dependsOn: b`
        ("CREW303", [12, 11, 12, 12]),  # b's `dependsOn: a`
        ("CREW302", [12, 14, 12, 26]),  # `missing-step`
    ]
    assert all("a -> b -> a" in f.message for f in found if f.code == "CREW303")
    assert "`planner`, `executor`" in found[0].message


def test_missing_comma_in_depends_on(tmp_path):
    wf = _workflow("nc", "\n## explore\nrole: explorer\n\nx\n\n## plan\nrole: planner\n\ny\n\n## execute\nrole: executor\ndependsOn: explore plan\n\nz\n")
    root = write_tree(tmp_path, {".crew/workflows/nc.workflow.md": wf,
                                 ".crew/teams/nc.team.md": _team("nc", "- explorer: agent=explorer\n- planner: agent=planner\n- executor: agent=executor\n", "nc")})
    step = parse_resource("workflow", "project", "nc.workflow.md", wf).model.step("execute")
    assert [i.text for i in step.depends_on] == ["explore plan"]
    found = check(root)
    assert codes(found) == ["CREW302"]
    assert "missing comma?" in found[0].message
    assert found[0].first_fix["edits"][0][4] == "explore, plan"


def test_heading_inside_a_code_fence_becomes_a_step(tmp_path):
    wf = _workflow("f", "\n## explore\nrole: explorer\n\nPropose:\n\n```\n## x\n```\n")
    root = write_tree(tmp_path, {".crew/workflows/f.workflow.md": wf, ".crew/teams/f.team.md": _team("f", "- explorer: agent=explorer\n", "f")})
    model = parse_resource("workflow", "project", "f.workflow.md", wf).model
    assert [s.id for s in model.steps] == ["explore", "x"]
    found = check(root)
    assert codes(found) == ["CREW306"]
    assert found[0].range == [11, 0, 11, 4]


def test_crlf_without_frontmatter_loses_metadata(tmp_path):
    wf = "## explore\r\nrole: explorer\r\n\r\nLook.\r\n\r\n## build\r\nrole: executor\r\ndependsOn: explore\r\n\r\nDo.\r\n"
    root = write_tree(tmp_path, {".crew/workflows/c.workflow.md": wf,
                                 ".crew/teams/c.team.md": _team("c", "- explorer: agent=explorer\n- executor: agent=executor\n", "c")})
    model = parse_resource("workflow", "project", "c.workflow.md", wf).model
    assert [(s.id, s.role, s.meta) for s in model.steps] == [("explore", "explore", {}), ("build", "build", {})]
    found = check(root)
    assert codes(found) == ["CREW311"]  # the role mismatches follow from CREW311, not reported again


def test_a_capitalised_boolean_is_not_read_and_is_fixed_to_lowercase(tmp_path):
    wf = _workflow("b", "\n## verify\nrole: verifier\nverify: True\n\nCheck.\n")
    root = write_tree(tmp_path, {".crew/workflows/b.workflow.md": wf, ".crew/teams/b.team.md": _team("b", "- verifier: agent=verifier\n", "b")})
    assert parse_resource("workflow", "project", "b.workflow.md", wf).model.steps[0].flag("verify") is None
    found = check(root)
    assert codes(found) == ["CREW108"]
    assert found[0].first_fix["edits"] == [[7, 8, 7, 12, "true"]]


def test_team_values_outside_their_allowed_set_or_range(tmp_path):
    text = "---\nname: t\ndescription: A team\ndefaultWorkflow: default\nmaxConcurrency: three\nworkspaceMode: worktrees\n---\n" + DEFAULT_ROLES
    root = write_tree(tmp_path, {".crew/teams/t.team.md": text})
    found = check(root)
    assert codes(found) == ["CREW109", "CREW110"]
    crew109 = next(f for f in found if f.code == "CREW109")
    assert "applies: single" in crew109.message and crew109.range == [5, 15, 5, 24]
    assert next(f for f in found if f.code == "CREW110").range == [4, 16, 4, 21]


def test_shadowing_and_case_clashes(tmp_path, monkeypatch):
    home = tmp_path / "home"
    write_tree(home, {".pi/agent/agents/EXPLORER.md": "---\ndescription: A louder explorer\n---\nYou explore.\n"})
    monkeypatch.setenv("PI_TEAMS_HOME", str(home))
    root = write_tree(tmp_path / "ws", {".crew/agents/executor.md": "---\nname: executor\ndescription: Mine\n---\nYou execute.\n"})
    assert codes(check(root)) == ["CREW407"]
    snap = Index.load(Workspace.discover(root)).snapshot
    user = next(r for r in snap.resources.values() if r.scope == "user" and r.kind == "agent")
    assert [d.code for d in check_resource(user, snap)] == ["CREW408"]
    builtin_teams = [r for r in snap.resources.values() if r.scope == "builtin" and r.kind == "team"]
    assert len(builtin_teams) == 6
    for team in builtin_teams:
        explorer_lines = [r for r in team.model.roles if r.agent == "explorer"]
        diags = check_resource(team, snap)
        crew201 = [d for d in diags if d.code == "CREW201"]
        assert len(crew201) == len(explorer_lines) >= 1, team.name
        assert {d.span for d in crew201} == {r.tokens["agent"].value_span for r in explorer_lines}
        assert all("`EXPLORER`" in d.message for d in crew201)


def test_project_config_typos_sensitive_keys_and_ranges(tmp_path):
    cases = {
        '{"runtme": {}}': ("CREW502", "did you mean `runtime`?"),
        '{"executeWorkers": false}': ("CREW504", "executeWorkers"),
        '{"limits": {"maxConcurrentWorkers": 0}}': ("CREW503", "maxConcurrentWorkers"),
        '{"limits": {"maxConcurrentWorkers": 16}}': ("CREW505", "8"),
    }
    for n, (text, (code, needle)) in enumerate(cases.items()):
        root = write_tree(tmp_path / str(n), {".crew/config.json": text})
        found = check(root)
        assert codes(found) == [code], text
        assert needle in found[0].message


def test_builtins_have_nothing_above_information(tmp_path):
    snap = Index.load(Workspace.discover(write_tree(tmp_path, {}))).snapshot
    builtin = [r for r in snap.resources.values() if r.scope == "builtin"]
    assert {r.kind for r in builtin} == {"agent", "team", "workflow", "skill"}
    assert len([r for r in builtin if r.kind != "skill"]) == 22
    bad = [(r.path, d.code, d.message) for r in builtin for d in check_resource(r, snap) if d.severity < Severity.INFORMATION]
    assert bad == []
