"""The metric line grammar (docs/runs.md, Metric lines): what counts as `CREW_METRIC name=value`."""

from __future__ import annotations

import pytest

from crew_lsp.engine.metric_lines import format_metrics, parse_metric_line, split_metric_lines


@pytest.mark.parametrize(("line", "expected"), [
    ("CREW_METRIC coverage=81.5", ("coverage", 81.5)),
    ("CREW_METRIC tests=42", ("tests", 42.0)),
    ("CREW_METRIC\tp95_ms=12", ("p95_ms", 12.0)),  # a tab separates too
    ("CREW_METRIC   x=1", ("x", 1.0)),  # several blanks
    ("CREW_METRIC 2xx=7", ("2xx", 7.0)),  # a name may start with a digit
    ("CREW_METRIC delta=-3", ("delta", -3.0)),
    ("CREW_METRIC gain=+7", ("gain", 7.0)),
    ("CREW_METRIC half=.5", ("half", 0.5)),
    ("CREW_METRIC whole=7.", ("whole", 7.0)),
    ("CREW_METRIC big=1e3", ("big", 1000.0)),
    ("CREW_METRIC small=2.5E-3", ("small", 0.0025)),
    ("CREW_METRIC crlf=3\r", ("crlf", 3.0)),  # CRLF output: the \r is dropped
])
def test_a_metric_line_gives_its_name_and_decimal_value(line, expected):
    assert parse_metric_line(line) == expected


@pytest.mark.parametrize("line", [
    "crew_metric x=1",  # case-sensitive
    " CREW_METRIC x=1",  # nothing in front
    "log: CREW_METRIC x=1",
    "CREW_METRICx=1",  # a blank after the marker
    "CREW_METRIC x=1 ",  # nothing after the value
    "CREW_METRIC x=1 ms",
    "CREW_METRIC x = 1",
    "CREW_METRIC x=",
    "CREW_METRIC =1",
    "CREW_METRIC a-b=1",  # letters, digits and _ only
    "CREW_METRIC naïve=1",
    "CREW_METRIC x=0x10",  # decimals only
    "CREW_METRIC x=0b11",
    "CREW_METRIC x=1_000",
    "CREW_METRIC x=12ms",
    "CREW_METRIC x=Infinity",
    "CREW_METRIC x=NaN",
    "CREW_METRIC x=1e999",  # not finite
    "CREW_METRIC x=١٢",  # Arabic-Indic digits are not ASCII decimals
    "CREW_METRIC x=1\r\r",  # one \r only
    "CREW_METRIC " + "n" * 65 + "=1",  # names are at most 64 characters
    "CREW_METRIC x=" + "1" * 300,  # a line past the length bound is output
])
def test_anything_else_is_ordinary_output(line):
    assert parse_metric_line(line) is None


def test_a_64_character_name_is_accepted():
    assert parse_metric_line("CREW_METRIC " + "n" * 64 + "=1") == ("n" * 64, 1.0)


@pytest.mark.parametrize("name", ["api_key", "GITHUB_TOKEN", "db_password", "ghp_" + "a" * 36])
def test_a_name_that_reads_as_a_secret_is_dropped(name):
    assert parse_metric_line(f"CREW_METRIC {name}=1") is None


def test_token_counts_are_not_secrets():
    assert parse_metric_line("CREW_METRIC total_tokens=1200") == ("total_tokens", 1200.0)


def test_split_removes_metric_lines_and_the_last_value_wins():
    text = "Done.\nCREW_METRIC tests=40\nAll green.\nCREW_METRIC tests=42\r\nCREW_METRIC x=NaN\n"
    rest, metrics = split_metric_lines(text)
    assert rest == "Done.\nAll green.\nCREW_METRIC x=NaN\n"  # a malformed line stays in the text
    assert metrics == {"tests": 42.0}


def test_text_without_the_marker_is_returned_as_it_is():
    text = "no metrics here\n"
    assert split_metric_lines(text) == (text, {})


def test_metrics_are_shown_as_name_equals_value_whole_numbers_without_a_fraction():
    assert format_metrics({"tests": 42.0, "coverage": 81.5, "rows": 1234567.0}) == "tests=42 coverage=81.5 rows=1234567"
    assert format_metrics(None) == ""
