"""Engine benchmark: scheduler overhead, event throughput, and dispatch efficiency with real processes.

    .venv/bin/python bench/engine.py [--quick]

1. scaffold, a 1,000-task wide DAG (root → 998 parallel → join) at the default cap of 8;
2. scaffold, a 200-deep chain;
3. the fake `pi` (tests/fake_pi.py), 100 independent tasks sleeping 200 ms at concurrency 8.

Scaffold tasks do all the engine's real work (prompt with skills and dependency outputs, prompt,
result and shared files, events, tasks.json) but run no program, so wall time / tasks is the
engine's overhead per task. For the fake-pi run, the ideal is the best any scheduler could do with
the tasks' measured durations (process start included): max(critical path, Σ durations / slots);
wall / ideal shows what dispatch, bookkeeping and disk writes add. Targets: < 2 ms per task, ≤ 1.10.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import anyio  # noqa: E402

from crew_lsp.engine.context import EngineOptions  # noqa: E402
from crew_lsp.engine.manager import RunManager  # noqa: E402
from crew_lsp.engine.views import RunView  # noqa: E402
from crew_lsp.engine.model import parse_iso  # noqa: E402


def workspace(base: Path, name: str, body: str, concurrency: int) -> Path:
    folder = base / name
    (folder / ".crew" / "teams").mkdir(parents=True)
    (folder / ".crew" / "workflows").mkdir(parents=True)
    (folder / ".crew" / "teams" / "bench.team.md").write_text(
        f"---\nname: bench\ndefaultWorkflow: bench\nmaxConcurrency: {concurrency}\n---\n- explorer: agent=explorer bench\n")
    (folder / ".crew" / "workflows" / "bench.workflow.md").write_text("---\nname: bench\n---\n" + body)
    return folder


def step(sid: str, deps: list[str], task: str = "Work on {goal}") -> str:
    meta = "role: explorer\n" + (f"dependsOn: {', '.join(deps)}\n" if deps else "")
    return f"## {sid}\n{meta}\n{task}\n\n"


def wide(n: int) -> str:
    mids = [f"m{i:04d}" for i in range(n - 2)]
    return step("root", []) + "".join(step(m, ["root"]) for m in mids) + step("join", mids)


def chain(n: int) -> str:
    return "".join(step(f"s{i:03d}", [f"s{i - 1:03d}"] if i else []) for i in range(n))


async def run(folder: Path, **kwargs) -> tuple[dict, float, float, int]:
    options = EngineOptions(watch_heartbeats=False, final_grace=5.0)
    async with RunManager(folder, options=options, **kwargs) as runs:
        t0, c0 = time.perf_counter(), time.process_time()
        run_id = await runs.start(goal="benchmark the engine", team="bench")
        final = await runs.wait(run_id)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        events = (await runs.events(run_id, limit=None))["total"]
    assert final.status == "completed", final.status
    return final, wall, cpu, events


def ideal(final: RunView, slots: int) -> float:
    """Best possible makespan with the measured task durations: critical path vs. total work / slots."""
    tasks = final.to_json()["tasks"]
    dur = {t["id"]: parse_iso(t["finishedAt"]) - parse_iso(t["startedAt"]) for t in tasks}
    by_step = {t["stepId"]: t["id"] for t in tasks}
    longest: dict[str, float] = {}
    for t in tasks:  # tasks are in dependency order
        longest[t["id"]] = dur[t["id"]] + max((longest[by_step.get(d, d)] for d in t["dependsOn"]), default=0.0)
    return max(max(longest.values()), sum(dur.values()) / slots)


async def main(quick: bool, repeats: int, keep: bool) -> None:
    base = Path(tempfile.mkdtemp(prefix="crew-bench-"))
    try:
        await _bench(base, quick, repeats)
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


async def _bench(base: Path, quick: bool, repeats: int) -> None:
    os.environ["PI_TEAMS_HOME"] = str(base / "home")
    n_wide, n_chain, n_pi = (200, 50, 24) if quick else (1000, 200, 100)
    print(f"engine benchmark ({'quick' if quick else 'full'}), workspace {base}, load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")

    await run(workspace(base, "warm-up", wide(50), 8))  # imports, resource index, thread pool: not per-task costs
    for label, body, conc in ((f"wide DAG, {n_wide} tasks", wide(n_wide), 8), (f"chain, {n_chain} deep", chain(n_chain), 1)):
        samples = []
        for rep in range(repeats):
            final, wall, cpu, events = await run(workspace(base, f"{label.split(',')[0].replace(' ', '-')}-{rep}", body, conc))
            samples.append((wall, cpu, events))
        wall, cpu, events = sorted(samples)[len(samples) // 2]  # the median run: this box may be shared
        n = len(final.tasks)
        print(f"scaffold {label:<22} wall {wall:6.2f} s  overhead {wall / n * 1000:5.2f} ms/task "
              f"(cpu {cpu / n * 1000:4.2f} ms/task)  {events} events, {events / wall:6.0f} events/s  "
              f"[median of {repeats}; walls {', '.join(f'{w:.2f}' for w, _, _ in samples)}]")

    fake = f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'tests' / 'fake_pi.py'))}"
    os.environ["PI_TEAMS_PI_BIN"] = fake
    os.environ["FAKE_PI_SLEEP"] = "0.2"
    body = "".join(step(f"p{i:03d}", []) for i in range(n_pi))
    final, wall, _, events = await run(workspace(base, "pi", body, 8), runtime="pi")
    best = ideal(final, 8)
    naive = -(-n_pi // 8) * 0.2
    mean = sum(parse_iso(t.finished_at) - parse_iso(t.started_at) for t in final.tasks) / n_pi
    print(f"fake pi  {n_pi} tasks × 200 ms @ 8  wall {wall:6.2f} s  ideal {best:5.2f} s  wall/ideal {wall / best:4.2f}  "
          f"(mean task {mean * 1000:.0f} ms incl. process start; sleep-only ideal {naive:.1f} s → {wall / naive:4.2f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per scaffold case (the median is reported)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspaces")
    args = parser.parse_args()
    anyio.run(main, args.quick, args.repeats, args.keep)
