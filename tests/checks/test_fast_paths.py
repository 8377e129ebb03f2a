"""The checker's shortcuts for the usual case (no finding) must never hide one: dependencies by task id,
step ids that look like task ids, cycles, unknown ids, files and placeholders."""

from __future__ import annotations

import pytest

from crew_lsp.checks import check_resource
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.model import parse_resource

FM = "---\nname: w\ndescription: d\n---\n"
CASES = [
    ("## scan\nrole: explorer\n\nLook.\n## build\nrole: explorer\ndependsOn: 01_scan\n\nDo.\n", []),
    ("## scan\nrole: explorer\ndependsOn: 02_build\n\nLook.\n## build\nrole: explorer\ndependsOn: 01_scan\n\nDo.\n", ["CREW303", "CREW303"]),
    ("## 01_x\nrole: explorer\n\nLook.\n## build\nrole: explorer\ndependsOn: 01_x\n\nDo.\n", []),
    ("## 02_build\nrole: explorer\n\nLook.\n## build\nrole: explorer\ndependsOn: 02_build\n\nDo.\n", ["CREW303"]),
    ("## a\nrole: explorer\ndependsOn: a\n\nLook.\n", ["CREW303"]),
    ("## a\nrole: explorer\ndependsOn: b\n\nLook.\n## b\nrole: explorer\n\nDo.\n", []),
    ("## a\nrole: explorer\n\nLook.\n## a\nrole: explorer\ndependsOn: a\n\nDo.\n", ["CREW304"]),
    ("## A b\nrole: explorer\n\nLook.\n## c\nrole: explorer\ndependsOn: A b, 01_a-b, zz\n\nDo {task} {goal}.\n", ["CREW302", "CREW310"]),
    ("## x\nrole: explorer\nreads: 02_y.md, ../a\noutput: /abs\n\nLook.\n## y\nrole: explorer\ndependsOn: x\n\nDo.\n", ["CREW308", "CREW308"]),
    ("## x\nrole: explorer\nreads: y.md\n\nLook.\n## y\nrole: explorer\noutput: y.md\n\nDo.\n", []),
    ("## x\nrole: explorer\noutput: C:x.md\nreads: 02_y.md, a\\..\\b, ..x\n\nLook.\n## y\nrole: explorer\n\nDo.\n", ["CREW308", "CREW308", "CREW309"]),
    ("## x\nrole: explorer\noutput: false\n\nLook.\n## y\nrole: explorer\noutput:\nreads: 02_y.md, 01_x.md\n\nDo.\n", ["CREW307", "CREW309"]),
    ("## x\nrole: explorer\nreads: z.md\n\nLook.\n## y\nrole: explorer\noutput: y.md\n\nDo.\n", ["CREW309"]),
    ("## x\nrole: explorer\nverify: yes\nmodel: a b\nskills: nope\noutput:\nrol: x\n\nLook.\n", ["CREW108", "CREW305", "CREW307", "CREW401", "CREW403"]),
]


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    ws = tmp_path_factory.mktemp("fast")
    (ws / ".crew" / "teams").mkdir(parents=True)
    (ws / ".crew" / "teams" / "t.team.md").write_text(FM.replace("name: w", "name: t").replace("description: d", "defaultWorkflow: w")
                                                      + "- explorer: agent=explorer\n")
    return Index.load(Workspace.discover(ws)).snapshot


@pytest.mark.parametrize(("body", "codes"), CASES)
def test_shortcuts_keep_every_finding(snap, body, codes):
    res = parse_resource("workflow", "project", str(snap.workspace.crew / "workflows" / "w.workflow.md"), FM + body)
    found = sorted(d.code for d in check_resource(res, snap) if d.code not in ("CREW111", "CREW314"))
    assert found == sorted(codes)
