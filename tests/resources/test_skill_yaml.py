"""SKILL.md frontmatter as pi-crew 0.10's skill listing reads it (YAML 1.2 by the npm `yaml` package)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crew_lsp.resources.skill_yaml import read_skill_listing
from crew_lsp.resources.yaml_npm import YamlError, compose
from crew_lsp.resources.text import Span


@pytest.fixture(params=["libyaml", "python"])
def parser(request, monkeypatch):
    """Each test that takes it runs with libyaml's parser and with PyYAML's pure-Python one (a machine without libyaml)."""
    import yaml

    if request.param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    monkeypatch.setattr(yaml, "__with_libyaml__", request.param == "libyaml")
    return request.param


def skill(frontmatter: str, body: str = "Body.\n") -> str:
    return f"---\n{frontmatter}\n---\n{body}"


def reasons(text: str) -> list[tuple[str, bool]]:
    return [(f.field, f.dropped) for f in read_skill_listing(text).findings]


def test_a_valid_skill_is_listed_with_its_description():
    listing = read_skill_listing(skill("name: tidy\ndescription: Keeps things tidy."))
    assert (listing.dropped, listing.description, listing.findings) == (False, "Keeps things tidy.", [])


def test_the_listing_unquotes_and_unfolds_the_description_but_the_header_keeps_it_as_written():
    quoted = read_skill_listing(skill('name: a\ndescription: "Safe shell-command workflow."'))
    assert (quoted.description, quoted.header_description) == ("Safe shell-command workflow.", '"Safe shell-command workflow."')
    folded = read_skill_listing(skill("name: a\ndescription: >\n  folded\n  text"))
    assert (folded.description, folded.header_description) == ("folded text", ">")


@pytest.mark.parametrize(("frontmatter", "field"), [
    ("name: a\ndescription: Use when: x", "frontmatter"),  # a nested mapping
    ("name: a\ndescription: x\nname: b", "frontmatter"),  # a duplicate key
    ("name: a\n\tdescription: x", "frontmatter"),  # a tab indents
    ('name: a\ndescription: "x" tail', "frontmatter"),  # an unexpected scalar
    ("name: a\nsome words\ndescription: x", "frontmatter"),  # a multi-line implicit key
    ("name:alpha", "frontmatter"),  # a single value, not a mapping
    ("- a\n- b", "frontmatter"),  # a list
    ("name: My-Skill\ndescription: x", "name"),
    ("name: my skill\ndescription: x", "name"),
    (f"name: {'a' * 65}\ndescription: x", "name"),
    ("name: ''\ndescription: x", "name"),
    ("name: 12\ndescription: x", "name"),
    ("name: a", "description"),
    ("name: a\ndescription:", "description"),
    ("name: a\ndescription: 1.0", "description"),
    ("name: a\ndescription: <html>", "description"),
    (f"name: a\ndescription: {'x' * 1025}", "description"),
    ("name: a\ndescription: x\nlicense: 2", "license"),
    ("name: a\ndescription: x\nallowed-tools: read", "allowed-tools"),
    ("name: a\ndescription: x\nmetadata: [a]", "metadata"),
    ("name: a\ndescription: x\ncompatibility: true", "compatibility"),
    ("name: a\ndescription: x\nversion: 1.0", "version"),
    ("name: a\ndescription: x\nauthor:", "author"),
])
def test_each_reason_pi_crew_drops_a_skill_from_its_listing(frontmatter: str, field: str, parser: str):
    listing = read_skill_listing(skill(frontmatter))
    assert listing.dropped
    assert field in [f.field for f in listing.findings if f.dropped]


@pytest.mark.parametrize("frontmatter", [
    "name: a\ndescription: yes",  # YAML 1.2: a string
    "name: a\ndescription: x\nversion: '1.0'",
    "name: a\ndescription: x\nversion: 1.2.3-beta.1",
    "description: x",  # no name: pi-crew takes the folder's, with a soft warning
    "name:\ndescription: x",
    "name: a\ndescription: 'it''s fine'",
    "name: a\ndescription: x\nallowed-tools: [read, grep]\nmetadata: {owner: me}",
    "name: a\ndescription: caf\u00e9 \u2028 \U0001f600 \x07",  # characters YAML 1.2 reads as text
])
def test_skills_pi_crew_keeps(frontmatter: str, parser: str):
    assert not read_skill_listing(skill(frontmatter)).dropped


def test_unknown_keys_are_kept_with_a_soft_finding():
    assert reasons(skill("name: a\ndescription: x\norigin: imported\ntriggers:\n  - a")) == [("unknown-key", False), ("unknown-key", False)]


def test_a_frontmatter_over_the_size_bound_is_not_parsed():
    listing = read_skill_listing(skill("name: a\ndescription: x\nnotes: " + "x" * 300_000))
    assert [(f.field, f.dropped) for f in listing.findings] == [("size", False)]


def test_no_frontmatter_or_an_empty_one_keeps_the_skill():
    for text in ("# Title\n", "\ufeff---\nname: Bad Name\n---\n", "---\n\n---\n", "---\nname: a\n"):
        listing = read_skill_listing(text)
        assert (listing.dropped, listing.description) == (False, "")


def test_the_frontmatter_ends_at_the_first_line_starting_with_three_dashes():
    listing = read_skill_listing("---\nname: a\ndescription: x\n----- a rule\nname: b\n")
    assert (listing.dropped, listing.name) == (False, "a")


def test_findings_point_at_the_token_in_document_lines_and_utf16_columns(parser: str):
    [duplicate] = read_skill_listing("---\r\nname: a\r\ndescription: x\r\nname: b\r\n---\r\n").findings
    assert duplicate.span == Span(3, 0, 3, 4)
    [html] = read_skill_listing(skill("name: a\ndescription: \U0001f600 <b>")).findings
    assert html.span == Span(2, 13, 2, 19)
    [nested] = read_skill_listing(skill("name: a\ndescription: Use when: x")).findings
    assert nested.span == Span(2, 21, 2, 22)


def test_alias_expansion_beyond_the_npm_packages_limit_is_refused_without_expanding():
    laughs = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{n}: &{n} [{','.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(YamlError, match="too many aliases"):
        compose(laughs)
    compose("a: &x 1\nb: [" + ",".join(["*x"] * 99) + "]")  # 100 uses of one scalar are still fine


def test_deep_nesting_is_a_finding_not_a_crash(parser: str):
    [finding] = read_skill_listing(skill("name: a\ndescription: " + "[" * 5000 + "]" * 5000)).findings
    assert finding.dropped and "nests more than" in finding.message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -\t\n\r\"'[]{}&*!|>#?,%@`\\") + ["\u2028", "\ud800", "\x00"]), max_size=80))
def test_any_frontmatter_gives_a_listing_and_never_raises(frontmatter: str):
    # (hypothesis runs it with the parser PyYAML picks; the cases above pin both parsers)
    listing = read_skill_listing(skill(frontmatter))
    assert isinstance(listing.dropped, bool)


# The npm `yaml` package pi-crew uses, when the machine has it (it ships with a pi install).
def _npm_yaml() -> Path | None:
    pi = os.environ.get("PI_REAL_BIN")
    if not pi or shutil.which("node") is None:
        return None
    package = Path(pi).absolute().parent.parent / "yaml"  # <node_modules>/.bin/pi → <node_modules>/yaml
    return package if (package / "package.json").is_file() else None


_ORACLE = """
const YAML = require(process.argv[2]);
const out = JSON.parse(require('fs').readFileSync(0, 'utf8')).map(src => {
  try {
    const v = YAML.parse(src);
    const kind = v == null ? 'null' : Array.isArray(v) ? 'seq' : typeof v === 'object' ? 'map' : 'scalar';
    const fields = {};
    if (kind === 'map') for (const [k, x] of Object.entries(v)) fields[k] = [x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x, typeof x === 'string' ? x : null];
    return {ok: true, kind, fields};
  } catch (e) { return {ok: false}; }
});
process.stdout.write(JSON.stringify(out));
"""

ORACLE_CASES = [
    "name: a\ndescription: Use when: x", "name: A\ndescription: x", "name: a\ndescription: x\nname: b",
    "name: a\n  description: indented", "  name: a\n  description: indented", "description : spaced\nname: a", "name:alpha",
    "name: a\n\tdescription: x", "name: a\ndescription:\tx", "name: a\nsome words\ndescription: x", 'name: a\ndescription: "q" tail',
    "name: a\ndescription: 'it''s'", "name: a\ndescription: >\n  folded\n  text\n", "name: a\ndescription: |\n  lit\n",
    "name: a\ndescription: yes", "name: a\ndescription: 1.0", "name: a\ndescription: ~", "name: a\ndescription: 0x1F",
    "name: a\ndescription: 2024-01-01", "name: a\ndescription: !!str 12", "name: a\ndescription: !!int abc", "name: a\ndescription: ! 12",
    "name: a\ndescription: !!binary aGVsbG8=", "1: a\n1.0: b", 'a: 1\n"a": 2', "~: 1\nnull: 2", "true: 1\nTrue: 2",
    "name: a\nmetadata:\n  k: 1\n  k: 2", "name: a\ntriggers:\n  - a\n  - b", "- a\n- b", "just text", "", "# a comment",
    "name: &x a\ndescription: *x", "name: a\ndescription: *nope", "name: a\ndescription: x\n...\nmore: 1", "name: a\ndescription: x #c",
    'name: a\ndescription: "unterminated', "name: a\ndescription: x\n  continued", "name: a\ndescription: [unclosed",
    "name: a\ndescription: @at", "name: a\ndescription: `tick", "name: a\ndescription: x\n- item", 'name: a\ndescription: "\\/ \\x41"',
    "name: a\ndescription: x\n? complex\n: value", "name: a\r\ndescription: crlf\r\n", "name: a\ndescription: .inf",
    "name: a\ndescription: \u2028x", "name: a\ndescription: x\x07", "{name: a, name: b}",
    "a: &x 1\nb: [" + ",".join(["*x"] * 99) + "]", "a: &x 1\nb: [" + ",".join(["*x"] * 100) + "]",
    "a: &x [1]\nb: &y [*x, *x]\nc: [" + ",".join(["*y"] * 32) + "]", "a: &x [1]\nb: &y [*x, *x]\nc: [" + ",".join(["*y"] * 33) + "]",
]


def _mine(source: str) -> dict:
    try:
        root = compose(source)
    except YamlError:
        return {"ok": False}
    kind = "null" if root is None or root.kind == "scalar" and root.type == "null" else root.kind
    fields = {}
    if kind == "map":
        for key, value in root.items:
            if key.kind == "scalar" and key.type == "string":
                fields[key.value] = ["array" if value.kind == "seq" else value.type, value.value if value.kind == "scalar" and value.type == "string" else None]
    return {"ok": True, "kind": kind, "fields": fields}


@pytest.mark.skipif(_npm_yaml() is None, reason="needs node and the npm yaml package of a pi install (PI_REAL_BIN)")
def test_the_reader_agrees_with_the_npm_yaml_package(tmp_path: Path, parser: str):
    script = tmp_path / "oracle.js"
    script.write_text(_ORACLE, encoding="utf-8")
    run = subprocess.run(["node", str(script), str(_npm_yaml())], input=json.dumps(ORACLE_CASES), capture_output=True, text=True, timeout=60, check=True)
    theirs = json.loads(run.stdout)
    for source, js in zip(ORACLE_CASES, theirs, strict=True):
        mine = _mine(source)
        if js["ok"] and mine["ok"]:
            js["fields"] = {k: v for k, v in js["fields"].items() if k in mine["fields"] or not k.startswith("[")}
        assert mine == js, source
