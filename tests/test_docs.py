"""The documentation in `docs/` and the README stay true to the code.

Every diagnostic code has a section in docs/codes.md with an example (diagnostics link to it through
`codeDescription.href`), the README's code table is the `CODES` table, and every relative link in the
documentation reaches an existing file and heading.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crew_lsp.checks.codes import CODES, doc_url

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.glob("*.md")) + [README]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HTML_ID = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def rendered(page: Path) -> str:
    """The page's markdown without HTML comments (GitHub renders nothing inside them)."""
    return _HTML_COMMENT.sub("", page.read_text(encoding="utf-8"))


def _outside_fences(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces become `-`."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in _outside_fences(rendered(page)):
        found.update(_HTML_ID.findall(line))
        m = _HEADING.match(line)
        if m:
            slug = github_slug(m.group(2))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def code_sections() -> dict[str, str]:
    """`## CREWnnn` section of docs/codes.md → its text."""
    text = rendered(DOCS / "codes.md")
    parts = re.split(r"^## (CREW\d{3})\b.*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_section_with_a_wrong_example_and_a_fix(code: str) -> None:
    section = code_sections().get(code)
    assert section is not None, f"docs/codes.md has no `## {code}` section"
    assert "```" in section, f"{code}: the section shows no example"
    assert re.search(r"\*\*Fix", section), f"{code}: the section says no fix"


def test_codes_page_documents_no_code_that_does_not_exist() -> None:
    assert sorted(code_sections()) == sorted(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_diagnostic_links_point_at_the_code_section(code: str) -> None:
    url = doc_url(code)
    assert url.endswith(f"/docs/codes.md#{code.lower()}")
    assert code.lower() in anchors(DOCS / "codes.md")


def readme_code_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(?:<a id=\"[^\"]*\"></a>)?\[?`(CREW\d{3})`\]?(?:\([^)]*\))?\s*\|\s*(\w+)\s*\|\s*(.*?)\s*\|$", line)
        if m:
            rows.append(m.groups())
    return rows


def test_readme_code_table_is_the_code_table() -> None:
    expected = [(code, severity.label, title) for code, (severity, title) in CODES.items()]
    assert readme_code_rows() == expected


def relative_links(page: Path) -> list[str]:
    links = []
    for line in _outside_fences(rendered(page)):
        line = re.sub(r"`[^`]*`", "", line)  # code spans hold no links
        for target in _LINK.findall(line):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: …
                links.append(target)
    return links


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_reach_an_existing_file_and_heading(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        if not dest.exists():
            broken.append(f"{target}: no file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


def test_the_docs_index_lists_every_page() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not list {page.name}"
