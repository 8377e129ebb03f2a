"""Semantic tokens: keys, values, role-line metadata, step ids and `{goal}` (LSP relative encoding)."""

from __future__ import annotations

from crew_lsp.language.locate import CSV_KINDS, field_spec, meta_items
from crew_lsp.resources.frontmatter import csv_items
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import Span, col16
from crew_lsp.resources.versions import BASELINE, Reading

TOKEN_TYPES = ["namespace", "class", "type", "property", "string", "enumMember", "number", "keyword", "variable", "comment"]
TOKEN_MODIFIERS = ["declaration", "readonly", "defaultLibrary"]

_T = {name: i for i, name in enumerate(TOKEN_TYPES)}
DECLARATION = 1 << TOKEN_MODIFIERS.index("declaration")
_ENUM_KINDS = {"bool", "enum", "anycase", "thinking"}


class _Tokens:
    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, int, int]] = []

    def add(self, span: Span, kind: str, mods: int = 0) -> None:
        if span.line == span.end_line and span.end > span.start:
            self.items.append((span.line, span.start, span.end - span.start, _T[kind], mods))

    def text(self, line: int, raw: str, a: int, b: int, kind: str = "string") -> None:
        """A value from Python index a to b of ``raw``, with `{goal}` as a variable inside it."""
        pos = a
        while True:
            k = raw.find("{goal}", pos, b)
            if k < 0:
                break
            self._idx(line, raw, pos, k, kind)
            self._idx(line, raw, k, k + 6, "variable")
            pos = k + 6
        self._idx(line, raw, pos, b, kind)

    def _idx(self, line: int, raw: str, a: int, b: int, kind: str) -> None:
        if b > a:
            self.add(Span(line, col16(raw, a), line, col16(raw, b)), kind)

    def encode(self) -> list[int]:
        self.items.sort()
        out: list[int] = []
        prev_line = prev_start = 0
        last_end = (-1, 0)
        for line, start, length, kind, mods in self.items:
            if (line, start) < last_end:
                continue  # never overlap
            delta_line = line - prev_line
            out += [delta_line, start - prev_start if delta_line == 0 else start, length, kind, mods]
            prev_line, prev_start = line, start
            last_end = (line, start + length)
        return out


def semantic_tokens(res: Resource, reading: Reading = BASELINE) -> list[int]:
    """The tokens of ``res``, its keys and values as ``reading``'s pi-crew version reads them."""
    toks = _Tokens()
    if res.kind == "config":
        _config(res, toks)
        return toks.encode()
    doc = res.doc
    if doc is None:
        return []
    fm = doc.frontmatter
    for line in fm.comments:
        raw = doc.lines[line]
        a = len(raw) - len(raw.lstrip())
        toks._idx(line, raw, a, len(raw.rstrip()), "comment")
    for entry in fm.entries:
        toks.add(entry.key_span, "property")
        if not entry.value:
            continue
        spec = field_spec(res.kind, entry.key, reading)
        if spec is not None and spec.false_ok and entry.value == "false":
            toks.add(entry.value_span, "keyword")
        elif spec is not None and spec.kind in _ENUM_KINDS:
            toks.add(entry.value_span, "enumMember")
        elif spec is not None and spec.kind == "int":
            toks.add(entry.value_span, "number")
        elif spec is not None and spec.kind == "tools":
            for item in csv_items(entry):
                toks.add(item.span, "enumMember")
        elif spec is not None and spec.kind in CSV_KINDS:
            for item in csv_items(entry):
                toks.add(item.span, "string")
        else:
            toks.add(entry.value_span, "string")
    if res.kind == "team":
        for role in res.model.roles:  # type: ignore[union-attr]
            toks.add(role.name_span, "class", DECLARATION)
            for token in role.all_tokens:
                s = token.span
                toks.add(Span(s.line, s.start, s.line, s.start + len(token.key)), "property")
                if token.key == "agent":
                    toks.add(token.value_span, "type")
                elif token.key == "maxConcurrency":
                    toks.add(token.value_span, "number")
                elif token.key == "thinking":
                    toks.add(token.value_span, "enumMember")
                elif token.key == "skills":
                    if token.value == "false":
                        toks.add(token.value_span, "keyword")
                    for item in role.skills or []:
                        if token.value_span.start <= item.span.start < token.value_span.end:
                            toks.add(item.span, "string")
                else:
                    toks.add(token.value_span, "string")
    elif res.kind == "workflow":
        _workflow(res, toks, reading)
    return toks.encode()


def _workflow(res: Resource, toks: _Tokens, reading: Reading) -> None:
    lines = res.doc.lines  # type: ignore[union-attr]
    for step in res.model.steps:  # type: ignore[union-attr]
        toks.add(step.id_span, "namespace", DECLARATION)
        meta_lines = set()
        for meta in step.meta_entries:
            meta_lines.add(meta.line)
            toks.add(meta.key_span, "property")
            if not meta.value:
                continue
            spec = reading.step_fields.get(meta.key)
            kind = spec.kind if spec is not None else "text"
            if kind == "bool":
                toks.add(meta.value_span, "enumMember")
            elif meta.value == "false" and spec is not None and spec.false_ok:
                toks.add(meta.value_span, "keyword")
            elif meta.key == "role":
                toks.add(meta.value_span, "class")
            elif kind == "int":
                toks.add(meta.value_span, "number")
            elif meta.key == "dependsOn" or kind in CSV_KINDS:
                item_kind = "namespace" if meta.key == "dependsOn" else "string"
                for item in meta_items(meta):
                    toks.add(item.span, item_kind)
            else:
                toks.text(meta.line, meta.raw, meta.value_index, meta.value_index + len(meta.value))
        start = step.task_start_line if step.task_start_line is not None else step.end_line
        for i in range(start, step.end_line):
            raw = lines[i]
            if i not in meta_lines and "{goal}" in raw:
                pos = raw.find("{goal}")
                while pos >= 0:
                    toks._idx(i, raw, pos, pos + 6, "variable")
                    pos = raw.find("{goal}", pos + 6)


def _config(res: Resource, toks: _Tokens) -> None:
    from crew_lsp.resources.jsonpos import ArrayNode, ObjectNode

    def walk(node) -> None:
        if isinstance(node, ObjectNode):
            for m in node.members:
                toks.add(m.key_span, "property")
                walk(m.node)
        elif isinstance(node, ArrayNode):
            for child in node.items:
                walk(child)
        elif node is not None:
            v = node.value
            kind = "keyword" if v is None or isinstance(v, bool) else "number" if isinstance(v, (int, float)) else "string"
            toks.add(node.span, kind)

    walk(res.model.node)  # type: ignore[union-attr]
