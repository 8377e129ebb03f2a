"""SKILL.md as a YAML-reading skill listing (pi-crew 0.9.8 on) sees it: golden fixtures and rules.

`golden_skill_listing/<case>/` are workspaces written like `golden/` (markers: golden/README.md); every
skill in them is checked with the YAML listing's rules (`check_skill(ctx, yaml_listing=True)`), which a
version-aware reading turns on. The examples are the ones pi-crew 0.10 drops from its listing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from checkutil import Found, apply_fix, assert_reports_the_markers, want_key
from wantmarkers import materialise, read_wants

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import finish
from crew_lsp.checks.skills import check_skill
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index

GOLDEN = Path(__file__).parent / "golden_skill_listing"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
LISTING_CODES = ("CREW140", "CREW141", "CREW142", "CREW143", "CREW144", "CREW145", "CREW146")


def check_as_yaml_listing(root: Path) -> list[Found]:
    """Every skill of the workspace checked with the YAML listing's rules, as `crew-lsp check` would list them."""
    base = root.resolve()
    snap = Index.load(Workspace.discover(str(base))).snapshot
    out = []
    for path, res in snap.resources.items():
        if res.kind != "skill" or res.scope != "project":
            continue
        ctx = Ctx(res, snap)
        check_skill(ctx, yaml_listing=True)
        rel = Path(path).relative_to(base).as_posix()
        out += [Found(rel, d.span.as_list(), d.code, d.severity.label, d.message, d) for d in finish(ctx.diags, res.text, None)]
    return sorted(out, key=lambda f: (f.path, f.range, f.code))


def test_every_listing_code_has_a_fixture():
    wanted = {w.code for case in CASES for w in read_wants(GOLDEN / case)}
    assert [c for c in LISTING_CODES if c not in wanted] == []


@pytest.mark.parametrize("case", CASES)
def test_skill_listing_golden(case: str, tmp_path: Path):
    root, pinned = materialise(GOLDEN / case, tmp_path / "ws")
    found = check_as_yaml_listing(root)
    assert_reports_the_markers(found, pinned, root)


@pytest.mark.parametrize("case", [c for c in CASES if any(w.fix for w in read_wants(GOLDEN / c))])
def test_skill_listing_fix_removes_the_code(case: str, tmp_path: Path):
    """A fix makes its diagnostic go away and brings no new warning or error into the file. (Quoting a
    value YAML refuses unquoted brings the CREW145 information: the prompt header shows the quotes.)"""
    for n, want in enumerate(read_wants(GOLDEN / case)):
        if want.fix is None:
            continue
        root, pinned = materialise(GOLDEN / case, tmp_path / f"fix{n}")
        p = pinned[n]
        before = check_as_yaml_listing(root)
        target = next(f for f in before if f.key == want_key(p))
        apply_fix(root, p.want.path, target.first_fix)
        after = check_as_yaml_listing(root)
        assert [f.message for f in after if f.path == p.want.path and f.code == p.want.code] == [], (p.want.path, p.want.code)
        known = {f.code for f in before if f.path == p.want.path}
        assert not [f.message for f in after if f.path == p.want.path and f.code not in known and f.severity != "information"], p.want.path


def test_line_reader_behaviour_is_unchanged_without_the_yaml_listing(tmp_path: Path):
    """`check_skill` without `yaml_listing` is today's reading: no listing code for the same files."""
    root, _ = materialise(GOLDEN / "dropped", tmp_path / "ws")
    snap = Index.load(Workspace.discover(str(root.resolve()))).snapshot
    codes = set()
    for res in snap.resources.values():
        if res.kind == "skill" and res.scope == "project":
            ctx = Ctx(res, snap)
            check_skill(ctx)
            codes |= {d.code for d in ctx.diags}
    assert not codes & set(LISTING_CODES)


def test_fix_ranges_count_utf16_units_on_lines_with_astral_characters(tmp_path: Path):
    skill = tmp_path / "skills" / "emoji" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text('---\nname: emoji\ndescription: "\U0001f600 tidy"\nnote: see 😀: here\n---\nBody.\n', encoding="utf-8")
    (tmp_path / ".crew").mkdir()
    found = {f.code: f for f in check_as_yaml_listing(tmp_path)}
    assert found["CREW140"].range == [3, 12, 3, 13]  # the second `:`, after an emoji of two UTF-16 units
    apply_fix(tmp_path, "skills/emoji/SKILL.md", found["CREW140"].first_fix)
    assert skill.read_text(encoding="utf-8").splitlines()[3] == 'note: "see 😀: here"'
    unquoted = {f.code: f for f in check_as_yaml_listing(tmp_path)}["CREW145"]
    apply_fix(tmp_path, "skills/emoji/SKILL.md", unquoted.first_fix)
    assert skill.read_text(encoding="utf-8").splitlines()[2] == "description: \U0001f600 tidy"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("ab:- \t\n\"'>|[]{}#&*!") + ["é", "\U0001f600", "\u2028"]), max_size=60))
def test_any_skill_file_gets_diagnostics_with_working_fixes_and_no_crash(tmp_path: Path, frontmatter: str):
    skill = tmp_path / "skills" / "any" / "SKILL.md"
    skill.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / ".crew").mkdir(exist_ok=True)
    skill.write_text(f"---\nname: any\n{frontmatter}\n---\nBody.\n", encoding="utf-8")
    for found in check_as_yaml_listing(tmp_path):
        if found.first_fix is not None:
            text = skill.read_text(encoding="utf-8")
            apply_fix(tmp_path, "skills/any/SKILL.md", found.first_fix)
            skill.write_text(text, encoding="utf-8")
