"""Quick fixes that insert lines use the document's own line ending: a CRLF file gets `\\r\\n`, never a bare LF."""

from __future__ import annotations

import pytest
from checkutil import apply_fix, check, write_tree

# (file, text with `{nl}` for each line break, code whose first quick fix inserts a line)
CASES = [
    (".crew/agents/noblock.md", "You are a helper.{nl}Be brief.{nl}", "CREW100"),
    (".crew/agents/empty.md", "---{nl}---{nl}You are a helper.{nl}", "CREW102"),
    (".crew/agents/unclosed.md", "---{nl}name: unclosed{nl}description: d{nl}You are a helper.{nl}", "CREW102"),
    (".crew/agents/nodesc.md", "---{nl}name: nodesc{nl}---{nl}You are a helper.{nl}", "CREW111"),
    (".crew/teams/solo.team.md", "---{nl}name: solo{nl}description: d{nl}---{nl}- explorer: agent=explorer look{nl}", "CREW206"),
    (".crew/workflows/solo.workflow.md", "---{nl}name: solo{nl}description: d{nl}---{nl}## scan{nl}role: explorer{nl}Note: careful{nl}{nl}Look at {{goal}}.{nl}",
     "CREW305"),
    ("skills/bare/SKILL.md", "Teaches nothing.{nl}", "CREW410"),
    ("skills/noname/SKILL.md", "---{nl}description: d{nl}---{nl}Teaches.{nl}", "CREW410"),
]


@pytest.mark.parametrize("nl", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize(("rel", "text", "code"), CASES, ids=[c[0].split("/")[-1] + "-" + c[2] for c in CASES])
def test_inserted_lines_use_the_document_line_ending(tmp_path, nl, rel, text, code):
    files = {rel: text.format(nl=nl)}
    if rel.startswith(".crew/teams/"):
        files[".crew/workflows/solo.workflow.md"] = f"---{nl}name: solo{nl}description: d{nl}---{nl}## scan{nl}role: explorer{nl}{nl}Look.{nl}"
    root = write_tree(tmp_path, files)
    found = [f for f in check(root) if f.path == rel and f.code == code and f.first_fix and any("\n" in e[4] for e in f.first_fix["edits"])]
    assert found, f"no {code} fix inserting a line in {rel}"
    fix = found[0].first_fix
    for e in fix["edits"]:
        inserted = e[4]
        if nl == "\r\n":
            assert "\n" not in inserted.replace("\r\n", ""), (fix["title"], inserted)
        else:
            assert "\r" not in inserted, (fix["title"], inserted)
    apply_fix(root, rel, fix)
    after = (root / rel).read_bytes().decode("utf-8")
    if nl == "\r\n":
        assert "\n" not in after.replace("\r\n", ""), after  # no bare LF in a CRLF file
    else:
        assert "\r" not in after
    assert code not in [f.code for f in check(root) if f.path == rel] or code == "CREW410", after


def test_adding_frontmatter_to_a_crlf_workflow_still_says_lf():
    """CREW311's fix rewrites the whole file and says so: its text is LF on purpose."""
    from crew_lsp.checks import check_resource
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index
    from crew_lsp.resources.model import parse_resource

    text = "## explore\r\nrole: explorer\r\n\r\nLook.\r\n"
    index = Index(Workspace.discover("."))
    res = parse_resource("workflow", "loose", "/x/crlf.workflow.md", text)
    (d,) = [d for d in check_resource(res, index.snapshot) if d.code == "CREW311"]
    (edit,) = d.data["fixes"][0]["edits"]
    assert "\r" not in edit[4] and "line endings become LF" in d.data["fixes"][0]["title"]
