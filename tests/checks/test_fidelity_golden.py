"""Fidelity fixtures: corners where crew-lsp must read a file exactly as pi-crew v0.2.0 does.

Each `golden/fidelity/<case>/` is a tiny workspace like the per-code golden folders: its files carry
their expected diagnostics as `want` markers (checked by test_golden.py, often none), and
`reading.json` states what pi-crew reads, in words (`pi-crew`) and as values per file
(`files[].reads`), checked here against our parse of the files without their markers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wantmarkers import materialise

from crew_lsp.resources.model import kind_by_name, parse_resource

FIDELITY = Path(__file__).parent / "golden" / "fidelity"
CASES = sorted(p.name for p in FIDELITY.iterdir() if (p / "reading.json").is_file())


def _reading(res) -> dict:
    """What we read, in the terms `reading.json` uses."""
    model = res.model
    if res.kind == "team":
        return {"roles": [{"name": r.name, "agent": r.agent, "model": r.model,
                           "skills": False if r.skills_disabled else None if r.skills is None else [i.text for i in r.skills]}
                          for r in model.roles]}
    if res.kind == "workflow":
        return {"steps": [{"id": s.id, "role": s.role, "task": s.task} for s in model.steps]}
    if res.kind == "agent":
        return {"frontmatter": res.doc.frontmatter.present, "name": res.name, "description": model.description,
                "system_prompt": model.system_prompt}
    return {"description": model.description}


def _parse(root: Path, rel: str):
    kind = "skill" if rel.endswith("SKILL.md") else kind_by_name(rel)
    path = root / rel
    return parse_resource(kind, "project", str(path), path.read_bytes().decode("utf-8"))


@pytest.mark.parametrize("case", CASES)
def test_reads_as_pi_crew(case: str, tmp_path: Path):
    reading = json.loads((FIDELITY / case / "reading.json").read_text(encoding="utf-8"))
    assert reading["pi-crew"], "a fixture states the pi-crew reading in words"
    root, _ = materialise(FIDELITY / case, tmp_path / "ws")
    for item in reading["files"]:
        ours = _reading(_parse(root, item["file"]))
        assert {k: ours[k] for k in item["reads"]} == item["reads"], item["file"]
