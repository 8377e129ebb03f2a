"""Helpers for checker tests: build workspaces, run the checker like `crew-lsp check`, apply quick fixes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crew_lsp.checks import check_resource
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


def check(root: Path) -> list[Found]:
    """Diagnostics of the project files of ``root``, as `crew-lsp check root` reports them, and of the
    user config files of its `home/` (checked against the workspace, as the editor checks an open one)."""
    base = root.resolve()
    out = []
    for path, d in collect([str(base)]) + _user_configs(base):
        rel = Path(path).relative_to(base).as_posix()
        out.append(Found(rel, d.span.as_list(), d.code, d.severity.label, d.message, d))
    return sorted(out, key=lambda f: (f.path, f.range, f.code))


def _user_configs(base: Path) -> list[tuple[str, Diagnostic]]:
    if not (base / "home").is_dir():
        return []
    snap = Index.load(Workspace.discover(base)).snapshot
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
