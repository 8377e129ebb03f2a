"""Benchmark of `crew-lsp check` on a generated 2,000-file project (agents 600, teams 700, workflows 700).

Measures, as medians:
  (a) in process: Index.load(Workspace.discover(ws)) + check_snapshot(snapshot), split index / checks;
  (b) the whole process `crew-lsp check --format json <ws>` (start-up included, stdout to /dev/null);
  (c) that process's peak RSS (os.wait4 rusage);
  (d) diagnostics and files with diagnostics (sanity: about 5 % of the files are broken).

The user root is isolated (PI_TEAMS_HOME and PI_CODING_AGENT_DIR point to an empty folder) so ~/.pi never
changes the result; the files are read as the newest pi-crew version.

With ``--sizes 2k,10k,50k`` it measures only the whole process at each size instead (the same mix of
agents, teams and workflows, scaled): median and minimum wall time and peak RSS, against the targets.

    .venv/bin/python bench/check.py [--runs 15] [--warmup 2] [--proc-runs 10] [--json] [--profile N] [--keep DIR]
    .venv/bin/python bench/check.py --sizes 2k,10k,50k [--proc-runs 5] [--json]

``--jobs N`` runs the checker on N processes (``--jobs 1``: the one-process path; default: one per core).
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from bench.workspace import generate  # noqa: E402

TARGET_INPROC_MS = 100.0
TARGET_FILES_PER_S = 20_000.0
TARGET_PROCESS_MS = 300.0
# whole-process `crew-lsp check` by workspace size (files), on a quiet machine
TARGET_PROCESS_BY_SIZE_MS = {2_000: 110.0, 10_000: 450.0, 50_000: 2_500.0}
MIX = (600, 700, 700)  # agents, teams, workflows per 2,000 files


def _console_script() -> str:
    for candidate in (Path(sys.executable).parent / "crew-lsp", _REPO / ".venv" / "bin" / "crew-lsp"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("crew-lsp")
    if found is None:
        raise SystemExit("bench/check.py: no crew-lsp console script (run `make venv`)")
    return found


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def in_process(ws: Path, runs: int, warmup: int) -> dict:
    from crew_lsp.checks import check_snapshot
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index

    index_ms: list[float] = []
    check_ms: list[float] = []
    result: dict[str, list] = {}
    n_files = 0
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        snap = Index.load(Workspace.discover(ws)).snapshot
        t1 = time.perf_counter()
        result = check_snapshot(snap)
        t2 = time.perf_counter()
        n_files = len(result)
        if i >= warmup:
            index_ms.append((t1 - t0) * 1000)
            check_ms.append((t2 - t1) * 1000)
        del snap
    totals = [a + b for a, b in zip(index_ms, check_ms)]
    total = _median(totals)
    by_sev: collections.Counter[str] = collections.Counter()
    by_code: collections.Counter[str] = collections.Counter()
    for diags in result.values():
        for d in diags:
            by_sev[d.severity.label] += 1
            by_code[d.code] += 1
    problem_files = sorted(p for p, ds in result.items() if ds)
    serious_files = [p for p, ds in result.items() if any(d.severity <= 2 for d in ds)]
    return {
        "runs": runs,
        "warmup": warmup,
        "files_checked": n_files,
        "total_ms": total,
        "total_ms_min": min(totals),
        "index_ms": _median(index_ms),
        "checks_ms": _median(check_ms),
        "files_per_s": n_files / (total / 1000) if total else float("nan"),
        "diagnostics": sum(by_sev.values()),
        "by_severity": dict(by_sev),
        "by_code": dict(sorted(by_code.items())),
        "files_with_diagnostics": len(problem_files),
        "files_with_errors_or_warnings": len(serious_files),
        "_problem_files": problem_files,
    }


def process(ws: Path, runs: int, env: dict[str, str]) -> dict:
    """`runs` timed runs of the console script (after one untimed run that warms the OS and bytecode caches)."""
    exe = _console_script()
    argv = [exe, "check", "--format", "json", str(ws)]
    walls: list[float] = []
    cpus: list[float] = []
    rss_kb: list[int] = []
    codes: set[int] = set()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ws)
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ws)
        _pid, status, usage = os.wait4(proc.pid, 0)
        walls.append((time.perf_counter() - t0) * 1000)
        proc.returncode = os.waitstatus_to_exitcode(status)
        codes.add(proc.returncode)
        rss_kb.append(usage.ru_maxrss)  # KiB on Linux
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
    return {
        "runs": runs,
        "wall_ms": _median(walls),
        "wall_ms_min": min(walls),
        "cpu_ms": _median(cpus),  # user + system: steadier than the wall time on a busy machine
        "peak_rss_mib": _median([k / 1024 for k in rss_kb]),
        "peak_rss_mib_max": max(rss_kb) / 1024,
        "exit_codes": sorted(codes),
    }


def process_report(ws: Path, runs: int, env: dict[str, str], pycache: Path) -> dict:
    """The process figures with a bytecode cache (as an installed wheel has) and without one."""
    cached_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached_env["PYTHONPYCACHEPREFIX"] = str(pycache)  # keeps .pyc files out of the source tree
    no_cache_env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    out = process(ws, runs, cached_env)
    out["argv"] = ["crew-lsp", "check", "--format", "json", "<ws>"]
    out["no_bytecode_cache"] = process(ws, max(3, runs // 2), no_cache_env)
    # one more run to read the JSON (outside the timings) and cross-check the count with the in-process path
    res = subprocess.run([_console_script(), "check", "--format", "json", str(ws)], capture_output=True, text=True, env=cached_env, cwd=ws)
    try:
        out["json_diagnostics"] = len(json.loads(res.stdout))
    except ValueError:
        out["json_diagnostics"] = -1
        print(f"bench/check.py: crew-lsp check printed no JSON (exit {res.returncode}): {res.stderr.strip()[:500]}", file=sys.stderr)
    floor = []
    for _ in range(max(3, runs // 2)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=cached_env, check=False)
        floor.append((time.perf_counter() - t0) * 1000)
    out["python_startup_ms"] = _median(floor)
    imports = []
    for _ in range(max(3, runs // 2)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import crew_lsp.cli, crew_lsp.report"], env=cached_env, check=False)
        imports.append((time.perf_counter() - t0) * 1000)
    out["import_report_ms"] = _median(imports)
    return out


def profile(ws: Path, top: int) -> None:
    import cProfile
    import pstats

    from crew_lsp.checks import check_snapshot
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index

    check_snapshot(Index.load(Workspace.discover(ws)).snapshot)  # warm
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(3):
        check_snapshot(Index.load(Workspace.discover(ws)).snapshot)
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stderr).strip_dirs()
    print("\n== cProfile (3 runs), by own time", file=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)
    print("== by cumulative time", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(top)


def _fmt_ok(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table(r: dict) -> str:
    ip, pr, ws = r["in_process"], r["process"], r["workspace"]
    rows = [
        ("workspace", f"{ws['files']} files ({ws['agents']} agents, {ws['teams']} teams, {ws['workflows']} workflows), "
                      f"{ws['mib']:.1f} MiB, {ws['broken']} broken", ""),
        ("in-process total (median)", f"{ip['total_ms']:.1f} ms  (min {ip['total_ms_min']:.1f})",
         f"< {TARGET_INPROC_MS:.0f} ms  {_fmt_ok(ip['total_ms'] < TARGET_INPROC_MS)}"),
        ("  index: discover + load", f"{ip['index_ms']:.1f} ms", ""),
        ("  checks: check_snapshot", f"{ip['checks_ms']:.1f} ms", ""),
        ("  throughput", f"{ip['files_per_s']:,.0f} files/s",
         f"> {TARGET_FILES_PER_S:,.0f}  {_fmt_ok(ip['files_per_s'] > TARGET_FILES_PER_S)}"),
        ("process wall (median)", f"{pr['wall_ms']:.1f} ms  (min {pr['wall_ms_min']:.1f})",
         f"< {TARGET_PROCESS_MS:.0f} ms  {_fmt_ok(pr['wall_ms'] < TARGET_PROCESS_MS)}"),
        ("  python -c pass (floor)", f"{pr['python_startup_ms']:.1f} ms", ""),
        ("  python + import cli, report", f"{pr['import_report_ms']:.1f} ms", ""),
        ("  without bytecode cache", f"{pr['no_bytecode_cache']['wall_ms']:.1f} ms", "(PYTHONDONTWRITEBYTECODE=1, sources compiled each run)"),
        ("process peak RSS", f"{pr['peak_rss_mib']:.1f} MiB  (max {pr['peak_rss_mib_max']:.1f})", ""),
        ("diagnostics", f"{ip['diagnostics']}  " + ", ".join(f"{n} {s}" for s, n in sorted(ip['by_severity'].items())),
         f"json output: {pr['json_diagnostics']}" + ("" if pr["json_diagnostics"] == ip["diagnostics"] else "  MISMATCH")),
        ("files with diagnostics", f"{ip['files_with_diagnostics']} ({100 * ip['files_with_diagnostics'] / max(ws['files'], 1):.1f} %)",
         f"{ws['broken']} broken by design ({100 * ws['broken'] / max(ws['files'], 1):.1f} %)"),
    ]
    w0 = max(len(a) for a, _, _ in rows)
    w1 = max(len(b) for _, b, _ in rows)
    lines = [f"{a:<{w0}}  {b:<{w1}}  {c}".rstrip() for a, b, c in rows]
    lines.append(f"(in-process: {ip['runs']} runs after {ip['warmup']} warm-ups; process: {pr['runs']} runs after 1 warm-up, "
                 f".pyc cached in a temp folder; exit codes {pr['exit_codes']})")
    return "\n".join(lines)


def parse_size(text: str) -> int:
    """`2k`, `10k`, `50000` → a number of files."""
    text = text.strip().lower()
    try:
        files = int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 2k, 10k, 50000)") from None
    if files < 10:
        raise argparse.ArgumentTypeError(f"size {text!r} is below 10 files")
    return files


def mix(files: int) -> tuple[int, int, int]:
    """Agents, teams and workflows for a workspace of `files` files, in the 2,000-file mix."""
    agents = round(files * MIX[0] / sum(MIX))
    teams = round(files * MIX[1] / sum(MIX))
    return agents, teams, files - agents - teams


def by_size(sizes: list[int], runs: int, tmp: Path, env: dict[str, str], broken_ratio: float, seed: int) -> list[dict]:
    """Whole-process figures at each size (a fresh workspace each, removed afterwards)."""
    rows = []
    env = {**{k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
    for files in sizes:
        ws = tmp / f"ws-{files}"
        generate(ws, *mix(files), broken_ratio, seed)
        figures = process(ws, runs, env)
        target = TARGET_PROCESS_BY_SIZE_MS.get(files)
        rows.append({"files": files, **figures, "target_ms": target})
        shutil.rmtree(ws, ignore_errors=True)
    return rows


def size_table(rows: list[dict]) -> str:
    head = f"{'files':>7}  {'wall median':>12}  {'wall min':>10}  {'CPU median':>11}  {'peak RSS':>10}  target (quiet machine)"
    lines = [head]
    for r in rows:
        target = r["target_ms"]
        verdict = f"< {target:,.0f} ms  {_fmt_ok(r['wall_ms'] < target)}" if target else ""
        lines.append(f"{r['files']:>7,}  {r['wall_ms']:>9.0f} ms  {r['wall_ms_min']:>7.0f} ms  {r['cpu_ms']:>8.0f} ms  {r['peak_rss_mib']:>6.0f} MiB  {verdict}")
    lines.append(f"(crew-lsp check --format json, whole process: {rows[0]['runs'] if rows else 0} runs after 1 warm-up; exit codes "
                 f"{sorted({c for r in rows for c in r['exit_codes']})})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    os.environ["CREW_LSP_NO_CACHE"] = "1"  # every file read and checked: the cached figures are bench/scale.py's
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=600)
    ap.add_argument("--teams", type=int, default=700)
    ap.add_argument("--workflows", type=int, default=700)
    ap.add_argument("--broken-ratio", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=15, help="in-process runs (after the warm-ups)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--proc-runs", type=int, default=10)
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--profile", type=int, metavar="N", default=0, help="also print the top N cProfile entries (stderr)")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp dir, removed)")
    ap.add_argument("--sizes", metavar="N[,N...]", type=lambda v: [parse_size(x) for x in v.split(",") if x.strip()],
                    help="only the whole process, at each size (e.g. 2k,10k,50k)")
    ap.add_argument("--jobs", metavar="N", help="processes the checker may use (CREW_LSP_JOBS; default: its own, one per core)")
    args = ap.parse_args(argv)
    if args.jobs:
        os.environ["CREW_LSP_JOBS"] = args.jobs  # (the in-process figures are the one-process path's)
    if args.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="crew-bench-"))
        try:
            (tmp / "home").mkdir()
            os.environ["PI_TEAMS_HOME"] = str(tmp / "home")
            rows = by_size(args.sizes, args.proc_runs, tmp, dict(os.environ), args.broken_ratio, args.seed)
            print(json.dumps(rows, indent=2) if args.json else size_table(rows))
            return 0
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    tmp = tempfile.mkdtemp(prefix="crew-bench-")
    try:
        home = Path(tmp) / "home"  # empty: no user scope, no user config
        home.mkdir()
        os.environ["PI_TEAMS_HOME"] = str(home)
        os.environ["PI_CODING_AGENT_DIR"] = str(home / ".pi" / "agent")  # no pi settings: read as the newest pi-crew
        env = dict(os.environ)
        ws = Path(args.keep).resolve() if args.keep else Path(tmp) / "project"
        if args.keep and ws.exists():
            shutil.rmtree(ws)
        generate(ws, args.agents, args.teams, args.workflows, args.broken_ratio, args.seed)
        manifest = json.loads((ws / ".bench-manifest.json").read_text())
        size = sum(p.stat().st_size for p in (ws / ".crew").rglob("*") if p.is_file())
        n_files = args.agents + args.teams + args.workflows
        gc.collect()
        ip = in_process(ws, args.runs, args.warmup)
        pr = process_report(ws, args.proc_runs, env, Path(tmp) / "pycache")
        if args.profile:
            profile(ws, args.profile)
        broken_paths = {b["path"] for b in manifest["broken"]}
        problems = set(ip.pop("_problem_files"))
        report = {
            "workspace": {"files": n_files, "agents": args.agents, "teams": args.teams, "workflows": args.workflows,
                          "mib": size / 2**20, "broken": len(broken_paths), "seed": args.seed,
                          "broken_without_diagnostics": sorted(broken_paths - problems),
                          "clean_with_diagnostics": len(problems - broken_paths)},
            "in_process": ip,
            "process": pr,
            "targets": {"in_process_ms": TARGET_INPROC_MS, "files_per_s": TARGET_FILES_PER_S, "process_ms": TARGET_PROCESS_MS},
            "python": sys.version.split()[0],
        }
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(table(report))
            missed = report["workspace"]["broken_without_diagnostics"]
            if missed:
                print(f"warning: {len(missed)} broken files have no diagnostic: {', '.join(Path(p).name for p in missed[:5])}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
