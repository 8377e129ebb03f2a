"""The workflow heading scan has a quick path for the usual file, whose only line breaks are `\\n` (or
CRLF pairs): it must find exactly what the full JavaScript-line scan finds (lone `\\r`, U+2028, U+2029)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crew_lsp.resources.frontmatter import parse_document
from crew_lsp.resources.headings import find_headings, plain_breaks
from crew_lsp.resources.workflow import parse_workflow

# Lines that exercise headings, bare headings, fences (which flip `in_fence`) and JavaScript-only spaces.
LINES = st.sampled_from([
    "", " ", "\t", "\u3000", "\ufeff", "##", "## ", "##\t", "## a", "##  b c  ", "##x", "###", "### a", " ## a", "##\u00a0d",
    "## \ufeffe", "```", "  ```", "   ~~~ js", "    ```", "~~~", "role: x", "  role: y", "dependsOn: a", "Task é 😀.", "- a: b",
    "\x1c", "## \x1c", "\x1c## f",
])
FRONTMATTER = st.sampled_from(["", "---\nname: w\n---\n", "---\nname: w\n---"])
PLAIN_DOCUMENT = st.builds(lambda fm, lines, sep: fm.replace("\n", sep) + sep.join(lines),
                           FRONTMATTER, st.lists(LINES, max_size=25), st.sampled_from(["\n", "\r\n"]))


@settings(max_examples=400, deadline=None)
@given(PLAIN_DOCUMENT)
def test_quick_heading_scan_finds_what_the_full_scan_finds(text):
    doc = parse_document(text)
    assert plain_breaks(text)
    assert find_headings(doc, True) == find_headings(doc, False)


@pytest.mark.parametrize("text", ["Intro.\r## plan\n", "a\u2028## b", "a\u2029b", "## a\r\n\rb", "## a\r"])
def test_a_lone_line_break_takes_the_full_scan(text):
    assert not plain_breaks(text)


def test_a_heading_after_a_lone_carriage_return_is_found():
    assert [s.id for s in parse_workflow(parse_document("Intro.\r## plan\nrole: x\n")).steps] == ["plan"]


def test_the_last_line_of_a_section_inside_the_first_line_is_trimmed():
    # `## a`, its section (`\rrole: x \r`) and the next heading all sit on line 0: the whole section is
    # trimmed, so its metadata line loses the `\r` that would defeat the `key: value` match.
    (a, b) = parse_workflow(parse_document("## a\rrole: x \r## b\nDo.\n")).steps
    assert (a.id, a.role, b.id, b.task) == ("a", "x", "b", "Do.")
