"""pi-crew's frontmatter line grammar (docs/formats.md, The frontmatter grammar): opening, closing, lines, CSV lists, booleans, positions."""

from __future__ import annotations

import pytest

from crew_lsp.resources.agent import parse_agent
from crew_lsp.resources.frontmatter import csv_items, csv_texts, leading_int, parse_bool, parse_document
from crew_lsp.resources.model import parse_resource
from crew_lsp.resources.text import Span


def fm(text: str):
    return parse_document(text).frontmatter


def values(text: str) -> dict[str, str]:
    return {k: e.value for k, e in fm(text).fields.items()}


# Rule 1: frontmatter exists only if the file starts exactly with `---\n` or `---\r\n`.


@pytest.mark.parametrize(("text", "reason", "prefix"), [
    ("\ufeff---\nname: x\n---\n", "BOM", Span(0, 0, 0, 1)),
    ("\n---\nname: x\n---\n", "blank line", Span(0, 0, 1, 0)),
    ("\r\n\r\n---\r\nname: x\r\n---\r\n", "blank line", Span(0, 0, 2, 0)),
    ("  ---\nname: x\n---\n", "spaces", Span(0, 0, 0, 2)),
])
def test_anything_before_the_opening_line_hides_the_frontmatter(text, reason, prefix):
    f = fm(text)
    assert not f.present and f.fields == {} and f.body_start == 0
    assert (f.hidden_by, f.hidden_prefix) == (reason, prefix)


@pytest.mark.parametrize("text", ["---\nname: x\n---\n", "---\r\nname: x\r\n---\r\n"])
def test_lf_or_crlf_opening_line(text):
    assert values(text) == {"name": "x"}


def test_opening_line_must_be_exactly_three_dashes():
    assert not fm("--- \nname: x\n---\n").present
    assert not fm("----\nname: x\n---\n").present


# Rule 2: CRLF is normalised only when frontmatter exists.


def test_crlf_values_carry_no_carriage_return():
    doc = parse_document("---\r\nname: x\r\ndescription: y\r\n---\r\nbody\r\n")
    assert values(doc.text) == {"name": "x", "description": "y"}
    assert doc.crlf and doc.frontmatter.body_start == 4
    assert doc.frontmatter.fields["name"].value_span == Span(1, 6, 1, 7)


# Rule 3: the block closes at the first line that is exactly `---`, searched from offset 4.


@pytest.mark.parametrize("closing", ["--- ", "----", " ---", "---x"])
def test_near_misses_do_not_close(closing):
    f = fm(f"---\nname: x\n{closing}\nbody\n")
    assert not f.present and f.unclosed and f.fields == {}


def test_first_exact_line_closes_after_near_misses():
    f = fm("---\nname: x\n----\n--- \n---\nbody\n")
    assert f.present and f.close_line == 4 and f.body_start == 5
    assert f.skipped == [2, 3]  # `----` and `--- ` are lines without `:` inside the block


def test_closing_line_without_a_newline_gives_an_empty_body():
    doc = parse_document("---\nname: x\n---")
    assert doc.frontmatter.present and doc.frontmatter.close_line == 2
    assert list(doc.body_lines) == []
    assert parse_agent(doc).system_prompt == ""


def test_no_closing_line_means_no_frontmatter():
    doc = parse_document("---\nname: x\ndescription: y\n")
    assert not doc.frontmatter.present and doc.frontmatter.unclosed
    assert doc.frontmatter.fields == {} and doc.frontmatter.body_start == 0


def test_empty_block_is_not_frontmatter():
    f = fm("---\n---\n")
    assert not f.present and f.unclosed


def test_dashes_on_the_second_line_are_a_skipped_line_of_a_later_block():
    f = fm("---\n---\nname: x\n---\n")
    assert f.present and f.close_line == 3 and f.skipped == [1]
    assert values("---\n---\nname: x\n---\n") == {"name": "x"}


def test_blank_block():
    f = fm("---\n\n---\nbody")
    assert f.present and f.fields == {} and f.body_start == 3


# Rule 4: trimmed lines; blanks, `#` comments and lines without `:` are skipped; first `:` splits.


