"""Every semantic token lies inside its line, in UTF-16 units of the editor's text, whatever the edits
that led to that text: non-ASCII (accents, emoji, CJK), CRLF, deleted line ends, joined and split
lines, half-typed keys and values. An editor rejects a token that ends past its line ("end character
> line length") and overlapping tokens.

Each edit goes to the server's document as an incremental change (LSP positions, UTF-16); the text the
server patches must be the editor's text, and the tokens of that text must fit the editor's lines
(a line ends at `\\n` or `\\r\\n`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as T

from crew_lsp.language.tokens import semantic_tokens
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.server.sync import apply_changes

TEAM = """---
name: squad
description: Équipe 🎉 « test »
defaultWorkflow: flow
# a comment ✓
---
Roles:

- lead: agent=scout model=openai/gpt-5 skills=safe-bash,🎉 map the code
- 執行者: agent=executor maxConcurrency=2 実装 {goal}
- checker: agent=verifier skills=false check it
"""

WORKFLOW = """---
name: flow
description: Scout, build 🚀
---

## scan🚀
role: lead
output: scan.md
dependsOn: a, b🎉

Scan the code for {goal} — é.

## build
role: executor
reads: scan.md, ✓.md
progress: true

Build {goal}{goal}.
"""

AGENT = """---
name: scout
description: Finds 🎉 the files
tools: read, grep, 🚀
thinking: high
---
You scout {goal}.
"""

CONFIG = '{\n  "agents": {"scout": {"model": "openai/gpt-5 🎉", "thinking": "high"}},\n  "limits": [1, true, null, "é"]\n}\n'

DOCUMENTS = {"teams/squad.team.md": TEAM, "workflows/flow.workflow.md": WORKFLOW, "agents/scout.md": AGENT,
             "config.json": CONFIG}

# what an edit inserts: text a person types or pastes, line breaks, separators the parsers look for
PIECES = ["", "x", "é", "🎉", "執", "\n", " ", ":", "=", ",", "-", "#", "## ", "- ", "agent=", "skills=", "{goal}", "{go",
          "role: ", "---", '"', "{", "}", "[", "]", "a🎉b", "  "]

# one edit: which line (a fraction of the line count), where on it, how far the deletion reaches
# (0: nothing; on its line, or to the next line: a deleted line end), what is inserted
edits = st.tuples(st.floats(0, 1), st.floats(0, 1), st.sampled_from(["none", "in line", "line end", "to next line"]),
                  st.lists(st.sampled_from(PIECES), max_size=3).map("".join))

EDITOR_LINES = re.compile(r"\r\n|\n")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> tuple[Index, Path]:
    root = tmp_path_factory.mktemp("tokens")
    (root / ".crew").mkdir()
    return Index(Workspace.discover(root)), root / ".crew"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Editor:
    """The editor's side: its lines, and edits at LSP positions applied to its own text."""

    def __init__(self, text: str):
        self.text = text

    @property
    def lines(self) -> list[str]:
        return EDITOR_LINES.split(self.text)

    def offset(self, line: int, character: int) -> int:
        starts = [0] + [m.end() for m in EDITOR_LINES.finditer(self.text)]
        if line >= len(starts):
            return len(self.text)
        units, offset = 0, starts[line]
        for ch in self.lines[line]:
            if units >= character:
                break
            units += utf16_len(ch)
            offset += 1
        return offset

    def change(self, edit: tuple[float, float, str, str], eol: str) -> T.TextDocumentContentChangePartial:
        """Make one edit; the change event that tells the server about it."""
        where, column, reach, inserted = edit
        lines = self.lines
        line = min(int(where * len(lines)), len(lines) - 1)
        length = utf16_len(lines[line])
        start = end = (line, int(column * length))
        if reach == "in line":
            end = (line, start[1] + (length - start[1]) // 2)
        elif reach == "line end":
            start, end = (line, length), (line + 1, 0)
        elif reach == "to next line":
            end = (line + 1, 1)
        if end[0] >= len(lines):
            end = (len(lines) - 1, utf16_len(lines[-1]))
        text = inserted.replace("\n", eol)
        self.text = self.text[:self.offset(*start)] + text + self.text[self.offset(*end):]
        return T.TextDocumentContentChangePartial(range=T.Range(T.Position(*start), T.Position(*end)), text=text)


def decode(data: list[int]) -> list[tuple[int, int, int]]:
    """(line, start, length) of each token of the LSP relative encoding."""
    out, line, start = [], 0, 0
    for i in range(0, len(data), 5):
        delta_line, delta_start, length = data[i:i + 3]
        line += delta_line
        start = delta_start if delta_line else start + delta_start
        out.append((line, start, length))
    return out


def assert_tokens_fit(lines: list[str], data: list[int]) -> None:
    previous_end = (-1, 0)
    for line, start, length in decode(data):
        assert line < len(lines), f"token on line {line}, the text has {len(lines)}"
        assert length > 0
        assert start + length <= utf16_len(lines[line]), f"token {start}+{length} past the end of {lines[line]!r}"
        assert (line, start) >= previous_end, "tokens overlap"
        previous_end = (line, start + length)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(DOCUMENTS)), eol=st.sampled_from(["\n", "\r\n"]),
       sequence=st.lists(edits, min_size=1, max_size=8))
def test_every_semantic_token_lies_inside_its_line_after_any_edits(index, name, eol, sequence):
    idx, crew = index
    path = str(crew / name)
    editor = Editor(DOCUMENTS[name].replace("\n", eol))
    server_text = editor.text
    for edit in [None, *sequence]:
        if edit is not None:
            server_text = apply_changes(server_text, [editor.change(edit, eol)])
            assert server_text == editor.text
        assert_tokens_fit(editor.lines, semantic_tokens(idx.parse(path, server_text)))
