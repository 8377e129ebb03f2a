"""Memory of the index and of the language server on an existing workspace (no generation here:
point it at bench/workspace.py output, e.g. one kept by `bench/scale.py --keep DIR`).

  in process   `Index.load` of the workspace: RSS growth and tracemalloc's bytes per file, with every
               file kept parsed or, with --compacted, compacted as it is read (as the server indexes a
               large folder), plus the largest allocation sites (--top N)
  server       spawn → quiet (every file with diagnostics published), then the server's RSS (VmRSS)

    .venv/bin/python bench/memory.py [ROOT | --size N] [--compacted] [--server] [--top 15] [--no-tracemalloc]

Without ROOT, a workspace of --size files (default 2,000) is generated in a temporary folder and read
with an empty user folder; with ROOT, set PI_TEAMS_HOME yourself to keep ~/.pi out of the figures.

Figures depend on the machine (and RSS on the allocator): compare runs of the same minute.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))


SETTLE_S = 8.0


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def in_process(root: Path, top: int, trace: bool, compact: bool) -> None:
    from crew_lsp.resources.discovery import Workspace
    from crew_lsp.resources.index import Index, prepare_for_edits

    ws = Workspace.discover(root)
    gc.collect()
    base_rss = rss_mb()
    if trace:
        tracemalloc.start()
    t0 = time.process_time()
    index = Index.load(ws, compact=compact)
    prepare_for_edits(index.snapshot)
    load_cpu = time.process_time() - t0
    files = len(index.snapshot.resources)
    gc.collect()
    loaded = tracemalloc.get_traced_memory()[0] if trace else 0
    print(f"{files} files; load {load_cpu * 1000:.0f} ms CPU; RSS +{rss_mb() - base_rss:.0f} MiB"
          + (f"; traced {loaded / 2**20:.0f} MiB = {loaded / files / 1024:.1f} KiB per file" if trace else ""))
    if trace and top:
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:top]:
            frame = stat.traceback[0]
            print(f"  {stat.size / 2**20:7.1f} MiB {stat.count:9d}  {Path(frame.filename).name}:{frame.lineno}")


async def server(root: Path) -> None:
    from bench.lsp import _expected
    from bench.scale import cold_start, start_server

    expected = set(_expected(root))
    env = dict(os.environ, PYTHONPATH=str(_REPO))
    client, t_spawn = await start_server(root, env, watchers=True)
    try:
        cold = await cold_start(client, t_spawn, expected)
        quiet = rss_mb(client.proc.pid)
        await asyncio.sleep(SETTLE_S)  # what follows the first diagnostics (services, run recovery) settles
        print(f"server: quiet after {cold['quiet_s']:.2f} s, RSS {quiet:.0f} MiB then; "
              f"RSS {rss_mb(client.proc.pid):.0f} MiB {SETTLE_S:.0f} s later")
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, nargs="?", help="a workspace folder (default: a generated one)")
    parser.add_argument("--size", type=int, default=2000, help="files in the generated workspace")
    parser.add_argument("--compacted", action="store_true", help="compact every file as it is read (in process)")
    parser.add_argument("--server", action="store_true", help="measure the language server instead")
    parser.add_argument("--top", type=int, default=15, help="largest allocation sites to list")
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false")
    args = parser.parse_args(argv)
    if args.root is None:
        if args.size < 50:
            parser.error("--size: at least 50 files")
        with tempfile.TemporaryDirectory(prefix="crew-lsp-memory-") as tmp:
            from bench.workspace import generate

            home = Path(tmp) / "home"  # an empty user folder: ~/.pi never changes the figures
            home.mkdir()
            os.environ["PI_TEAMS_HOME"] = os.environ["PI_CODING_AGENT_DIR"] = str(home)
            generate(Path(tmp) / "ws", size=args.size)
            return _measure(Path(tmp) / "ws", args)
    root = args.root.resolve()
    if not root.is_dir():
        parser.error(f"{root} is not a folder")
    return _measure(root, args)


def _measure(root: Path, args: argparse.Namespace) -> int:
    if args.server:
        asyncio.run(server(root.resolve()))
    else:
        in_process(root.resolve(), args.top, args.trace, args.compacted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
