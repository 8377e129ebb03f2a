"""A workspace of files the loader must not read, shared by the CLI and the server tests.

`UNREAD` maps each file (relative to the workspace) to the CREW114 message it gets; `READ` are the
files that are read and checked as usual; `NOT_LISTED` lie below a folder symlinked out of the
workspace and are not seen at all; `SECRET` must appear in no output.
"""

from __future__ import annotations

import os
from pathlib import Path

from crew_lsp.resources.loader import MAX_BYTES

SECRET = "hunter2-secret-prompt"
TOO_LARGE = MAX_BYTES + 1024 * 1024

UNREAD = {
    ".crew/agents/f.md": "Not a regular file (a FIFO) — not read.",
    ".crew/agents/zero.md": "Not read: the symlink leaves the workspace (it points to `/dev/zero`",
    ".crew/agents/x.md": "Not read: the symlink leaves the workspace (it points to `",
    ".crew/agents/big.md": f"Not checked: too large ({TOO_LARGE} bytes, limit 2 MiB).",
    ".crew/agents/blob.md": "Not checked: binary file (it contains NUL bytes).",
}
READ = (".crew/agents/scribe.md", ".crew/agents/linked.md", ".crew/agents/latin1.md")
NOT_LISTED = (".crew/workflows/spy.workflow.md",)

SCRIBE = "---\nname: scribe\ndescription: Writes the documentation\n---\nYou write documentation.\n"


def write_hostile_workspace(root: Path, outside: Path) -> Path:
    """Build the workspace at `root`; `outside` is a folder beside it (the attacker's targets)."""
    crew = root / ".crew"
    (crew / "agents").mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret").write_text(f"{SECRET}\n")
    (outside / "workflows").mkdir(exist_ok=True)
    (outside / "workflows" / "spy.workflow.md").write_text(f"---\nname: spy\n---\n\n## leak\nrole: scribe\n\n{SECRET}\n")

    (crew / "agents" / "scribe.md").write_text(SCRIBE)
    (root / "shared").mkdir(exist_ok=True)
    (root / "shared" / "linked.md").write_text("---\nname: linked\ndescription: Shared inside the workspace\n---\nYou help.\n")
    (crew / "agents" / "linked.md").symlink_to("../../shared/linked.md")  # stays inside: followed
    (crew / "agents" / "latin1.md").write_bytes(b"---\nname: latin1\ndescription: caf\xe9\n---\nYou help.\n")

    os.mkfifo(crew / "agents" / "f.md")
    (crew / "agents" / "zero.md").symlink_to("/dev/zero")
    (crew / "agents" / "x.md").symlink_to(outside / "secret")
    (crew / "agents" / "big.md").write_bytes(b"---\nname: big\n---\n" + b"x" * (TOO_LARGE - 18))
    (crew / "agents" / "blob.md").write_bytes(b"---\nname: blob\n---\n\x00\x01\x02")
    (crew / "workflows").symlink_to(outside / "workflows", target_is_directory=True)
    assert (crew / "agents" / "big.md").stat().st_size == TOO_LARGE
    return root
