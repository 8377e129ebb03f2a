"""Document symbols (frontmatter fields, roles, steps with their metadata) and workspace symbols."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable

from crew_lsp.language.locate import name_span
from crew_lsp.language.types import Location, Symbol, WorkspaceSymbol
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import Span, utf16_len

_KINDS = ("agent", "team", "workflow", "skill")


def _join(a: Span, b: Span) -> Span:
    return Span(a.line, a.start, b.end_line, b.end)


def document_symbols(res: Resource) -> list[Symbol]:
    if res.kind == "config":
        return _config_symbols(res)
    doc = res.doc
    if doc is None:
        return []
    out: list[Symbol] = []
    for entry in doc.frontmatter.entries:
        span = _join(entry.key_span, entry.value_span) if entry.value else entry.key_span
        out.append(Symbol(entry.key, "field", span, entry.key_span, entry.value))
    if res.kind == "team":
        for role in res.model.roles:  # type: ignore[union-attr]
            detail = f"agent={role.agent}" + (f" {role.description}" if role.description else "")
            out.append(Symbol(role.name, "role", role.line_span, role.name_span, detail))
    elif res.kind == "workflow":
        lines = doc.lines
        for step in res.model.steps:  # type: ignore[union-attr]
            last = step.end_line - 1
            while last > step.id_line and not lines[last].strip():
                last -= 1
            full = Span(step.heading_line, 0, last, utf16_len(lines[last]))
            children = [Symbol(m.key, "field", _join(m.key_span, m.value_span) if m.value else m.key_span, m.key_span, m.value)
                        for m in step.meta_entries]
            out.append(Symbol(step.id, "step", full, step.id_span, f"{step.task_id} · role {step.role}", children))
    return out


def _config_symbols(res: Resource) -> list[Symbol]:
    from crew_lsp.resources.jsonpos import ObjectNode

    node = res.model.node  # type: ignore[union-attr]

    def walk(obj: ObjectNode) -> list[Symbol]:
        out = []
        for m in obj.members:
            children = walk(m.node) if isinstance(m.node, ObjectNode) else []
            detail = "" if isinstance(m.node.value, (dict, list)) else str(m.node.value)
            out.append(Symbol(m.key, "field", _join(m.key_span, m.node.span), m.key_span, detail, children))
        return out

    return walk(node) if isinstance(node, ObjectNode) else []


def _matcher(query: str) -> Callable[[str], tuple[int, int] | None]:
    """For one query, a name's rank (lower is better) when ``query`` is a case-insensitive substring or
    subsequence of it, else None. The subsequence test is one regular expression (`a.*?b.*?c`: its
    leftmost match starts at the first `a` and ends at the earliest completion, the span the rank
    measures)."""
    q = query.lower()
    if not q:
        return lambda name: (0, 0)
    search = re.compile(".*?".join(map(re.escape, q)), re.DOTALL).search

    def rank(name: str) -> tuple[int, int] | None:
        n = name.lower()
        if n == q:
            return (0, 0)
        if n.startswith(q):
            return (1, 0)
        at = n.find(q)
        if at >= 0:
            return (2, at)
        found = search(n)
        if found is None:
            return None
        first, last = found.start(), found.end() - 1
        return (3 if first == 0 else 4, last - first)  # a tighter match ranks higher

    return rank


WORKSPACE_SYMBOLS_MAX = 256  # the best matches only: a pick list shows no more, and each costs its file's parse


def workspace_symbols(snap: Snapshot, query: str, limit: int = WORKSPACE_SYMBOLS_MAX) -> list[WorkspaceSymbol]:
    """The resources whose name matches ``query``, best first, at most ``limit``. Only those are located
    (the name's span needs the file parsed: in a compacted index of 50,000 files, a short query matches
    thousands)."""
    found: list[tuple[tuple[int, int], str, str, Resource]] = []
    matches = _matcher(query.strip())
    for res in snap.resources.values():
        if res.kind not in _KINDS:
            continue
        rank = matches(res.name)
        if rank is not None:
            found.append((rank, res.name.lower(), res.path, res))
    best = heapq.nsmallest(limit, found, key=lambda t: t[:3]) if len(found) > limit else sorted(found, key=lambda t: t[:3])
    return [WorkspaceSymbol(res.name, res.kind, res.scope, Location(res.path, name_span(res))) for _r, _n, _p, res in best]
