"""A strict JSON reader (what ``JSON.parse`` accepts) that keeps the span of every key and value."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from crew_lsp.resources.jsonread import MAX_DEPTH, NESTED_TOO_DEEPLY
from crew_lsp.resources.text import Span, col16

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')


@dataclass(slots=True)
class Node:
    value: Any  # plain Python value (dict/list/str/...)
    span: Span


@dataclass(slots=True)
class Member:
    key: str
    key_span: Span
    node: Node


@dataclass(slots=True)
class ObjectNode(Node):
    members: list[Member] = field(default_factory=list)

    def member(self, key: str) -> Member | None:
        found = None
        for m in self.members:
            if m.key == key:
                found = m  # JSON.parse keeps the last duplicate
        return found


@dataclass(slots=True)
class ArrayNode(Node):
    items: list[Node] = field(default_factory=list)


class JsonError(ValueError):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.span = span


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.i = 0

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        end = self.text.find("\n", start)
        line_text = self.text[start : end if end >= 0 else len(self.text)]
        if line_text.endswith("\r"):
            line_text = line_text[:-1]  # part of the line break, as everywhere else (text.split_lines)
        return line, col16(line_text, min(offset - start, len(line_text)))

    def span(self, a: int, b: int) -> Span:
        la, ca = self.pos(a)
        lb, cb = self.pos(b)
        return Span(la, ca, lb, cb)

    def fail(self, message: str, at: int | None = None) -> JsonError:
        at = self.i if at is None else at
        return JsonError(message, self.span(at, min(at + 1, len(self.text))))

    def ws(self) -> None:
        self.i = _WS.match(self.text, self.i).end()

    def value(self, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(NESTED_TOO_DEEPLY)
        self.ws()
        t, i = self.text, self.i
        if i >= len(t):
            raise self.fail("unexpected end of JSON")
        ch = t[i]
        if ch == "{":
            return self.obj(depth)
        if ch == "[":
            return self.arr(depth)
        if ch == '"':
            s = self.string()
            return Node(s, self.span(i, self.i))
        for word, val in (("true", True), ("false", False), ("null", None)):
            if t.startswith(word, i):
                self.i = i + len(word)
                return Node(val, self.span(i, self.i))
        m = _NUMBER.match(t, i)
        if m:
            self.i = m.end()
            num = m.group()
            value: int | float = int(num) if not any(c in num for c in ".eE") else float(num)
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # JSON.parse("2.0") is the integer 2 to pi-crew's validator
            return Node(value, self.span(i, self.i))
        raise self.fail(f"unexpected character {ch!r}")

    def string(self) -> str:
        m = _STRING.match(self.text, self.i)
        if not m:
            raise self.fail("invalid string")
        self.i = m.end()
        return json.loads(m.group())

    def obj(self, depth: int) -> ObjectNode:
        a = self.i
        self.i += 1
        node = ObjectNode({}, Span(0, 0, 0, 0))
        self.ws()
        if self.text.startswith("}", self.i):
            self.i += 1
            node.span = self.span(a, self.i)
            return node
        while True:
            self.ws()
            if not self.text.startswith('"', self.i):
                raise self.fail("expected a quoted key")
            ka = self.i
            key = self.string()
            key_span = self.span(ka, self.i)
            self.ws()
            if not self.text.startswith(":", self.i):
                raise self.fail("expected ':'")
            self.i += 1
            child = self.value(depth + 1)
            node.members.append(Member(key, key_span, child))
            node.value[key] = child.value
            self.ws()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith("}", self.i):
                self.i += 1
                node.span = self.span(a, self.i)
                return node
            raise self.fail("expected ',' or '}'")

    def arr(self, depth: int) -> ArrayNode:
        a = self.i
        self.i += 1
        node = ArrayNode([], Span(0, 0, 0, 0))
        self.ws()
        if self.text.startswith("]", self.i):
            self.i += 1
            node.span = self.span(a, self.i)
            return node
        while True:
            child = self.value(depth + 1)
            node.items.append(child)
            node.value.append(child.value)
            self.ws()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            if self.text.startswith("]", self.i):
                self.i += 1
                node.span = self.span(a, self.i)
                return node
            raise self.fail("expected ',' or ']'")


def parse_json(text: str) -> Node:
    """Parse ``text``; raises JsonError with the span of the first problem, and no other exception."""
    reader = _Reader(text)
    try:
        node = reader.value()
    except RecursionError:  # called with most of the stack already in use (the depth cap did not suffice)
        raise reader.fail(NESTED_TOO_DEEPLY) from None
    reader.ws()
    if reader.i != len(text):
        raise reader.fail("unexpected text after the JSON value")
    return node
