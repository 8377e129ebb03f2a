"""YAML as the npm `yaml` package (2.x, YAML 1.2, core schema) reads it, with positions: the node tree only.

pi-crew parses SKILL.md frontmatter with that package. PyYAML's pure-Python scanner and parser do the
reading (they give every event its offset); the nodes are built here, iteratively, so the npm package's
rules apply rather than PyYAML's: a key set twice is an error, plain scalars take the 1.2 core schema's
types (`yes` is text), and input is bounded (nesting depth, alias expansion) so that no text can
exhaust memory or the stack. PyYAML is imported on first use.
"""

from __future__ import annotations

import re

from crew_lsp.resources.record import Record

MAX_DEPTH = 1000  # nested collections; the npm package runs out of stack at about this depth
MAX_ALIASES = 100  # the npm package's default `maxAliasCount`: an expansion beyond it is refused as an attack

# Plain scalars resolved by the YAML 1.2 core schema, as the npm package resolves them.
_NULL = re.compile(r"(?:~|[Nn]ull|NULL)?\Z")
_BOOL = re.compile(r"(?:[Tt]rue|TRUE|[Ff]alse|FALSE)\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z|0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+\Z|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)\Z"
                    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_TAG_TYPES = {"tag:yaml.org,2002:str": "string", "tag:yaml.org,2002:binary": "object", "tag:yaml.org,2002:timestamp": "object"}


class YamlNode(Record):
    """A composed node: `kind` is map, seq or scalar; `start`/`end` are offsets in the text read."""

    __slots__ = ("kind", "start", "end", "value", "items", "type", "style")

    def __init__(self, kind: str, start: int, end: int, value: str = "", type_: str = "object", style: str | None = None):
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value  # a scalar's text, escapes and folding applied
        self.items: list = []  # map: [(key, value)], seq: [node]
        self.type = type_  # the JavaScript `typeof` the npm package gives it: string number boolean null object
        self.style = style  # a scalar's quoting: None (plain), "'", '"', "|", ">"


class YamlError(Exception):
    """Text the npm `yaml` package refuses; `start`/`end` are offsets of the token at fault."""

    def __init__(self, message: str, start: int, end: int | None = None, tab: bool = False):
        super().__init__(message)
        self.start = start
        self.end = end
        self.tab = tab  # PyYAML's "a tab cannot start a token"


_TAG_TESTS = {
    "tag:yaml.org,2002:int": ("number", _INT),
    "tag:yaml.org,2002:float": ("number", _FLOAT),
    "tag:yaml.org,2002:bool": ("boolean", _BOOL),
    "tag:yaml.org,2002:null": ("null", _NULL),
}


def _scalar_type(value: str, style: str | None, tag: str | None) -> str:
    if tag is not None:
        if tag in _TAG_TYPES:
            return _TAG_TYPES[tag]
        typed = _TAG_TESTS.get(tag)
        # `!!int 12` is a number; `!!int abc`, `!` and an unknown tag leave a string
        return typed[0] if typed is not None and typed[1].match(value) else "string"
    if style is not None:
        return "string"
    if _NULL.match(value):
        return "null"
    if _BOOL.match(value):
        return "boolean"
    if _INT.match(value) or _FLOAT.match(value):
        return "number"
    return "string"


def _number(text: str) -> float:
    if text[:2] in ("0x", "0o"):
        return float(int(text, 0))
    lowered = text.lower()
    if lowered.endswith((".inf", ".nan")):
        return float(lowered.replace(".", ""))
    return float(text)


def _key_identity(node: YamlNode) -> tuple | None:
    """What makes two keys equal to the npm package: the same scalar value (`a` and `"a"`, `1` and `1.0`)."""
    if node.kind != "scalar":
        return None
    if node.type == "number":
        number = _number(node.value)
        return None if number != number else ("number", number)  # NaN equals nothing
    if node.type == "boolean":
        return ("boolean", node.value.lower() == "true")
    if node.type == "null":
        return ("null",)
    return ("string", node.value)


# Characters PyYAML's reader refuses or takes for line breaks, where YAML 1.2 (and the npm package)
# reads an ordinary character: parsed as stand-ins from the private use area, and given back in values.
_FOREIGN = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAB_ERROR = "found character '\\t' that cannot start any token"
_SEPARATING_TABS = re.compile(r"(?<=[^\t\n ])([ \t]*\t[ \t]*)")


def compose(source: str) -> YamlNode | None:
    """The node tree of one YAML document, or `YamlError` with the offset of the offending token.

    PyYAML allows a tab only in indentation-free places it knows; YAML also allows one between tokens
    (`key:<tab>value`), so on that one error the tabs after the start of a line become spaces and the
    text is read again (offsets stay the same).
    """
    text, restore = _stand_ins(source)
    try:
        return _compose(text, restore)
    except YamlError as exc:
        if not exc.tab or not _SEPARATING_TABS.search(text):
            raise
    return _compose(_SEPARATING_TABS.sub(lambda m: " " * len(m.group(1)), text), restore)


def _stand_ins(source: str) -> tuple[str, dict[int, int] | None]:
    foreign = set(_FOREIGN.findall(source))
    if not foreign:
        return source, None
    used = set(source)
    free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in used)
    there = {ord(ch): ord(next(free, "\ufffd")) for ch in sorted(foreign)}  # (past 6,400 kinds: U+FFFD, values lose them)
    return source.translate(there), {v: k for k, v in there.items()}


