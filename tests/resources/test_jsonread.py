"""One guarded way to read JSON: any text or bytes give a value or a JsonReadError, never a crash."""

from __future__ import annotations

import pytest

from crew_lsp.resources.jsonpos import JsonError, parse_json
from crew_lsp.resources.jsonread import MAX_DEPTH, JsonReadError, loads, read_json_file

DEEP = "[" * 100_000 + "]" * 100_000


def test_plain_json_reads_as_json_loads_does():
    assert loads('{"a": [1, 2.5, "x", null]}') == {"a": [1, 2.5, "x", None]}
    assert loads(b'{"a": true}') == {"a": True}


def test_json_nested_100000_deep_is_a_clear_error_not_a_recursion_error():
    with pytest.raises(JsonReadError, match="nested too deeply"):
        loads(DEEP)


def test_invalid_json_and_bad_utf8_are_clear_errors():
    with pytest.raises(JsonReadError, match="not valid JSON"):
        loads('{"a": }')
    with pytest.raises(JsonReadError, match="not UTF-8"):
        loads(b'{"a": "\xff\xfe"}')


def test_json_read_error_is_a_value_error_for_existing_callers():
    with pytest.raises(ValueError):
        loads("nope")


def test_reading_a_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(DEEP)
    with pytest.raises(JsonReadError, match="nested too deeply"):
        read_json_file(path)
    path.write_text('{"ok": 1}')
    assert read_json_file(path) == {"ok": 1}
    with pytest.raises(OSError):
        read_json_file(tmp_path / "missing.json")


def test_the_positional_reader_reports_deep_nesting_with_a_span():
    with pytest.raises(JsonError, match="nested too deeply") as err:
        parse_json(DEEP)
    assert err.value.span.line == 0


def test_both_readers_accept_the_same_depth():
    deepest = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH  # the 1 sits MAX_DEPTH levels below the top
    assert parse_json(deepest) is not None and loads(deepest) is not None
    one_more = "[" + deepest + "]"
    with pytest.raises(JsonError, match="nested too deeply"):
        parse_json(one_more)
    with pytest.raises(JsonReadError, match="nested too deeply"):
        loads(one_more)
    with pytest.raises(JsonReadError, match="nested too deeply"):
        loads('{"a": ' * (MAX_DEPTH + 1) + "{}" + "}" * (MAX_DEPTH + 1))


def test_many_brackets_side_by_side_are_not_depth():
    wide = "[" + ",".join(["[]"] * 5000) + "]"
    assert len(loads(wide)) == 5000
