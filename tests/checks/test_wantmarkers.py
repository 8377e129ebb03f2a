"""The `want` marker syntax of the golden fixtures (golden/README.md): stripping keeps every other line where
it was, `at`/`in` pin a range, and a malformed marker is a clear error."""

from __future__ import annotations

import pytest
from wantmarkers import MarkerError, fixture_versions, locate, parse_body, pin, read_sidecar, strip_inline

TEAM = """---
name: typo
---
- a: agent=exector x=exector
<!-- want CREW201 at "exector" "unknown agent" fix "Change to `executor`" -->
<!-- want CREW205 warning at "exector" in "x=exector" "bad" -->
- b: agent=b
"""


def test_markers_are_removed_whole_and_point_at_the_line_above():
    stripped, wants = strip_inline(TEAM, "t.md")
    assert stripped == "---\nname: typo\n---\n- a: agent=exector x=exector\n- b: agent=b\n"
    assert [(w.line, w.code, w.severity, w.fix) for w in wants] == [
        (3, "CREW201", None, "Change to `executor`"),
        (3, "CREW205", "warning", None),
    ]


def test_at_pins_the_first_occurrence_and_in_picks_another():
    stripped, (first, second) = strip_inline(TEAM, "t.md")
    assert pin(first, stripped).range == [3, 11, 3, 18]
    assert pin(second, stripped).range == [3, 21, 3, 28]


def test_a_range_across_a_line_break_and_an_invisible_character():
    stripped, (blank,) = strip_inline('\n<!-- want CREW101 at "\\n" "blank" -->\n---\n', "b.md")
    assert pin(blank, stripped).range == [0, 0, 1, 0]
    stripped, (bom,) = strip_inline('\ufeff---\n<!-- want CREW101 at "\\ufeff" "BOM" -->\n', "b.md")
    assert pin(bom, stripped).range == [0, 0, 0, 1]


def test_columns_count_utf16_units():
    stripped, (w,) = strip_inline('- 🙂: agent=exector\n<!-- want CREW201 at "exector" "x" -->\n', "u.md")
    assert pin(w, stripped).range == [0, 12, 0, 19]


def test_crlf_and_a_final_marker_without_newline_leave_the_text_as_it_was():
    text = "## plan\r\n<!-- want CREW311 at \"## plan\" \"CRLF\" -->\r\nrole: x\r\n<!-- want CREW305 at \"role\" \"r\" -->"
    stripped, wants = strip_inline(text, "w.md")
    assert stripped == "## plan\r\nrole: x"
    assert [pin(w, stripped).range for w in wants] == [[0, 0, 0, 7], [1, 0, 1, 4]]


def test_sidecar_lines_are_keyed_by_line_number():
    (w,) = read_sidecar('# JSON cannot hold comments\nline 1: want CREW501 at "}" "Not valid JSON"\n', "c.json")
    assert pin(w, '{"a": }').range == [0, 6, 0, 7]


def test_locate_is_the_inverse_of_pin():
    text = "- a: agent=exector x=exector\n"
    assert locate(text, [0, 11, 0, 18]) == ("exector", None)
    at, within = locate(text, [0, 21, 0, 28])
    assert at == "exector" and within is not None and within.count("exector") == 1


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (' "unknown agent"', "expected a code"),
        (" CREW201 \"unknown agent\"", "expected `at"),
        (' CREW201 at "exector"', "at least one quoted piece"),
        (' CREW201 at "exector" "x" fix', "quoted string after `fix`"),
        (' CREW201 at "exector" "x" extra', "unexpected 'extra'"),
    ],
)
def test_a_malformed_marker_is_a_clear_error(body: str, complaint: str):
    with pytest.raises(MarkerError, match=complaint):
        parse_body(body, "t.md", 3)


def test_a_marker_whose_text_is_not_on_its_line_is_a_clear_error():
    stripped, (w,) = strip_inline('a\n<!-- want CREW201 at "zzz" "x" -->\n', "t.md")
    with pytest.raises(MarkerError, match="does not start on this line"):
        pin(w, stripped)


def test_an_empty_at_is_the_start_of_the_line():
    (w,) = read_sidecar('line 2: want CREW114 at "" "Not checked"\n', "blob.md")
    assert pin(w, "\x00\x01\nsecond").range == [1, 0, 1, 0]
    assert locate("\x00\x01\nsecond", [1, 0, 1, 0]) == ("", None)


VERSIONED = """---
topology: dag
<!-- want@<0.9.15 CREW107 at "topology" "not a pi-crew workflow key" -->
<!-- want@0.9.15 CREW109 at "dag" "is not one of" -->
<!-- want CREW111 at "" "No description" -->
---
"""


def test_a_version_selector_limits_a_marker_to_versions_from_or_before_it():
    _stripped, (before, since, always) = strip_inline(VERSIONED, "w.md")
    assert (before.versions, since.versions, always.versions) == ("<0.9.15", "0.9.15", None)
    assert before.applies((0, 2, 0)) and not before.applies((0, 9, 15))
    assert not since.applies((0, 9, 14)) and since.applies((0, 9, 15)) and since.applies((0, 10, 1))
    assert always.applies((0, 2, 0)) and always.applies((0, 10, 1))


def test_a_fixture_with_versioned_markers_runs_before_at_and_after_each_version():
    _stripped, wants = strip_inline(VERSIONED, "w.md")
    assert fixture_versions(wants) == [(0, 2, 0), (0, 9, 15), (0, 10, 1)]
    assert fixture_versions([w for w in wants if w.versions is None]) == [(0, 2, 0)]


def test_a_sidecar_marker_takes_a_version_selector_too():
    (want,) = read_sidecar('line 3: want@0.10 CREW502 at "\\"nesting\\"" "Unknown config key"\n', "config.json")
    assert want.versions == "0.10" and want.applies((0, 10, 1)) and not want.applies((0, 9, 64))
