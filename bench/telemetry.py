"""Telemetry benchmark: what measuring costs the engine, and what reading the figures costs.

    .venv/bin/python bench/telemetry.py [--quick]

1. listener overhead: a 1,000-task scaffold run (root → 998 parallel → join) with and without the
   MetricsListener, in one process. Reported two ways: the time spent inside the listener per task
   (measured around each call) as a share of the scheduler's per-task time, and the ratio of the
   median wall times (noisier on a shared box). Target < 5 %.
2. registry size and memory over 10,000 tasks (100 runs, 20 roles, events fed to the listener as
   the engine makes them): exposition bytes, sample count and traced memory at 1k/5k/10k tasks —
   flat after warm-up, because labels are bounded.
3. snapshot time (JSON, with quantiles) and exposition time of that registry.
4. `/metrics` scrape latency over HTTP with 1,000 runs recorded. Target < 10 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import anyio  # noqa: E402
from engine import wide, workspace  # noqa: E402  (bench/engine.py: the same DAG)

from crew_lsp.engine.context import EngineOptions  # noqa: E402
from crew_lsp.engine.manager import RunManager  # noqa: E402
from crew_lsp.engine.metrics_listener import MetricsListener  # noqa: E402
from crew_lsp.engine.model import RunEvent, now_iso  # noqa: E402
from crew_lsp.engine.recorder import Progress, RunUpdate  # noqa: E402
from crew_lsp.telemetry.exporters import PrometheusServer  # noqa: E402
from crew_lsp.telemetry.metrics import CrewMetrics  # noqa: E402
from crew_lsp.telemetry.snapshot import exposition, snapshot  # noqa: E402


class TimedListener:
    """The metrics listener, with the time spent inside it added up."""

    def __init__(self, metrics: CrewMetrics):
        self.inner = MetricsListener(metrics)
        self.seconds = 0.0

    def __call__(self, update: RunUpdate) -> None:
        t0 = time.perf_counter()
        self.inner(update)
        self.seconds += time.perf_counter() - t0


async def scaffold_run(folder: Path, listener: TimedListener | None) -> float:
    async with RunManager(folder, options=EngineOptions(watch_heartbeats=False, final_grace=5.0)) as runs:
        if listener is not None:
            runs.add_listener(listener)
        t0 = time.perf_counter()
        final = await runs.wait(await runs.start(goal="benchmark telemetry", team="bench"))
        wall = time.perf_counter() - t0
    assert final.status == "completed", final.status
    return wall


async def overhead(base: Path, n: int, repeats: int) -> None:
    await scaffold_run(workspace(base, "warm-up", wide(50), 8), TimedListener(CrewMetrics()))
    off, on, inside = [], [], []
    for rep in range(repeats):  # interleaved, so a load change on the box hits both sides alike
        off.append(await scaffold_run(workspace(base, f"off-{rep}", wide(n), 8), None))
        listener = TimedListener(CrewMetrics())
        on.append(await scaffold_run(workspace(base, f"on-{rep}", wide(n), 8), listener))
        inside.append(listener.seconds)
    wall_off, wall_on, spent = statistics.median(off), statistics.median(on), statistics.median(inside)
    print(f"listener overhead, {n} scaffold tasks: scheduler {wall_off / n * 1000:.3f} ms/task; inside the listener "
          f"{spent / n * 1e6:.1f} µs/task = {spent / wall_off * 100:.2f} % of it (target < 5 %); wall on/off "
          f"{wall_on / wall_off:.3f} [median of {repeats}; off {', '.join(f'{w:.2f}' for w in off)} s, "
          f"on {', '.join(f'{w:.2f}' for w in on)} s]")


def synthetic_updates(run_index: int, tasks: int, roles: int):
    """The updates of one run as the engine delivers them: created, running, per task started → completed, end."""
    run_id = f"team_20300101000000_{run_index:016x}"
    progress = Progress(tasks, 0, 0, {}, 2, 0)
    seq = iter(range(1, 10 * tasks))

    def update(kind: str, task_id: str | None = None, data: dict | None = None, final: bool = False) -> RunUpdate:
        event = RunEvent(now_iso(), kind, run_id, next(seq), task_id, None, data)
        return RunUpdate(run_id, "running", None if final else event, progress, final)

    yield update("run.created", data={"team": f"team-{run_index % 5}"})
    yield update("run.running", data={"status": "running"})
    for t in range(tasks):
        role = f"role-{t % roles}"
        yield update("task.started", f"{t:02d}_task", {"status": "running", "previous": "queued", "role": role})
        yield update("task.completed", f"{t:02d}_task",
                     {"status": "completed", "previous": "running", "role": role, "usage": {"input": 900, "output": 300}})
    yield update("run.completed", data={"status": "completed"})
    yield update("run.completed", final=True)


def registry_growth(total_tasks: int) -> CrewMetrics:
    metrics = CrewMetrics()
    listener = MetricsListener(metrics)
    per_run, roles = 100, 20
    tracemalloc.start()
    marks = {total_tasks // 10, total_tasks // 2, total_tasks}
    done = 0
    for run in range(total_tasks // per_run):
        for update in synthetic_updates(run, per_run, roles):
            listener(update)
        done += per_run
        if done in marks:
            current, _ = tracemalloc.get_traced_memory()
            text = exposition(metrics.registry)
            samples = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
            print(f"registry after {done:>6} tasks ({done // per_run} runs): {len(text):>7} bytes exposed, {samples} samples, "
                  f"traced memory {current / 1024:.0f} KiB")
    tracemalloc.stop()
    return metrics


def timed(fn, repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def read_costs(metrics: CrewMetrics, repeats: int) -> None:
    med, p95 = timed(lambda: snapshot(metrics.registry), repeats)
    print(f"snapshot (JSON with quantiles): median {med:.2f} ms, p95 {p95:.2f} ms")
    med, p95 = timed(lambda: exposition(metrics.registry), repeats)
    print(f"exposition text: median {med:.2f} ms, p95 {p95:.2f} ms")


def scrape_latency(runs: int, repeats: int) -> None:
    metrics = CrewMetrics()
    listener = MetricsListener(metrics)
    for run in range(runs):
        for update in synthetic_updates(run, 4, 4):
            listener(update)
    server = PrometheusServer(metrics, port=0)
    try:
        def scrape() -> None:
            with urllib.request.urlopen(server.url, timeout=10) as response:
                response.read()

        scrape()
        med, p95 = timed(scrape, repeats)
    finally:
        server.close()
    print(f"/metrics scrape over HTTP with {runs} runs recorded: median {med:.2f} ms, p95 {p95:.2f} ms (target < 10 ms)")


async def main(quick: bool, repeats: int) -> None:
    base = Path(tempfile.mkdtemp(prefix="crew-bench-telemetry-"))
    os.environ["PI_TEAMS_HOME"] = str(base / "home")
    print(f"telemetry benchmark ({'quick' if quick else 'full'}), load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    try:
        await overhead(base, 200 if quick else 1000, repeats)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    metrics = registry_growth(2_000 if quick else 10_000)
    read_costs(metrics, 50 if quick else 200)
    scrape_latency(200 if quick else 1000, 50 if quick else 200)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    parser.add_argument("--repeats", type=int, default=3, help="scaffold runs per side (the median is reported)")
    args = parser.parse_args()
    anyio.run(main, args.quick, args.repeats)
