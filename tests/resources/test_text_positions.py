"""Lines and UTF-16 columns: what LSP positions count."""

from __future__ import annotations

from crew_lsp.resources.text import Span, col16, end_of, index_of_col16, offset_at, span_in_line, split_lines, utf16_len, whole_line


def test_utf16_lengths():
    assert utf16_len("abc") == 3
    assert utf16_len("é") == 1
    assert utf16_len("😀") == 2
    assert utf16_len("a😀b") == 4


def test_columns_round_trip_on_a_line_with_emoji():
    line = "x😀y😀z"
    for index in range(len(line) + 1):
        assert index_of_col16(line, col16(line, index)) == index
    assert [col16(line, i) for i in range(len(line) + 1)] == [0, 1, 3, 4, 6, 7]
    assert index_of_col16(line, 2) == 2  # inside a surrogate pair: the next character
    assert index_of_col16(line, 99) == len(line)


def test_spans():
    assert span_in_line(3, "😀 key", 2, 5) == Span(3, 3, 3, 6)
    assert whole_line(1, "  text  ") == Span(1, 2, 1, 6)
    assert whole_line(1, "   ") == Span(1, 0, 1, 0)
    assert Span(1, 2, 3, 4).contains(2, 0) and not Span(1, 2, 3, 4).contains(3, 5)


def test_split_lines_drops_one_carriage_return_per_line():
    assert split_lines("a\r\nb\n\r\nc\r") == ["a", "b", "", "c"]
    assert split_lines("a\rb") == ["a\rb"]
    assert split_lines("") == [""]
    assert split_lines("x\n") == ["x", ""]
    assert end_of(split_lines("a\n😀")) == Span(1, 2, 1, 2)


def test_offset_at():
    text = "ab\r\n😀c\nlast"
    assert offset_at(text, 0, 2) == 2
    assert offset_at(text, 0, 9) == 2  # clamped before the line ending
    assert offset_at(text, 1, 2) == text.index("c")
    assert offset_at(text, 2, 4) == len(text)
    assert offset_at(text, 7, 0) == len(text)
