"""Benchmark of the editor features as pure functions: completion and hover on a 300-line workflow.

Both answer from the parsed resource, so each call should take well under a millisecond (the target
printed next to the figures). Positions cover a `dependsOn:` list (end and middle), a `role:` value,
task text with a placeholder and the blank line after a metadata block.

    .venv/bin/python bench/language.py [--rounds 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

TARGET_PER_CALL_US = 1000.0

AGENT = "---\nname: scout\ndescription: Finds the files a goal touches\ntools: read, grep\n---\nYou scout.\n"
TEAM = "---\nname: squad\ndescription: A small squad\ndefaultWorkflow: flow\n---\n- lead: agent=scout map the code\n- executor: implement it\n"


def big_workflow(steps: int = 34) -> str:
    out = ["---", "name: flow", "description: big", "---", ""]
    for i in range(steps):
        out += [f"## step-{i}", "role: lead" if i % 2 else "role: executor"]
        out += [f"dependsOn: step-{i - 1}, step-{max(i - 2, 0)}"] if i else []
        out += ["output: out.md" if i == 0 else "reads: out.md", "", f"Do part {i} of {{goal}} carefully.", "More words here.", "And more.", ""]
    return "\n".join(out) + "\n"


def measure(rounds: int) -> dict:
    from crew_lsp.language.completion import complete
    from crew_lsp.language.hover import hover
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PI_TEAMS_HOME"] = str(Path(tmp) / "home")  # ~/.pi never changes the figures
        os.environ["PI_CODING_AGENT_DIR"] = str(Path(tmp) / "home" / ".pi" / "agent")  # (nor its pi settings)
        crew = Path(tmp) / "ws" / ".crew"
        for rel, text in {"agents/scout.md": AGENT, "teams/squad.team.md": TEAM, "workflows/flow.workflow.md": big_workflow()}.items():
            (crew / rel).parent.mkdir(parents=True, exist_ok=True)
            (crew / rel).write_text(text, encoding="utf-8")
        snap = Index.load(Workspace.discover(crew.parent)).snapshot
        res = snap.resources[str(crew / "workflows/flow.workflow.md")]
        lines = res.doc.lines
        dep = max(i for i, ln in enumerate(lines) if ln.startswith("dependsOn:"))
        role = max(i for i, ln in enumerate(lines) if ln.startswith("role:"))
        task = max(i for i, ln in enumerate(lines) if "{goal}" in ln)
        positions = [(dep, len(lines[dep])), (dep, 13), (role, 8), (task, 20), (task, len(lines[task]) - 3), (role + 1, 0)]
        features = {"completion": lambda ln, c: complete(res, snap, ln, c, True), "hover": lambda ln, c: hover(res, snap, ln, c)}
        report = {"lines": len(lines), "rounds": rounds, "target_us": TARGET_PER_CALL_US}
        for name, fn in features.items():
            for line, col in positions:  # warm up (lazy imports, caches)
                fn(line, col)
            per_round = []
            for _ in range(rounds):
                start = time.perf_counter()
                for line, col in positions:
                    fn(line, col)
                per_round.append((time.perf_counter() - start) / len(positions) * 1e6)
            per_round.sort()
            report[name] = {"p50_us": statistics.median(per_round), "p99_us": per_round[int(len(per_round) * 0.99) - 1]}
        return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    report = measure(args.rounds)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"editor features on a {report['lines']}-line workflow ({args.rounds} rounds, target < {TARGET_PER_CALL_US:.0f} µs per call)")
    for name in ("completion", "hover"):
        r = report[name]
        print(f"  {name:<11} p50 {r['p50_us']:8.1f} µs   p99 {r['p99_us']:8.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
