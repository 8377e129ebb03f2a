"""Helpers for checker tests: build workspaces, run the checker like `crew-lsp check`, apply quick fixes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from crew_lsp.checks import check_resource
from crew_lsp.checks.codes import CODES
from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.report import collect
from crew_lsp.resources.discovery import Workspace
from crew_lsp.resources.index import Index
from crew_lsp.resources.text import offset_at


@dataclass
class Found:
    """One reported diagnostic, keyed the way golden files state it."""

    path: str  # relative to the workspace folder, with `/`
    range: list[int]
    code: str
    severity: str
    message: str
    diag: Diagnostic

    @property
    def first_fix(self) -> dict | None:
        fixes = (self.diag.data or {}).get("fixes") or []
        return fixes[0] if fixes else None

    @property
    def key(self) -> tuple:
        return (self.path, tuple(self.range), self.code, self.severity)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` byte for byte (no newline translation)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (root / ".crew").mkdir(exist_ok=True)  # stops the repo-root walk at the workspace
    return root


def use_home(root: Path, monkeypatch) -> None:
    """A workspace's `home/` folder, when present, is the user root's home (PI_TEAMS_HOME)."""
    if (root / "home").is_dir():
        monkeypatch.setenv("PI_TEAMS_HOME", str(root / "home"))


def check(root: Path, pi_crew_version: str | None = None) -> list[Found]:
    """Diagnostics of the project files of ``root``, as `crew-lsp check root [--pi-crew-version V]` reports
    them, and of the user config files of its `home/` (checked against the workspace, as the editor
    checks an open one)."""
    base = root.resolve()
    out = []
    for path, d in collect([str(base)], pi_crew_version) + _user_configs(base, pi_crew_version):
        rel = Path(path).relative_to(base).as_posix()
        out.append(Found(rel, d.span.as_list(), d.code, d.severity.label, d.message, d))
    return sorted(out, key=lambda f: (f.path, f.range, f.code))


def _user_configs(base: Path, pi_crew_version: str | None) -> list[tuple[str, Diagnostic]]:
    if not (base / "home").is_dir():
        return []
    snap = Index.load(Workspace.discover(base, pi_crew_version=pi_crew_version)).snapshot
    home = str(base / "home")
    return [(res.path, d) for res in snap.configs if res.scope == "user" and res.path.startswith(home)
            for d in check_resource(res, snap)]


def codes(found: list[Found], path: str | None = None) -> list[str]:
    return sorted(f.code for f in found if path is None or f.path == path)


def apply_edits(text: str, edits: list[list]) -> str:
    """Apply LSP-style edits ``[line, char, endLine, endChar, newText]`` (UTF-16 columns) to ``text``."""
    spans = [(offset_at(text, e[0], e[1]), offset_at(text, e[2], e[3]), e[4]) for e in edits]
    for start, end, new in sorted(spans, key=lambda s: s[0], reverse=True):
        text = text[:start] + new + text[end:]
    return text


def apply_fix(root: Path, rel: str, fix: dict) -> None:
    """Apply one quick fix (text edits in ``rel``, or a file creation) to the workspace on disk."""
    if "create" in fix:
        path = Path(fix["create"]["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fix["create"]["text"], encoding="utf-8")
        return
    path = root / rel
    text = path.read_bytes().decode("utf-8")
    path.write_bytes(apply_edits(text, fix["edits"]).encode("utf-8"))


def want_key(p) -> tuple:
    """A pinned marker's identity, comparable with `Found.key`."""
    return (p.want.path, tuple(p.range), p.want.code, p.want.severity or CODES[p.want.code][0].label)


def as_markers(found: list[Found], root: Path) -> str:
    """What the checker reports, written as markers: the lines a fixture would need."""
    from wantmarkers import format_body, locate

    out = []
    for f in found:
        at, within = locate((root / f.path).read_bytes().decode("utf-8"), f.range)
        fix = f.first_fix["title"] if f.first_fix else None
        severity = None if f.severity == CODES[f.code][0].label else f.severity
        out.append(f"{f.path}:{f.range[0] + 1}: want {format_body(f.code, severity, at, within, [f.message], fix)}")
    return "\n".join(out)


def assert_reports_the_markers(found: list[Found], pinned: list, root: Path) -> None:
    """The checker reports exactly the pinned markers: code, range and severity, the message fragments
    each marker quotes, and the first quick fix's title (or no fix when the marker states none)."""
    assert sorted(f.key for f in found) == sorted(want_key(p) for p in pinned), "the checker reports:\n" + as_markers(found, root)
    by_key: dict[tuple, list[Found]] = defaultdict(list)
    for f in found:
        by_key[f.key].append(f)
    for p in pinned:
        f = by_key[want_key(p)].pop(0)
        where = f"{p.want.path}:{p.want.line + 1} {p.want.code}"
        for fragment in p.want.fragments:
            assert fragment in f.message, (where, f.message)
        if p.want.fix is None:
            assert f.first_fix is None, (where, "offers a fix the marker does not state", f.first_fix)
        else:
            assert f.first_fix is not None and p.want.fix in f.first_fix["title"], (where, f.first_fix)