def _compose(source: str, restore: dict[int, int] | None) -> YamlNode | None:
    import yaml

    composer = _Composer(restore)
    loader = None
    try:
        # libyaml's parser when PyYAML has it (about 20 times faster, same events and offsets)
        loader = yaml.CSafeLoader(source) if yaml.__with_libyaml__ else yaml.SafeLoader(source)
        while (event := loader.get_event()) is not None:
            composer.take(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.problem == "could not find expected ':'" and exc.context_mark is not None:
            mark = exc.context_mark  # (the problem mark is where the key gave up, lines below the key)
        problem = exc.problem or exc.context or "YAML error"
        raise YamlError(_explain(problem), mark.index if mark is not None else 0, tab=problem == _TAB_ERROR) from None
    except yaml.YAMLError as exc:  # a reader error
        raise YamlError(f"YAML error: {exc}", getattr(exc, "position", 0) or 0) from None
    finally:
        if loader is not None:
            loader.dispose()
    return composer.root


class _Anchor:
    """The npm package's guard against alias expansion: the anchored node counts itself and each alias to it."""

    __slots__ = ("node", "count", "weight")

    def __init__(self, node: YamlNode):
        self.node = node
        self.count = 1
        self.weight = 0  # worked out at the first alias: how much one copy of the node expands


class _Composer:
    """Builds YamlNodes from PyYAML's events, with the npm package's rules (see the module docstring)."""

    def __init__(self, restore: dict[int, int] | None):
        self.restore = restore
        self.root: YamlNode | None = None
        self.open: list[tuple[YamlNode, list, set]] = []  # collection, [pending key], key identities
        self.anchors: dict[str, _Anchor] = {}
        self.aliased: dict[int, list[_Anchor]] = {}  # a collection → the anchors it holds through aliases
        self.documents = 0

    def take(self, event) -> None:
        from yaml import events

        start, end = event.start_mark.index, event.end_mark.index
        if isinstance(event, events.ScalarEvent):
            style = event.style or None
            value = event.value.translate(self.restore) if self.restore else event.value
            node = YamlNode("scalar", start, end, value, _scalar_type(event.value, style, event.tag), style)
            self._anchor(event.anchor, node)
            self._attach(node)
        elif isinstance(event, (events.MappingStartEvent, events.SequenceStartEvent)):
            if len(self.open) >= MAX_DEPTH:
                raise YamlError(f"the frontmatter nests more than {MAX_DEPTH} levels deep", start)
            node = YamlNode("map" if isinstance(event, events.MappingStartEvent) else "seq", start, end)
            self._anchor(event.anchor, node)
            self._attach(node)
            self.open.append((node, [None], set()))
        elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
            self.open.pop()[0].end = end
        elif isinstance(event, events.AliasEvent):
            anchor = self.anchors.get(event.anchor or "")
            if anchor is None:
                raise YamlError(f"the alias `*{event.anchor}` names no anchor defined before it", start, end)
            anchor.count += 1
            if anchor.weight == 0:
                anchor.weight = self._weight(anchor.node)
            if anchor.count * anchor.weight > MAX_ALIASES:
                raise YamlError("too many aliases: pi-crew's YAML reader refuses them as an expansion attack", start, end)
            if self.open:
                self.aliased.setdefault(id(self.open[-1][0]), []).append(anchor)
            self._attach(anchor.node)
        elif isinstance(event, events.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlError("the frontmatter holds more than one YAML document", start)

    def _anchor(self, name: str | None, node: YamlNode) -> None:
        if name is not None:
            self.anchors[name] = _Anchor(node)

    def _attach(self, node: YamlNode) -> None:
        if not self.open:
            self.root = node
            return
        parent, pending, keys = self.open[-1]
        if parent.kind == "seq":
            parent.items.append(node)
        elif pending[0] is None:
            pending[0] = node
        else:
            key, pending[0] = pending[0], None
            identity = _key_identity(key)
            if identity is not None:
                if identity in keys:
                    raise YamlError(f"the key `{key.value}` appears twice in one mapping", key.start, key.end)
                keys.add(identity)
            parent.items.append((key, node))

    def _weight(self, top: YamlNode) -> int:
        """The npm package's alias count of a node: 1 for a scalar, the largest of its parts for a collection,
        and for a part held through an alias, that anchor's count times its weight."""
        best, todo, seen = 0, [top], set()
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.kind == "scalar":
                best = max(best, 1)
                continue
            for anchor in self.aliased.get(id(node), ()):
                best = max(best, anchor.count * anchor.weight)
            held = {id(a.node) for a in self.aliased.get(id(node), ())}
            for item in node.items:
                for part in item if isinstance(item, tuple) else (item,):
                    if id(part) not in held:
                        todo.append(part)
        return best


NESTED_MAPPING = "YAML error: a second `: ` inside a plain value (`key: a: b`) starts a nested mapping YAML does not allow there; quote the value"
_TAB = "a tab cannot indent YAML; use spaces"
_UNEXPECTED = "unexpected text after a value; quote the whole value"
# PyYAML's messages (pure Python) and libyaml's, turned into what an author can act on
_HINTS = {
    "mapping values are not allowed": NESTED_MAPPING[len("YAML error: ") :],
    "could not find expected ':'": "a line without `key:` continues the key above (a multi-line implicit key); indent it under a value or quote the value",
    "found character '\\t' that cannot start any token": _TAB,
    "found a tab character that violates indentation": _TAB,
    "expected <block end>, but found": _UNEXPECTED,
    "did not find expected key": _UNEXPECTED,
    "exceeded maximum nesting depth": f"the frontmatter nests more than {MAX_DEPTH} levels deep",
}


def _explain(problem: str) -> str:
    for known, hint in _HINTS.items():
        if problem.startswith(known):
            return f"YAML error: {hint}"
    return f"YAML error: {problem}"
