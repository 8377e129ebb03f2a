"""Benchmark of `crew-lsp check` on a hostile workspace: what an attacker or a fuzzer would commit.

The workspace (built in a temp dir) holds a binary file, bad UTF-8, NULs, a 10 MB file, a 2 MB single
line, a 5,000-step dependency cycle, a team of 20,000 roles run by a 500-step workflow whose every
step names a missing role, a config nested 100,000 deep, a FIFO named f.md, a symlink to a file
outside the workspace and a symlink to /dev/zero (the loader refuses to read those three: each gets
one CREW114). `--no-special` leaves the last three out.

`crew-lsp check` runs as a subprocess with a timeout and a 2 GiB address-space limit (so a read of
/dev/zero cannot exhaust the machine); printed: wall time, peak RSS (RUSAGE_CHILDREN), exit code and
output size. The user root is isolated (PI_TEAMS_HOME points to an empty folder).

    .venv/bin/python bench/hostile.py [--special] [--timeout 120] [--keep DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEMORY_LIMIT = 2 * 1024**3
CYCLE_STEPS = 5_000
ROLES = 20_000
MISSING_ROLE_STEPS = 500
CONFIG_DEPTH = 100_000

_FM = "---\nname: {name}\ndescription: {name}\n{extra}---\n"

# The parts `tests/cli/test_hostile_workspace.py` checks on every run (no huge files, no special files).
RECURSION_AND_AMPLIFICATION = ("cycle", "roles", "deep-config")
PARTS = ("binary", "bad-utf8", "nuls", "huge", "long-line", *RECURSION_AND_AMPLIFICATION)


def _write(root: Path, rel: str, data: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _cycle() -> str:
    steps = "".join(f"## s{i}\nrole: executor\ndependsOn: s{(i + 1) % CYCLE_STEPS}\n\nDo {{goal}}.\n\n" for i in range(CYCLE_STEPS))
    return _FM.format(name="ring", extra="") + steps


def build(root: Path, parts: tuple[str, ...] = PARTS, special: bool = False) -> Path:
    """Write the hostile workspace under ``root`` (its `.crew` folder); returns ``root``."""
    rng = random.Random(7)
    crew = root / ".crew"
    (crew / "agents").mkdir(parents=True, exist_ok=True)
    _write(root, ".crew/agents/executor.md", _FM.format(name="executor", extra="") + "You execute.\n")
    if "binary" in parts:
        _write(root, ".crew/agents/binary.md", bytes(rng.randrange(256) for _ in range(256 * 1024)))
    if "bad-utf8" in parts:
        _write(root, ".crew/agents/bad-utf8.md", _FM.format(name="bad-utf8", extra="").encode() + b"\xff\xfe\xc3(\xa0\xa1 prompt\n")
    if "nuls" in parts:
        _write(root, ".crew/teams/nuls.team.md", _FM.format(name="nuls", extra="") + "- executor\x00: agent=exec\x00utor\n" * 1000)
    if "huge" in parts:
        line = "You write documentation carefully and completely, one section at a time.\n"
        _write(root, ".crew/agents/huge.md", _FM.format(name="huge", extra="") + line * (10 * 1024 * 1024 // len(line) + 1))
    if "long-line" in parts:
        _write(root, ".crew/agents/long-line.md", _FM.format(name="long-line", extra="") + "x" * (2 * 1024 * 1024) + "\n")
    if "cycle" in parts:
        _write(root, ".crew/workflows/ring.workflow.md", _cycle())
        _write(root, ".crew/teams/ring.team.md", _FM.format(name="ring", extra="defaultWorkflow: ring\n") + "- executor: agent=executor\n")
    if "roles" in parts:
        roles = "".join(f"- role{i}: agent=executor\n" for i in range(ROLES))
        _write(root, ".crew/teams/big.team.md", _FM.format(name="big", extra="defaultWorkflow: big\n") + roles)
        steps = "".join(f"## s{i}\nrole: missing{i}\n\nDo {{goal}}.\n\n" for i in range(MISSING_ROLE_STEPS))
        _write(root, ".crew/workflows/big.workflow.md", _FM.format(name="big", extra="") + steps)
    if "deep-config" in parts:
        _write(root, ".crew/config.json", "[" * CONFIG_DEPTH + "]" * CONFIG_DEPTH)
    if special:
        os.mkfifo(crew / "agents" / "f.md")
        outside = Path(tempfile.mkdtemp(prefix="crew-hostile-outside-")) / "secret.md"
        outside.write_text(_FM.format(name="secret", extra="") + "A secret outside the workspace.\n")
        (crew / "agents" / "secret.md").symlink_to(outside)
        (crew / "agents" / "zero.md").symlink_to("/dev/zero")
    return root


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_check(root: Path, home: Path, timeout: float) -> dict:
    """`crew-lsp check ROOT` in a child process: wall time, peak RSS, exit code, output size."""
    env = {**os.environ, "PI_TEAMS_HOME": str(home), "NO_COLOR": "1"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "crew_lsp", "check", str(root)], stdout=out, stderr=subprocess.PIPE,
                                 env=env, cwd=Path(__file__).resolve().parent.parent, preexec_fn=_limit_memory)
        try:
            _, err = child.communicate(timeout=timeout)
            code: int | None = child.returncode
        except subprocess.TimeoutExpired:
            child.kill()
            _, err = child.communicate()
            code = None
        wall = time.perf_counter() - start
        size = out.seek(0, os.SEEK_END)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB; the only child waited for
    return {"seconds": round(wall, 2), "peak_rss_mib": round(peak_kib / 1024, 1), "exit_code": code,
            "timed_out": code is None, "stdout_bytes": size, "stderr_tail": err.decode("utf-8", "replace")[-300:]}


def main() -> None:
    os.environ["CREW_LSP_NO_CACHE"] = "1"  # every file read and checked: the cached figures are bench/scale.py's
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-special", dest="special", action="store_false",
                        help="leave out the FIFO, the symlink out and the /dev/zero link")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="crew-hostile-"))
    try:
        root = build(base / "ws", special=args.special)
        home = base / "home"
        home.mkdir(exist_ok=True)
        result = run_check(root, home, args.timeout)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    status = "timed out" if result["timed_out"] else f"exit {result['exit_code']}"
    print(f"crew-lsp check on the hostile workspace{' (with special files)' if args.special else ''}: "
          f"{result['seconds']:.2f} s, peak RSS {result['peak_rss_mib']:.0f} MiB, {status}, "
          f"{result['stdout_bytes'] / 1024:.0f} KiB of output")
    if result["timed_out"] or result["exit_code"] not in (0, 1):
        print(result["stderr_tail"], file=sys.stderr)


if __name__ == "__main__":
    main()
