"""Where one whole-process `crew-lsp check --format json DIR` spends its time, process by process.

Runs `python -m crew_lsp check` once (cold: CREW_LSP_NO_CACHE=1, bytecode cached) with its phases timed
from inside: each process (the parent, and every worker it forks for a large folder) notes wall time
since the launch and its own CPU time at the start and end of each phase, and writes them down at
os._exit. Printed per process: each phase's start, wall and CPU time, then the critical path: when the
parent printed its output, how long it waited for workers, and the page faults and system time of
each process. CPU time says more than wall time on a busy machine.

    .venv/bin/python bench/check_timeline.py [--size 10k | --dir DIR] [--jobs N] [--min-files N] [--keep DIR]

The phases are wrapped by name (checks/parallel.py, report.py, resources/discovery.py), so renaming
one of those functions drops its phase from the table, nothing more.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from bench.workspace import generate  # noqa: E402

# Run in the measured process: wraps the phases, then runs the CLI as `python -m crew_lsp` would.
PROBE = r"""
import os, sys, time
T0, OUT = float(sys.argv[1]), sys.argv[2]
LOG = []
def mark(what):
    LOG.append((os.getpid(), (time.time() - T0) * 1000, time.process_time() * 1000, what))
mark("imports >")
import crew_lsp.report as report, crew_lsp.checks.parallel as par, crew_lsp.resources.discovery as disc
mark("imports <")
def timed(owner, name, label=None):
    real = getattr(owner, name, None)
    if real is None:
        return
    label = label or name.strip("_")
    def call(*args, **kwargs):
        mark(label + " >")
        try:
            return real(*args, **kwargs)
        finally:
            mark(label + " <")
    setattr(owner, name, call)
timed(disc, "scan")
for name in ("derive", "_check", "encode_found", "decode_found", "send", "receive"):
    timed(par, name, {"_check": "checks", "send": "send (+wait)", "receive": "wait+receive",
                      "encode_found": "encode", "decode_found": "decode"}.get(name))
timed(par._Run, "_take_and_parse", "read+parse")
timed(par._Run, "_parse", "read+parse (recovered)")
timed(par._Parsed, "summaries")
timed(par._Run, "_snapshot", "snapshot")
timed(report, "json_text", "json output")
real_exit = os._exit
def leave(status):
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    mark(f"exit faults={usage.ru_minflt} system={usage.ru_stime * 1000:.0f}")
    with open(os.path.join(OUT, str(os.getpid())), "w") as out:
        out.writelines(f"{pid}\t{wall:.2f}\t{cpu:.2f}\t{what}\n" for pid, wall, cpu, what in LOG)
    real_exit(status)
os._exit = leave
if len(sys.argv) > 5:
    par.check_folder.__defaults__ = (1, int(sys.argv[5]), None, False)
sys.argv = ["crew-lsp", "check", "--format", "json", "--jobs", sys.argv[4], sys.argv[3]]
from crew_lsp.cli import main
main()
"""


def _size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def run(folder: Path, jobs: int, min_files: int | None, home: Path) -> dict[int, list[tuple[float, float, str]]]:
    env = dict(os.environ, PI_TEAMS_HOME=str(home), PI_CODING_AGENT_DIR=str(home), CREW_LSP_NO_CACHE="1",
               PYTHONPATH=str(_REPO), PYTHONPYCACHEPREFIX=str(Path(tempfile.gettempdir()) / "crew-lsp-bench-pyc"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    logs: dict[int, list[tuple[float, float, str]]] = {}
    for warm_up in (True, False):  # (the first run writes the bytecode)
        with tempfile.TemporaryDirectory() as out:
            args = [sys.executable, "-c", PROBE, str(time.time()), out, str(folder), str(jobs)]
            proc = subprocess.run(args + ([str(min_files)] if min_files is not None else []), stdout=subprocess.DEVNULL, env=env,
                                  check=False)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"bench/check_timeline.py: crew-lsp check exited {proc.returncode}")
            time.sleep(0.5)  # (workers leave as soon as their last message is sent; their logs are written by then)
            if warm_up:
                continue
            for name in os.listdir(out):
                for line in Path(out, name).read_text().splitlines():
                    pid, wall, cpu, what = line.split("\t")
                    if int(pid) == int(name):  # (a worker's log starts with its parent's, up to the fork)
                        logs.setdefault(int(pid), []).append((float(wall), float(cpu), what))
    return logs


def report(logs: dict[int, list[tuple[float, float, str]]]) -> None:
    parent = min(logs, key=lambda pid: logs[pid][0][0])
    print(f"{'process':<10}{'phase':<16}{'start ms':>10}{'wall ms':>10}{'cpu ms':>10}")
    for number, pid in enumerate(sorted(logs, key=lambda p: (p != parent, p))):
        who = "parent" if pid == parent else f"worker {number}"
        opened: dict[str, tuple[float, float]] = {}
        rows = []
        for wall, cpu, what in logs[pid]:
            label, _, edge = what.rpartition(" ")
            if edge == ">":
                opened[label] = (wall, cpu)
            elif edge == "<" and label in opened:
                start_wall, start_cpu = opened.pop(label)
                rows.append((start_wall, f"{who:<10}{label:<16}{start_wall:>10.1f}{wall - start_wall:>10.1f}{cpu - start_cpu:>10.1f}"))
            elif what.startswith("exit"):
                rows.append((wall, f"{who:<10}{'exit':<16}{wall:>10.1f}{'':>10}{cpu:>10.1f}   (total cpu; {what[5:]})"))
        for _start, row in sorted(rows):
            print(row)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=_size, default=10_000, help="files of the generated project (2k, 10k, 50k, ...)")
    ap.add_argument("--dir", type=Path, help="time this folder instead of a generated one")
    ap.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--min-files", type=int, default=None, help="fork from this many files on (default: the checker's)")
    ap.add_argument("--keep", type=Path, help="generate the project here and keep it")
    opts = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        folder = opts.dir or generate((opts.keep or Path(tmp)) / "ws", size=opts.size)
        report(run(folder, opts.jobs, opts.min_files, home))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
