"""Shared helpers of the editor-feature tests: sample files, a `.crew/` workspace, positions, edits, tokens."""

from __future__ import annotations

from pathlib import Path

from crew_lsp.language.tokens import TOKEN_MODIFIERS, TOKEN_TYPES
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index, Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import col16, offset_at

AGENT_SCOUT = """---
name: scout
description: Finds the files a goal touches
tools: read, grep
skills: safe-bash
---
You scout.
"""

TEAM_SQUAD = """---
name: squad
description: A small squad
defaultWorkflow: flow
---
Roles:

- lead: agent=scout model=openai/gpt-5 skills=safe-bash map the code
- executor: implement it
- checker: agent=verifier maxConcurrency=2 check it
"""

WORKFLOW_FLOW = """---
name: flow
description: Scout, build, check
---

## scan
role: lead
output: scan.md

Scan the code for {goal}.
More text.

## build
role: executor
dependsOn: scan
reads: scan.md

Build it.

## check
role: checker
dependsOn: scan, build
verify: true

Check {goal} and {other}.
"""


class WS:
    def __init__(self, root: Path):
        self.root = root
        self.crew = root / ".crew"

    def write(self, rel: str, text: str, newline: str = "\n") -> str:
        path = self.crew / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text.replace("\n", newline))
        return str(path)

    def snap(self) -> Snapshot:
        return Index.load(Workspace.discover(self.root)).snapshot

    def res(self, snap: Snapshot, rel: str) -> Resource:
        return snap.resources[str(self.crew / rel)]


CURSOR = "|"


def cursors(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """``marked`` without its `|` cursors, and the (line, UTF-16 column) of each, in order."""
    text, found = "", []
    for piece in marked.split(CURSOR)[:-1]:
        text += piece
        line_text = text[text.rfind("\n") + 1 :]
        found.append((text.count("\n"), col16(line_text, len(line_text))))
    return text + marked.split(CURSOR)[-1], found


def cursor(marked: str) -> tuple[str, tuple[int, int]]:
    """``marked`` without its one `|`, and the (line, UTF-16 column) where the `|` was."""
    text, found = cursors(marked)
    if len(found) != 1:
        raise AssertionError(f"expected exactly one `|` in {marked!r}, found {len(found)}")
    return text, found[0]


def at(res: Resource, marked: str, occurrence: int = 0) -> tuple[int, int]:
    """The position of the `|` in ``marked``, a piece of one line of the resource (its ``occurrence``-th)."""
    needle, _ = cursor(marked)
    count = 0
    for i, line in enumerate(res.doc.lines if res.doc else res.text.split("\n")):
        start = 0
        while (k := line.find(needle, start)) >= 0:
            if count == occurrence:
                return i, col16(line, k + marked.index(CURSOR))
            count += 1
            start = k + 1
    raise AssertionError(f"{needle!r} not found")


def apply(text: str, edits) -> str:
    """Apply LSP edits (UTF-16 columns, all relative to ``text``) back to front."""
    out = text
    for e in sorted(edits, key=lambda e: (e.span.line, e.span.start), reverse=True):
        a = offset_at(text, e.span.line, e.span.start)
        b = offset_at(text, e.span.end_line, e.span.end)
        out = out[:a] + e.new_text + out[b:]
    return out


def decode(data: list[int]) -> list[tuple]:
    """LSP relative semantic tokens → (line, start, length, type, [modifiers])."""
    out, line, start = [], 0, 0
    for i in range(0, len(data), 5):
        dl, ds, length, kind, mods = data[i : i + 5]
        line += dl
        start = ds if dl else start + ds
        out.append((line, start, length, TOKEN_TYPES[kind], [m for b, m in enumerate(TOKEN_MODIFIERS) if mods >> b & 1]))
    return out
