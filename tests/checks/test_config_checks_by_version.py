"""Config as later pi-crew versions read it: keys added, ranges changed, both project files sanitised.

`golden_config_versions/<case>/` are workspaces written like `golden/` (sidecar markers: golden/README.md),
checked with pi-crew 0.10.1's config rules (`check_config(ctx, config_rules(...))`), which a
version-aware reading turns on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checkutil import Found
from wantmarkers import materialise

from crew_lsp.checks.codes import CODES
from crew_lsp.checks.config import check_config
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import finish
from crew_lsp.resources.config_versions import config_rules
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index

GOLDEN = Path(__file__).parent / "golden_config_versions"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def check_config_files(root: Path, version: tuple[int, int, int] | None) -> list[Found]:
    base = root.resolve()
    snap = Index.load(Workspace.discover(str(base))).snapshot
    out = []
    for path, res in snap.resources.items():
        if res.kind != "config" or not path.startswith(str(base)):
            continue
        ctx = Ctx(res, snap)
        check_config(ctx, None if version is None else config_rules(version))
        rel = Path(path).relative_to(base).as_posix()
        out += [Found(rel, d.span.as_list(), d.code, d.severity.label, d.message, d) for d in finish(ctx.diags, "", None)]
    return sorted(out, key=lambda f: (f.path, f.range, f.code))


@pytest.mark.parametrize("case", CASES)
def test_config_as_0_10_reads_it(case: str, tmp_path: Path):
    root, pinned = materialise(GOLDEN / case, tmp_path / "ws")
    found = check_config_files(root, (0, 10, 1))
    expected = sorted((p.want.path, tuple(p.range), p.want.code, p.want.severity or CODES[p.want.code][0].label) for p in pinned)
    assert sorted(f.key for f in found) == expected, [(f.path, f.range, f.code, f.message) for f in found]
    for p in pinned:
        f = next(f for f in found if f.key[:3] == (p.want.path, tuple(p.range), p.want.code))
        assert all(piece in f.message for piece in p.want.fragments), (p.want.fragments, f.message)


def test_the_keys_added_since_0_2_are_unknown_to_0_2(tmp_path: Path):
    root, _ = materialise(GOLDEN / "keys-and-ranges", tmp_path / "ws")
    unknown = {f.message.split("`")[1] for f in check_config_files(root, (0, 2, 0)) if f.code == "CREW502"}
    assert unknown == {"taskTimeoutMs", "yield", "modelFallback", "serializeOnPathOverlap", "longRunningMinutes", "broker", "nesting",
                       "scopeModels", "maxTotalSpawns"}


def test_v0_2_rules_check_exactly_as_without_rules(tmp_path: Path):
    for case in CASES:
        root, _ = materialise(GOLDEN / case, tmp_path / case)
        assert [f.key + (f.message,) for f in check_config_files(root, (0, 2, 0))] == [f.key + (f.message,) for f in check_config_files(root, None)]


def test_a_project_may_tighten_a_guard_but_not_loosen_it_from_0_10_1():
    rules, before = config_rules((0, 10, 1)), config_rules((0, 10, 0))
    assert rules.is_sanitised("broker.enabled", False) and not rules.is_sanitised("broker.enabled", True)
    assert rules.is_sanitised("runtime.effectivenessGuard", "off") and not rules.is_sanitised("runtime.effectivenessGuard", "warn")
    assert not rules.is_sanitised("limits.allowUnboundedConcurrency", 1)  # only the JSON `true`
    assert not before.is_sanitised("broker.enabled", False)
