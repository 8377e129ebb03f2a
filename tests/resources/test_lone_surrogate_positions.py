"""A lone UTF-16 surrogate (`\\ud800` from a didChange or a JSON escape) is one code unit like any other.

LSP columns count UTF-16 code units; a lone surrogate cannot be encoded strictly, but it still is one
unit, so every position function maps it without raising.
"""

from __future__ import annotations

from crew_lsp.resources.jsonpos import parse_json
from crew_lsp.resources.text import col16, index_of_col16, offset_at, span_in_line, utf16_len, whole_line

LONE = "\ud800"


def test_a_lone_surrogate_counts_as_one_code_unit():
    line = f"a{LONE}b😀c"  # a, lone surrogate, b, an astral character (two units), c
    assert utf16_len(line) == 6
    assert col16(line, 2) == 2  # just after the lone surrogate
    assert col16(line, 4) == 5  # just after the emoji
    assert index_of_col16(line, 2) == 2
    assert index_of_col16(line, 5) == 4


def test_spans_and_offsets_across_a_lone_surrogate():
    line = f"role: {LONE}x"
    assert span_in_line(3, line, 6, 8).as_list() == [3, 6, 3, 8]
    assert whole_line(0, f"  {LONE}  ").as_list() == [0, 2, 0, 3]
    text = f"first\n{LONE}{LONE}second\n"
    assert offset_at(text, 1, 2) == len("first\n") + 2


def test_json_with_a_raw_lone_surrogate_keeps_its_spans():
    text = '{"a": "' + LONE + '", "b": 1}'
    node = parse_json(text)
    member = node.member("b")
    assert member is not None and member.key_span.as_list() == [0, 11, 0, 14]  # the surrogate is one column


def test_json_with_a_lone_surrogate_escape_reads_the_surrogate():
    node = parse_json('{"key": "\\ud800", "next": true}')
    assert node.value == {"key": LONE, "next": True}
    assert node.member("next").key_span.as_list() == [0, 18, 0, 24]
