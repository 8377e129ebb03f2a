"""What is at a position: one lookup shared by hover, definition, references, rename and links.

Everything here reads the parsed `Resource` (spans are UTF-16); nothing re-parses the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crew_lsp.resources.fields import FIELDS_BY_KIND, FieldSpec
from crew_lsp.resources.versions import BASELINE, Reading
from crew_lsp.resources.frontmatter import Entry, Item, csv_items, split_csv
from crew_lsp.resources.model import Resource
from crew_lsp.resources.team import Role, Team, Token
from crew_lsp.resources.text import Span, span_in_line, split_lines
from crew_lsp.resources.workflow import Meta, Step, Workflow

ORIGIN = Span(0, 0, 0, 0)
CSV_KINDS = frozenset({"csv", "models", "tools", "skills", "paths"})
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")


@dataclass(slots=True)
class At:
    """The thing under the cursor.

    kind: fm-key | fm-value | role-name | role-key | role-value | step-id | step-key | step-value |
    placeholder | config-key | config-value
    """

    kind: str
    span: Span
    text: str
    entry: Entry | None = None
    item: Item | None = None  # the CSV item under the cursor (fm-value, role-value skills, step-value)
    role: Role | None = None
    token: Token | None = None
    step: Step | None = None
    meta: Meta | None = None
    path: tuple[str, ...] = ()  # config: the keys leading to the node ("[]" for array items)


# ----------------------------------------------------------------------------------------- lines


def lines_of(res: Resource) -> list[str]:
    if res.doc is not None:
        return res.doc.lines
    return split_lines(res.text)


def line_at(res: Resource, line: int) -> str:
    lines = lines_of(res)
    return lines[line] if 0 <= line < len(lines) else ""


def field_spec(kind: str, key: str, reading: Reading = BASELINE) -> FieldSpec | None:
    """The key of a kind (`step` for workflow step keys) as ``reading``'s pi-crew version reads it."""
    if kind == "step":
        return reading.step_fields.get(key)
    return reading.fields(kind).get(key) if kind in FIELDS_BY_KIND else None


def name_span(res: Resource) -> Span:
    """Where a resource's name is written: the `name` value, else the file start."""
    if res.doc is not None:
        entry = res.doc.frontmatter.fields.get("name")
        if entry is not None and entry.value:
            return entry.value_span
    return ORIGIN


def in_frontmatter(res: Resource, line: int) -> bool:
    fm = res.doc.frontmatter if res.doc is not None else None
    return fm is not None and fm.present and fm.close_line is not None and 0 < line < fm.close_line


def entry_at_line(res: Resource, line: int) -> Entry | None:
    assert res.doc is not None
    for entry in res.doc.frontmatter.entries:
        if entry.line == line:
            return entry
    return None


def role_at_line(team: Team, line: int) -> Role | None:
    for role in team.roles:
        if role.line == line:
            return role
    return None


def step_at_line(wf: Workflow, line: int) -> Step | None:
    """The step whose section holds ``line`` (heading included)."""
    found = None
    for step in wf.steps:
        if step.heading_line <= line < max(step.end_line, step.id_line + 1):
            found = step
        elif step.heading_line > line:
            break
    return found


def meta_at_line(step: Step, line: int) -> Meta | None:
    for meta in step.meta_entries:
        if meta.line == line:
            return meta
    return None


def meta_items(meta: Meta) -> list[Item]:
    if meta.value == "false":
        return []
    return split_csv(meta.value, meta.line, meta.raw, meta.value_index)


def item_at(items: list[Item], line: int, character: int) -> Item | None:
    for item in items:
        if item.span.contains(line, character):
            return item
    return None


def placeholder_at(line_text: str, line: int, character: int) -> tuple[str, Span] | None:
    if "{" not in line_text:
        return None
    for m in PLACEHOLDER.finditer(line_text):
        span = span_in_line(line, line_text, m.start(), m.end())
        if span.contains(line, character):
            return m.group(1), span
    return None


# --------------------------------------------------------------------------------------- locate


