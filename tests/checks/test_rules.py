"""Rule details the golden fixtures do not show: related information, severity choices, create-file
fixes, suppression comments and severity settings."""

from __future__ import annotations

from checkutil import apply_fix, check, codes, write_tree

from crew_lsp.checks import check_resource
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index

AGENT = "---\nname: a\ndescription: An agent\n{extra}---\nYou work.\n"
TEAM = "---\nname: t\ndescription: A team\ndefaultWorkflow: {wf}\n---\n{roles}"


def test_duplicate_key_points_at_the_winning_line(tmp_path):
    root = write_tree(tmp_path, {".crew/agents/a.md": AGENT.format(extra="cost: free\ncost: cheap\ncost: expensive\n")})
    found = check(root)
    assert [(f.code, f.range[0]) for f in found] == [("CREW106", 3), ("CREW106", 4)]
    for f in found:
        (related,) = f.diag.related
        assert related.path.endswith("a.md") and related.span.line == 5
        assert "line 6" in f.message and "`expensive`" in f.message


def test_ignored_duplicate_values_are_not_checked_again(tmp_path):
    root = write_tree(tmp_path, {".crew/agents/a.md": AGENT.format(extra="cost: pricey\ncost: cheap\n")})
    assert codes(check(root)) == ["CREW106"]


def test_unknown_key_severity_depends_on_a_close_known_key(tmp_path):
    root = write_tree(tmp_path, {".crew/agents/a.md": AGENT.format(extra="modle: gpt-5\nowner: me\n")})
    typo, custom = check(root)
    assert (typo.code, typo.severity, typo.first_fix["title"]) == ("CREW107", "warning", "Change to `model`")
    assert (custom.code, custom.severity, custom.first_fix) == ("CREW107", "information", None)


def test_workflow_no_team_uses_is_a_hint_and_its_roles_are_checked_against_all_roles(tmp_path):
    wf = "---\nname: lone\ndescription: Nobody runs me\n---\n\n## look\nrole: explorer\n\nLook.\n\n## fix\nrole: fixer\n\nFix.\n"
    root = write_tree(tmp_path, {".crew/workflows/lone.workflow.md": wf})
    hint, role = check(root)
    assert (hint.code, hint.severity) == ("CREW314", "hint")
    assert (role.code, role.severity, role.range) == ("CREW301", "warning", [11, 6, 11, 11])
    assert "no team defines" in role.message


def test_unknown_agent_without_suggestion_offers_to_create_it(tmp_path):
    root = write_tree(tmp_path, {".crew/teams/t.team.md": TEAM.format(wf="t", roles="- scout: agent=scout look around\n"),
                                 ".crew/workflows/t.workflow.md": "---\nname: t\ndescription: w\n---\n\n## look\nrole: scout\n\nLook.\n"})
    (found,) = check(root)
    assert found.code == "CREW201" and "create" in found.first_fix
    apply_fix(root, found.path, found.first_fix)
    assert (root / ".crew/agents/scout.md").is_file()
    assert [f for f in check(root) if f.severity in ("error", "warning")] == []


def test_unknown_workflow_offers_to_create_it_from_the_team_roles(tmp_path):
    root = write_tree(tmp_path, {".crew/teams/t.team.md": TEAM.format(wf="brand-new", roles="- explorer: agent=explorer\n- executor: agent=executor\n")})
    (found,) = check(root)
    assert found.code == "CREW202"
    create = next(f for f in found.diag.data["fixes"] if "create" in f)
    apply_fix(root, found.path, create)
    assert [f for f in check(root) if f.severity in ("error", "warning")] == []


def test_team_without_roles_is_an_error_and_not_also_a_role_mismatch(tmp_path):
    root = write_tree(tmp_path, {".crew/teams/t.team.md": TEAM.format(wf="default", roles="Just prose.\n")})
    (found,) = check(root)
    assert (found.code, found.severity) == ("CREW113", "error")


def test_bom_before_a_team_frontmatter_turns_both_rules_into_roles(tmp_path):
    text = "\ufeff" + TEAM.format(wf="default", roles="- explorer: agent=explorer\n")
    root = write_tree(tmp_path, {".crew/teams/t.team.md": text})
    assert [(f.code, f.range[0]) for f in check(root)] == [("CREW101", 0), ("CREW204", 0), ("CREW204", 4)]


def test_suppression_comments(tmp_path):
    agent = "---\nname: a\ndescription: x\n# crew-lsp: disable=CREW107\nowner: me\n---\nYou work.\n"
    team = TEAM.format(wf="default", roles="<!-- crew-lsp: disable=CREW204 -->\n- explorer: agent=explorer\n- planner: agent=planner\n"
                                            "- executor: agent=executor\n- verifier: agent=verifier\n- Note: prose\n")
    root = write_tree(tmp_path, {".crew/agents/a.md": agent, ".crew/teams/t.team.md": team})
    assert check(root) == []


def test_severity_settings(tmp_path):
    root = write_tree(tmp_path, {".crew/workflows/w.workflow.md": "---\nname: w\ndescription: x\n---\n\n## explore\nrole: explorer\n\nLook.\n"})
    snap = Index.load(Workspace.discover(root)).snapshot
    res = snap.resources[str(root.resolve() / ".crew/workflows/w.workflow.md")]
    assert [d.code for d in check_resource(res, snap)] == ["CREW314"]
    assert check_resource(res, snap, {"CREW314": "off"}) == []
    (d,) = check_resource(res, snap, {"CREW314": "Error"})
    assert d.severity.label == "error"
