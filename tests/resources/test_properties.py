"""Property tests: no text crashes the parsers or the checker, and every range stays inside the document.

Inputs are arbitrary unicode (with `\\r`, BOMs and emoji mixed in), documents assembled from lines that
exercise the grammar, and random mutations of the builtin files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crew_lsp.checks import check_resource
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.model import parse_resource
from crew_lsp.resources.text import Span, split_lines, utf16_len

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Surrogates cannot be encoded; everything else is fair game.
CHARS = st.characters(blacklist_categories=("Cs",))
SPECIAL = st.sampled_from(["\r", "\n", "\ufeff", "😀", "é", "\t", " ", "-", "#", ":", "=", ",", '"', "`", "{", "}", "[", "]", "/", "."])
TEXT = st.text(st.one_of(CHARS, SPECIAL), max_size=300)

LINES = st.sampled_from([
    "---", "--- ", "----", "", " ", "#", "# crew-lsp: disable=CREW107", "name: x", 'name: "x"', "description: d", "description: |",
    "  folded", "tools:", "  - read", "tools: [read, grpe]", "model: openai/", "model: a b", "model: x:hgh", "thinking: hihg",
    "skills: safe-bash, bad.name", "maxTurns: 6abc", "maxConcurrency: 0", "defaultWorkflow: nope", "workspaceMode: worktrees",
    "disabled: True", "cost: Cheap", "nocolon", "  indented: x", ": empty", "😀: 😀", "- explorer: agent=explorer",
    "- a: agent=", "- b: model= x skills=safe-bash, then maxConcurrency=-1", "- Note: prose", "-", "- ", "##", "## ", "## a",
    "## Notes", "### no", "##x", "```", "role: planner", "role:", "dependsOn: a b, missing", "dependsOn: a", "output: ../x",
    "output:", "reads: /abs, x.md", "verify: True", "Note: glued", "{goal} {other}", "task: {goals}", "<!-- crew-lsp: disable=CREW204 -->",
])
DOCUMENT = st.builds(lambda lines, sep, bom: ("\ufeff" if bom else "") + sep.join(lines),
                     st.lists(st.one_of(LINES, TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " "))), max_size=30),
                     st.sampled_from(["\n", "\r\n"]), st.booleans())
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 20000), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["limits", "runtime", "maxConcurrentWorkers", "agents", "overrides", "x", "mode",
                                                              "executeWorkers", "otlp", "headers", "notifications", "quietHours", "ui"]), inner, max_size=4)),
    max_leaves=12,
)

KIND_PATHS = {
    "agent": ".crew/agents/prop.md",
    "team": ".crew/teams/prop.team.md",
    "workflow": ".crew/workflows/prop.workflow.md",
    "skill": "skills/prop/SKILL.md",
    "config": ".crew/config.json",
}
BUILTIN_FILES = sorted(p for d in ("agents", "teams", "workflows") for p in (ROOT / d).glob("*.md"))


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ws = tmp_path_factory.mktemp("props")
    (ws / ".crew").mkdir()
    return Index.load(Workspace.discover(ws))


def _inside(lines: list[str], span: Span, what: object) -> None:
    assert 0 <= span.line <= span.end_line < len(lines), what
    assert 0 <= span.start <= utf16_len(lines[span.line]), what
    assert 0 <= span.end <= utf16_len(lines[span.end_line]), what
    assert (span.line, span.start) <= (span.end_line, span.end), what


def _check_all_kinds(index: Index, text: str, kinds=tuple(KIND_PATHS)) -> None:
    lines = split_lines(text)
    for kind in kinds:
        path = str(index.workspace.folder / KIND_PATHS[kind])
        res = parse_resource(kind, "project", path, text)
        index.update(path, text, res)  # the derived maps must cope with any name
        try:
            diags = check_resource(res, index.snapshot)
        finally:
            index.update(path, None)
        for d in diags:
            _inside(lines, d.span, d)
            for r in d.related:
                if r.path == path:
                    _inside(lines, r.span, d)
            for fix in (d.data or {}).get("fixes", []):
                for e in fix.get("edits", []):
                    _inside(lines, Span(*e[:4]), (d.code, fix))


@SETTINGS
@given(text=TEXT)
def test_arbitrary_text(index, text):
    _check_all_kinds(index, text)


@SETTINGS
@given(text=DOCUMENT)
def test_documents_built_from_grammar_lines(index, text):
    _check_all_kinds(index, text, ("agent", "team", "workflow", "skill"))


@SETTINGS
@given(value=JSONISH)
def test_config_values(index, value):
    import json

    _check_all_kinds(index, json.dumps(value), ("config",))


@st.composite
def mutated_builtin(draw):
    text = draw(st.sampled_from(BUILTIN_FILES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 6))):
        lines = text.split("\n")
        op = draw(st.sampled_from(["insert_line", "delete_line", "insert_chars", "delete_chars"]))
        if op == "insert_line":
            lines.insert(draw(st.integers(0, len(lines))), draw(st.one_of(LINES, TEXT)))
            text = "\n".join(lines)
        elif op == "delete_line" and len(lines) > 1:
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif op == "insert_chars":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(st.one_of(CHARS, SPECIAL), min_size=1, max_size=5)) + text[at:]
        elif text:
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
    return text


@SETTINGS
@given(text=mutated_builtin())
def test_mutated_builtin_files(index, text):
    _check_all_kinds(index, text, ("agent", "team", "workflow", "skill"))