def test_line_rules():
    f = fm("---\n  name  :   spaced out  \n\n# comment: not a key\nno colon here\nurl: http://x:8080/a\nname: again\nunknownKey: kept\n---\n")
    assert {k: e.value for k, e in f.fields.items()} == {"name": "again", "url": "http://x:8080/a", "unknownKey": "kept"}
    assert f.comments == [3] and f.skipped == [4]
    assert [e.key for e in f.entries] == ["name", "url", "name", "unknownKey"]


def _reading(f, shift: int) -> tuple:
    """Entries (key, value, line text, spans) and the comment and skipped lines, moved up by ``shift`` lines."""
    def up(span: Span) -> Span:
        return Span(span.line - shift, span.start, span.end_line - shift, span.end)
    entries = [(e.key, e.value, e.raw, up(e.key_span), up(e.value_span)) for e in f.entries if e.key != "name"]
    return entries, [n - shift for n in f.comments], [n - shift for n in f.skipped]


@pytest.mark.parametrize("line", ["model: gpt-5", "  model:   gpt-5  ", "model:gpt-5", "model:", "# model: gpt-5", "no colon", "   ",
                                  "tools: " + ", ".join(f"tool{i}" for i in range(100)), "x" * 300])  # (lines too long to be kept)
def test_a_line_seen_in_an_earlier_file_reads_the_same(line):
    # lines recur across files and are read once: a later file reads the same entry, at its own line
    first = fm(f"---\n{line}\n---\n")
    later = fm(f"---\nname: other\n\n{line}\n---\n")
    assert _reading(later, 2) == _reading(first, 0)


@pytest.mark.parametrize(("line", "plain"), [
    ("model: gpt-5", True), ("model:gpt-5", True), ("model:   gpt-5  ", True), ("# model: x", True), ("no colon", True),
    ("model:", False), ("  model: gpt-5", False), ("\tmodel: gpt-5", False), ("tools: [read]", False),
    ("description: |", False), ("description: >-", False),
])
def test_a_block_knows_when_every_value_is_a_plain_one_line_value(line, plain):
    # (CREW104 looks at nothing else: an indented line, an empty value, a block marker, a flow list)
    for text in (f"---\nname: a\n{line}\n---\n", f"---\nname: a\n{line}\n---\n"):  # (the second read comes from the line cache)
        assert fm(text).plain_values is plain


def test_empty_key_and_empty_value():
    f = fm("---\n: orphan\nmodel:\n---\n")
    assert f.fields[""].value == "orphan"
    assert f.fields["model"].value == "" and f.fields["model"].value_span == Span(2, 6, 2, 6)


def test_keys_are_case_sensitive():
    assert values("---\nName: x\nname: y\n---\n") == {"Name": "x", "name": "y"}


# Rule 5: consequences.


def test_quotes_stay_in_the_value():
    assert values('---\nname: "x"\ndescription: \'y\'\n---\n') == {"name": '"x"', "description": "'y'"}


def test_yaml_block_list_gives_an_empty_value_and_drops_the_items():
    doc = parse_document("---\ntools:\n  - read\n  - bash\n---\n")
    assert doc.frontmatter.fields["tools"].value == ""
    assert doc.frontmatter.skipped == [2, 3]
    assert parse_agent(doc).tools == []


def test_yaml_block_scalar_is_the_literal_marker():
    assert values("---\ndescription: |\n  line one\n  line two\n---\n") == {"description": "|"}


def test_flow_list_is_read_as_csv_items_with_brackets():
    entry = fm("---\ntools: [read, bash]\n---\n").fields["tools"]
    assert [i.text for i in csv_items(entry)] == ["[read", "bash]"]


def test_indentation_is_ignored():
    f = fm("---\nmetadata:\n  nested: x\n---\n")
    assert f.fields["nested"].value == "x" and f.fields["nested"].indented
    assert f.fields["nested"].key_span == Span(2, 2, 2, 8)


# CSV lists.


@pytest.mark.parametrize(("value", "items"), [
    ("read, grep ,find", ["read", "grep", "find"]),
    ("a,,b, ,", ["a", "b"]),
    ("a, b, a, c, b", ["a", "b", "c"]),
    ('"a,b", c', ["a,b", "c"]),
    ('"x", y"z', ["x", "yz"]),
    ("", []),
    (" , ", []),
])
def test_csv(value, items):
    entry = fm(f"---\nk: {value}\n---\n").fields["k"]
    assert [i.text for i in csv_items(entry)] == items