def locate(res: Resource, line: int, character: int, reading: Reading = BASELINE) -> At | None:
    """The most specific thing at (line, character), or None; keys as ``reading``'s pi-crew version reads them."""
    if res.kind == "config":
        return _locate_config(res, line, character)
    doc = res.doc
    if doc is None or not 0 <= line < len(doc.lines):
        return None
    if in_frontmatter(res, line):
        return _locate_frontmatter(res, line, character, reading)
    if line < doc.frontmatter.body_start:
        return None
    if res.kind == "team":
        role = role_at_line(res.model, line)  # type: ignore[arg-type]
        return _locate_role(role, line, character) if role is not None else None
    if res.kind == "workflow":
        return _locate_step(res, line, character, reading)
    return None


def _locate_frontmatter(res: Resource, line: int, character: int, reading: Reading) -> At | None:
    entry = entry_at_line(res, line)
    if entry is None:
        return None
    if entry.key_span.contains(line, character):
        return At("fm-key", entry.key_span, entry.key, entry=entry)
    if entry.value_span.contains(line, character):
        spec = field_spec(res.kind, entry.key, reading)
        item = None
        if spec is not None and spec.kind in CSV_KINDS:
            item = item_at(csv_items(entry), line, character)
        return At("fm-value", entry.value_span, entry.value, entry=entry, item=item)
    return None


def _locate_role(role: Role, line: int, character: int) -> At | None:
    if role.name_span.contains(line, character):
        return At("role-name", role.name_span, role.name, role=role)
    for token in reversed(role.all_tokens):  # the winning token is the last one of its key
        if token.value_span.contains(line, character):
            item = item_at(role.skills or [], line, character) if token.key == "skills" else None
            return At("role-value", token.value_span, token.value, role=role, token=token, item=item)
        if token.span.contains(line, character):
            key_span = Span(token.span.line, token.span.start, token.span.line, token.span.start + len(token.key))
            return At("role-key", key_span, token.key, role=role, token=token)
    return None


def _locate_step(res: Resource, line: int, character: int, reading: Reading) -> At | None:
    wf: Workflow = res.model  # type: ignore[assignment]
    step = step_at_line(wf, line)
    if step is None:
        return None
    if line == step.id_line and step.id_span.contains(line, character):
        return At("step-id", step.id_span, step.id, step=step)
    meta = meta_at_line(step, line)
    if meta is not None:
        if meta.key_span.contains(line, character):
            return At("step-key", meta.key_span, meta.key, step=step, meta=meta)
        if meta.value_span.contains(line, character):
            ph = placeholder_at(meta.raw, line, character)
            if ph is not None:
                return At("placeholder", ph[1], ph[0], step=step, meta=meta)
            spec = reading.step_fields.get(meta.key)
            listed = meta.key == "dependsOn" or spec is not None and spec.kind in CSV_KINDS
            item = item_at(meta_items(meta), line, character) if listed else None
            return At("step-value", meta.value_span, meta.value, step=step, meta=meta, item=item)
        return None
    ph = placeholder_at(res.doc.lines[line], line, character)  # type: ignore[union-attr]
    if ph is not None:
        return At("placeholder", ph[1], ph[0], step=step)
    return None


def _locate_config(res: Resource, line: int, character: int) -> At | None:
    from crew_lsp.resources.jsonpos import ArrayNode, ObjectNode

    node = res.model.node  # type: ignore[union-attr]
    path: tuple[str, ...] = ()
    while node is not None:
        if isinstance(node, ObjectNode):
            nxt = None
            for m in node.members:
                if m.key_span.contains(line, character):
                    return At("config-key", m.key_span, m.key, path=path + (m.key,))
                if m.node.span.contains(line, character):
                    nxt, path = m.node, path + (m.key,)
                    break
            node = nxt
        elif isinstance(node, ArrayNode):
            nxt = None
            for child in node.items:
                if child.span.contains(line, character):
                    nxt, path = child, path + ("[]",)
                    break
            node = nxt
        else:
            if node.span.contains(line, character):
                return At("config-value", node.span, str(node.value), path=path)
            return None
    return None


# ------------------------------------------------------------------------------------ snippets


def snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def choice_escape(text: str) -> str:
    return snippet_escape(text).replace(",", "\\,").replace("|", "\\|")
