"""Completion in a JSON config file: keys and values from the config model, agent names in overrides."""

from __future__ import annotations

import json
import re

from crew_lsp.language.info import agent_markdown
from crew_lsp.language.locate import choice_escape
from crew_lsp.language.types import CompletionItem
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import index_of_col16, span_in_line, split_lines


class _Frame:
    __slots__ = ("kind", "key", "expect", "keys")

    def __init__(self, kind: str):
        self.kind = kind  # "{" | "["
        self.key: str | None = None
        self.expect = "key"
        self.keys: set[str] = set()


def _json_context(text: str, offset: int) -> tuple[list[_Frame], int | None]:
    """The open containers at ``offset`` and, when the cursor is inside a string, its opening quote."""
    stack: list[_Frame] = []
    last: str | None = None
    i = 0
    while i < offset:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < offset and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= offset:
                return stack, i
            if stack and stack[-1].kind == "{" and stack[-1].expect == "key":
                last = text[i + 1 : j]
            i = j + 1
            continue
        if c in "{[":
            stack.append(_Frame(c))
        elif c in "}]":
            if stack:
                stack.pop()
        elif c == ":" and stack and stack[-1].kind == "{":
            stack[-1].key = last
            stack[-1].expect = "value"
            if last is not None:
                stack[-1].keys.add(last)
        elif c == "," and stack and stack[-1].kind == "{":
            stack[-1].expect = "key"
            stack[-1].key = None
        i += 1
    return stack, None


def complete_config(res: Resource, snap: Snapshot, line: int, character: int, snippets: bool) -> list[CompletionItem]:
    from crew_lsp.language import configinfo as ci

    lines = split_lines(res.text)
    if not 0 <= line < len(lines):
        return []
    text = lines[line]
    idx = index_of_col16(text, character)
    offset = sum(len(ln) + 1 for ln in lines[:line]) + idx
    flat = "\n".join(lines)
    stack, quote = _json_context(flat, offset)
    if not stack:
        return []
    top = stack[-1]
    path = tuple((f.key or "") if f.kind == "{" else "[]" for f in stack[:-1])
    line_start = offset - idx
    if quote is not None:
        a = quote - line_start
        b = idx
        while b < len(text) and text[b] not in '"\n':
            b += 1
        if b < len(text) and text[b] == '"':
            b += 1
    else:
        a = idx
        while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "-_."):
            a -= 1
        b = idx
        while b < len(text) and (text[b].isalnum() or text[b] in "-_."):
            b += 1
    a = max(a, 0)
    replace = span_in_line(line, text, a, b)
    if top.kind == "{" and top.expect == "key":
        ann = ci.annotation_at(path)
        model = ci.container_model(ann) if ann is not None else None
        present = set(top.keys) | _keys_after(flat, offset)
        has_colon = bool(re.match(r'[^"\n]*"?\s*:', text[idx:])) if quote is not None else bool(re.match(r"\s*:", text[b:]))
        if model is None:
            if path == ("agents", "overrides"):  # a map keyed by agent name
                return [CompletionItem(r.name, "agent", f"({r.scope}) {r.model.description}", agent_markdown(r),  # type: ignore[union-attr]
                                       json.dumps(r.name) if has_colon else json.dumps(r.name) + (": {$0}" if snippets else ": {}"),
                                       snippets and not has_colon, replace)
                        for r in sorted(snap.agents.values(), key=lambda r: r.name) if r.name not in present]
            return []
        items = []
        prefix = ".".join(k for k in path if k != "[]")
        for i, f in enumerate(ci.fields_of(model, prefix + "." if prefix else "")):
            if f.name in present:
                continue
            insert = json.dumps(f.name) if has_colon else json.dumps(f.name) + ": " + _json_skeleton(f.annotation, snippets)
            items.append(CompletionItem(f.name, "key", ci.describe(f.annotation), ci.markdown(path + (f.name,), f), insert,
                                        snippets and not has_colon, replace, f"{i:02d}"))
        return items
    value_path = path + ((top.key or "",) if top.kind == "{" else ("[]",))
    ann = ci.annotation_at(value_path)
    if ann is None:
        return []
    out = []
    for v in ci.literal_values(ann):
        label = json.dumps(v)
        out.append(CompletionItem(label, "value", ci.describe(ann), "", label, False, replace, f"{len(out):02d}"))
    return out


def _keys_after(text: str, offset: int) -> set[str]:
    """Keys of the current object written after the cursor (same nesting level)."""
    keys: set[str] = set()
    depth = 0
    i = offset
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if depth == 0 and text[j + 1 : j + 40].lstrip().startswith(":"):
                keys.add(text[i + 1 : j])
            i = j + 1
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return keys


def _json_skeleton(ann, snippets: bool) -> str:
    from crew_lsp.language import configinfo as ci

    values = ci.literal_values(ann)
    if ann is bool or (values and all(isinstance(v, bool) for v in values)):
        return "${1|true,false|}" if snippets else "false"
    if values:
        choices = ",".join(choice_escape(json.dumps(v)) for v in values)
        return f"${{1|{choices}|}}" if snippets else json.dumps(values[0])
    desc = ci.describe(ann)
    if desc.startswith(("object", "list")) or ci.container_model(ann) is not None:
        opener = "{" if not desc.startswith("list") else "["
        closer = "}" if opener == "{" else "]"
        return f"{opener}$0{closer}" if snippets else f"{opener}{closer}"
    if desc == "string" or desc == "URL":
        return '"$1"' if snippets else '""'
    return "$1" if snippets else ""