def test_csv_texts_of_a_value_seen_before_are_a_list_of_their_own():
    first = csv_texts("read, grep, read")
    first.append("changed by the caller")
    assert csv_texts("read, grep, read") == ["read", "grep"]


def test_csv_item_spans():
    entry = fm("---\ntools: read,  grep , find\n---\n").fields["tools"]
    assert [i.span for i in csv_items(entry)] == [Span(1, 7, 1, 11), Span(1, 14, 1, 18), Span(1, 21, 1, 25)]


def test_empty_csv_is_not_set():
    agent = parse_agent(parse_document("---\ntools:\nskills: , \n---\nx"))
    assert agent.tools == [] and agent.skills == []


# Booleans and numbers.


@pytest.mark.parametrize(("value", "result"), [("true", True), ("false", False), ("True", None), ("FALSE", None),
                                               ("yes", None), ("1", None), ("", None), (None, None)])
def test_booleans_are_lowercase_only(value, result):
    assert parse_bool(value) is result


def test_agent_booleans():
    a = parse_agent(parse_document("---\ninheritProjectContext: True\ninheritSkills: true\ndisabled: yes\n---\nx"))
    assert (a.inherit_project_context, a.inherit_skills, a.disabled) == (False, True, False)
    assert parse_agent(parse_document("---\nenabled: false\n---\nx")).disabled
    assert parse_agent(parse_document("---\ndisabled: true\n---\nx")).disabled


def test_agent_routing_hints_are_csv_lists_and_trigger_is_an_alias():
    a = parse_agent(parse_document("---\ntriggers: api, api ,\"db, sql\"\nuseWhen: a, b\n---\nx"))
    assert (a.triggers, a.use_when) == (["api", "db, sql"], ["a", "b"])
    a = parse_agent(parse_document("---\ntrigger: one\n---\nx"))
    assert (a.triggers, a.use_when) == (["one"], [])
    assert parse_agent(parse_document("---\ntrigger: one\ntriggers: two\n---\nx")).triggers == ["two"]


@pytest.mark.parametrize(("value", "n"), [("6", 6), ("6abc", 6), (" 12 ", 12), ("-2", -2), ("+3", 3), ("abc", None), ("", None), ("-", None)])
def test_leading_int(value, n):
    assert leading_int(value) == n


def test_false_convention_and_defaults():
    a = parse_agent(parse_document("---\nmodel: false\nthinking: false\nsystemPromptMode: Append\nmaxTurns: 0\n---\nx"))
    assert (a.model, a.thinking, a.system_prompt_mode, a.max_turns, a.description) == (None, None, "replace", None, "No description provided.")


# Positions: UTF-16 columns, CRLF, tabs, empty files, no trailing newline.


def test_utf16_columns_after_emoji():
    line = "description: 😀 café 😀"
    e = fm(f"---\n{line}\ntools: 😀x, read\n---\n").fields
    assert e["description"].value_span == Span(1, 13, 1, 13 + 2 + 6 + 2)
    items = csv_items(e["tools"])
    assert [(i.text, i.span) for i in items] == [("😀x", Span(2, 7, 2, 10)), ("read", Span(2, 12, 2, 16))]


def test_emoji_key():
    e = fm("---\n😀: x\n---\n").fields["😀"]
    assert e.key_span == Span(1, 0, 1, 2) and e.value_span == Span(1, 4, 1, 5)


def test_tabs():
    e = fm("---\nname:\tx\t\n\tcost : cheap\n---\n").fields
    assert e["name"].value == "x" and e["name"].value_span == Span(1, 6, 1, 7)
    assert e["cost"].key_span == Span(2, 1, 2, 5) and e["cost"].value_span == Span(2, 8, 2, 13)


def test_crlf_lines_have_no_carriage_return():
    doc = parse_document("---\r\nname: x\r\n---\r\nbody\r\n")
    assert doc.lines == ["---", "name: x", "---", "body", ""]


@pytest.mark.parametrize("kind", ["agent", "team", "workflow", "skill"])
def test_empty_file(kind):
    res = parse_resource(kind, "project", f"/x/{'SKILL.md' if kind == 'skill' else 'empty.' + kind + '.md'}", "")
    assert res.doc.lines == [""] and not res.doc.frontmatter.present


def test_no_trailing_newline():
    doc = parse_document("---\nname: x\n---\nlast line")
    assert doc.lines[-1] == "last line" and parse_agent(doc).system_prompt == "last line"
