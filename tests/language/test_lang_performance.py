"""Completion and hover answer from the parsed resource: well under a millisecond on a 300-line workflow."""

from __future__ import annotations

import time

from langkit import AGENT_SCOUT, TEAM_SQUAD

from crew_lsp.language.completion import complete
from crew_lsp.language.hover import hover


def big_workflow(steps: int = 34) -> str:
    out = ["---", "name: flow", "description: big", "---", ""]
    for i in range(steps):
        out += [f"## step-{i}", "role: lead" if i % 2 else "role: executor"]
        out += [f"dependsOn: step-{i - 1}, step-{max(i - 2, 0)}"] if i else []
        out += ["output: out.md" if i == 0 else "reads: out.md", "", f"Do part {i} of {{goal}} carefully.", "More words here.", "And more.", ""]
    return "\n".join(out) + "\n"


def test_completion_and_hover_are_fast(ws):
    ws.write("agents/scout.md", AGENT_SCOUT)
    ws.write("teams/squad.team.md", TEAM_SQUAD)
    ws.write("workflows/flow.workflow.md", big_workflow())
    snap = ws.snap()
    res = ws.res(snap, "workflows/flow.workflow.md")
    lines = res.doc.lines
    assert len(lines) >= 300
    dep = max(i for i, ln in enumerate(lines) if ln.startswith("dependsOn:"))
    role = max(i for i, ln in enumerate(lines) if ln.startswith("role:"))
    task = max(i for i, ln in enumerate(lines) if "{goal}" in ln)
    positions = [(dep, len(lines[dep])), (dep, 13), (role, 8), (task, 20), (task, len(lines[task]) - 3), (role + 1, 0)]
    for line, col in positions:  # warm up (lazy imports, caches)
        complete(res, snap, line, col, True)
        hover(res, snap, line, col)
    assert complete(res, snap, dep, len(lines[dep]), True)
    assert hover(res, snap, dep, 13) is not None
    rounds = 50
    for fn in (lambda ln, c: complete(res, snap, ln, c, True), lambda ln, c: hover(res, snap, ln, c)):
        start = time.perf_counter()
        for _ in range(rounds):
            for line, col in positions:
                fn(line, col)
        per_call = (time.perf_counter() - start) / (rounds * len(positions))
        assert per_call < 0.001, f"{per_call * 1e6:.0f} µs per call"
