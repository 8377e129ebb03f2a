"""Document symbols (frontmatter fields, roles, steps with their metadata) and workspace symbols."""

from __future__ import annotations

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


def _matches(query: str, name: str) -> tuple[int, int] | None:
    """A rank (lower is better) when ``query`` is a case-insensitive substring or subsequence of ``name``."""
    if not query:
        return (0, 0)
    q, n = query.lower(), name.lower()
    if n == q:
        return (0, 0)
    if n.startswith(q):
        return (1, 0)
    if q in n:
        return (2, n.index(q))
    i = first = 0
    for k, ch in enumerate(n):
        if i < len(q) and ch == q[i]:
            if i == 0:
                first = k
            i += 1
            if i == len(q):
                return (3 if first == 0 else 4, k - first)  # a tighter match ranks higher
    return None


def workspace_symbols(snap: Snapshot, query: str) -> list[WorkspaceSymbol]:
    found: list[tuple[tuple[int, int], str, str, WorkspaceSymbol]] = []
    for res in snap.resources.values():
        if res.kind not in _KINDS:
            continue
        rank = _matches(query.strip(), res.name)
        if rank is None:
            continue
        found.append((rank, res.name.lower(), res.path, WorkspaceSymbol(res.name, res.kind, res.scope, Location(res.path, name_span(res)))))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found]
