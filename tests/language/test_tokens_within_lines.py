"""Every semantic token lies inside its line, in UTF-16 units of the text it was computed from, whatever
the edits that led to that text: non-ASCII (accents, emoji, CJK), CRLF, deleted line ends, joined and
split lines, half-typed keys and values. An editor rejects a token that ends past its line
("end character > line length") and overlapping tokens.

Lines are counted the way an editor does: a line ends at `\\n` or `\\r\\n`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langkit import decode

from crew_lsp.language.tokens import semantic_tokens
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.text import offset_at, utf16_len

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


def apply(text: str, edit: tuple[float, float, str, str], eol: str) -> str:
    """One edit at UTF-16 positions, the way an editor sends it (its line breaks are the document's)."""
    where, column, reach, inserted = edit
    lines = EDITOR_LINES.split(text)
    line = min(int(where * len(lines)), len(lines) - 1)
    length = utf16_len(lines[line])
    start = offset_at(text, line, int(column * length))
    if reach == "in line":
        end = offset_at(text, line, length)
        end = start + (end - start) // 2
    elif reach == "line end":
        start, end = offset_at(text, line, length), offset_at(text, line + 1, 0)
    elif reach == "to next line":
        end = offset_at(text, line + 1, 1)
    else:
        end = start
    return text[:start] + inserted.replace("\n", eol) + text[end:]


def assert_tokens_fit(text: str, data: list[int]) -> None:
    lines = EDITOR_LINES.split(text)
    previous_end = (-1, 0)
    for line, start, length, _kind, _mods in decode(data):
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
    text = DOCUMENTS[name].replace("\n", eol)
    for edit in [None, *sequence]:
        if edit is not None:
            text = apply(text, edit, eol)
        res = idx.parse(path, text)
        assert_tokens_fit(text, semantic_tokens(res))
