"""Code actions: every fix a diagnostic carries in `data["fixes"]`, and `source.fixAll.crew`."""

from __future__ import annotations

from typing import Any

from crew_lsp.checks.diagnostic import Diagnostic
from crew_lsp.language.types import Action, TextEdit, WorkspaceEdit
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import Span

QUICKFIX = "quickfix"
FIX_ALL = "source.fixAll.crew"


def _wanted(kind: str, only: list[str] | None) -> bool:
    """LSP `only` semantics: a requested kind covers itself and its sub-kinds."""
    if only is None:
        return True
    return any(kind == o or kind.startswith(o + ".") for o in only)


def _overlaps(a: Span, b: Span) -> bool:
    return (a.line, a.start) <= (b.end_line, b.end) and (b.line, b.start) <= (a.end_line, a.end)


def _fixes(d: Diagnostic) -> list[dict[str, Any]]:
    fixes = (d.data or {}).get("fixes")
    return [f for f in fixes if isinstance(f, dict)] if isinstance(fixes, list) else []


def _edits(raw: list) -> list[TextEdit]:
    return [TextEdit(Span(int(e[0]), int(e[1]), int(e[2]), int(e[3])), str(e[4])) for e in raw]


def _action(res: Resource, d: Diagnostic, f: dict[str, Any]) -> Action | None:
    edit = WorkspaceEdit()
    if "create" in f:
        c = f["create"]
        edit.creates.append((str(c["path"]), str(c.get("text", ""))))
    if f.get("edits"):
        edit.changes[res.path] = _edits(f["edits"])
    if not edit.creates and not edit.changes:
        return None
    return Action(str(f.get("title", "Fix")), QUICKFIX, edit, [d.code], bool(f.get("isPreferred")))


def code_actions(res: Resource, snap: Snapshot, diagnostics: list[Diagnostic], span: Span, only: list[str] | None) -> list[Action]:
    out: list[Action] = []
    if _wanted(QUICKFIX, only):
        seen: set[tuple] = set()
        for d in diagnostics:
            if not _overlaps(d.span, span):
                continue
            for f in _fixes(d):
                action = _action(res, d, f)
                if action is None:
                    continue
                key = (action.title, tuple((e.span, e.new_text) for e in action.edit.changes.get(res.path, [])), tuple(action.edit.creates))
                if key in seen:
                    continue  # the same fix offered by two diagnostics (e.g. both ends of a duplicate)
                seen.add(key)
                out.append(action)
    if only is not None and _wanted(FIX_ALL, only):
        action = fix_all(res, snap, diagnostics)
        if action is not None:
            out.append(action)
    return out


def _chosen_fix(d: Diagnostic) -> list[TextEdit] | None:
    fixes = [f for f in _fixes(d) if f.get("edits") and "create" not in f]
    preferred = [f for f in fixes if f.get("isPreferred")]
    if preferred:
        return _edits(preferred[0]["edits"])
    if len(_fixes(d)) == 1 and len(fixes) == 1:
        return _edits(fixes[0]["edits"])
    return None


def _conflict(a: TextEdit, b: TextEdit) -> bool:
    sa, sb = a.span, b.span
    a0, a1 = (sa.line, sa.start), (sa.end_line, sa.end)
    b0, b1 = (sb.line, sb.start), (sb.end_line, sb.end)
    if a0 == a1 or b0 == b1:
        # an insertion conflicts with another insertion at its point, or with a range it touches
        # (the order of the two would be undefined)
        return b0 <= a0 <= b1 if a0 == a1 else a0 <= b0 <= a1
    return a0 < b1 and b0 < a1


def fix_all(res: Resource, snap: Snapshot, diagnostics: list[Diagnostic]) -> Action | None:
    """Every diagnostic's preferred (or only) edit fix, skipping any that would overlap one already taken."""
    taken: list[TextEdit] = []
    codes: list[str] = []
    for d in sorted(diagnostics, key=lambda d: (d.span.line, d.span.start, d.code)):
        edits = _chosen_fix(d)
        if not edits:
            continue
        fresh = [e for e in edits if not any(t.span == e.span and t.new_text == e.new_text for t in taken)]
        if any(_conflict(e, t) for e in fresh for t in taken):
            continue
        taken += fresh
        if d.code not in codes:
            codes.append(d.code)
    if not taken:
        return None
    taken.sort(key=lambda e: (e.span.line, e.span.start, e.span.end_line, e.span.end))
    return Action("Fix all crew problems", FIX_ALL, WorkspaceEdit({res.path: taken}), codes, False)
