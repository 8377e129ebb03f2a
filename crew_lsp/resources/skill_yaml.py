"""SKILL.md as pi-crew 0.10 lists it (docs/formats.md, Skills at 0.10): YAML frontmatter, validated.

From 0.9.8 on, pi-crew's skill listing parses the frontmatter with the npm `yaml` package (YAML 1.2,
core schema, duplicate keys are errors) and leaves out every skill whose frontmatter fails its
validation. `read_skill_listing` reproduces that verdict with positions: each reason the skill is
dropped, and the softer findings pi-crew keeps the skill with (unknown keys).

The YAML is scanned and parsed by PyYAML's pure-Python parser (it gives every node its position);
the nodes are built here, iteratively, so the rules of the npm package apply rather than PyYAML's:
duplicate keys are errors, plain scalars resolve by the YAML 1.2 core schema (`yes` is a string),
and input is bounded (nesting depth, alias count) so no file can exhaust memory or the stack.
PyYAML is imported on first use: only a 0.10 reading of a skill pays for it.
"""

from __future__ import annotations

import re

from crew_lsp.resources.record import Record
from crew_lsp.resources.text import Span, col16, js_trim

# The frontmatter the listing parses: `---` + line break at the very start, up to the first line
# break followed by `---` (a closing line that merely starts with `---` counts too).
_FRONTMATTER = re.compile(r"---\r?\n(.*?)\r?\n---", re.S)
ALLOWED_SKILL_KEYS = ("name", "description", "license", "allowed-tools", "metadata", "compatibility", "version", "author")
NAME_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
NAME_MAX = 64
DESCRIPTION_MAX = 1024  # in UTF-16 code units, as JavaScript counts a string's length
VERSION_PATTERN = re.compile(r"\d+\.\d+(?:\.\d+)?(?:-[A-Za-z0-9.-]+)?\Z")
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
    """A composed node: `kind` is map, seq or scalar; `start`/`end` are offsets in the frontmatter text."""

    __slots__ = ("kind", "start", "end", "value", "items", "type", "style")

    def __init__(self, kind: str, start: int, end: int, value: str = "", type_: str = "object", style: str | None = None):
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value  # a scalar's text, escapes and folding applied
        self.items: list = []  # map: [(key, value)], seq: [node]
        self.type = type_  # the JavaScript `typeof` the npm package gives it: string number boolean null object
        self.style = style  # a scalar's quoting: None (plain), "'", '"', "|", ">"


class SkillFinding(Record):
    """One thing pi-crew 0.10 says about a SKILL.md: `dropped` ones leave the skill out of the listing."""

    __slots__ = ("field", "message", "dropped", "span")

    def __init__(self, field: str, message: str, dropped: bool, span: Span):
        self.field = field  # frontmatter | name | description | license | … | unknown-key
        self.message = message
        self.dropped = dropped
        self.span = span


class SkillListing(Record):
    """What the 0.10 listing makes of one SKILL.md."""

    __slots__ = ("has_frontmatter", "description", "findings", "header_description", "description_span", "name", "name_span")

    def __init__(self, has_frontmatter: bool, description: str, findings: list[SkillFinding], header_description: str | None = None,
                 description_span: Span | None = None, name: str | None = None, name_span: Span | None = None):
        self.has_frontmatter = has_frontmatter
        self.description = description  # what the listing shows ("" when none)
        self.findings = findings
        # what the header injected into worker prompts shows: pi-crew still reads it line by line, the
        # first line starting `description:`, quotes and `>` kept (None: no such line)
        self.header_description = header_description
        self.description_span = description_span  # the first line of the `description` value, when it parsed
        self.name = name  # the `name` value when it is a string
        self.name_span = name_span

    @property
    def dropped(self) -> bool:
        return any(f.dropped for f in self.findings)


class SkillYamlError(Exception):
    """A frontmatter the npm `yaml` package refuses; `start`/`end` are offsets of the token at fault."""

    def __init__(self, message: str, start: int, end: int | None = None, tab: bool = False):
        super().__init__(message)
        self.start = start
        self.end = end
        self.tab = tab  # PyYAML's "a tab cannot start a token"


class _Positions:
    """Offsets of the frontmatter text → LSP spans of the whole document."""

    def __init__(self, text: str, base: int):
        self.text = text
        self.base = base

    def span(self, start: int, end: int) -> Span:
        a, b = self.base + start, self.base + max(start, end)
        return Span(*self._at(a), *self._at(b))

    def _at(self, offset: int) -> tuple[int, int]:
        text = self.text
        line = text.count("\n", 0, offset)
        begin = text.rfind("\n", 0, offset) + 1
        stop = text.find("\n", begin)
        line_text = text[begin : stop if stop >= 0 else len(text)]
        return line, col16(line_text, min(offset - begin, len(line_text.rstrip("\r"))))

    def token(self, start: int) -> Span:
        """The run of non-blank text at `start` (or the point itself): where a parse error is shown."""
        text, at = self.text, self.base + start
        if text[at : at + 1] == "\t":
            return self.span(start, start + 1)  # a tab where YAML allows none is the token itself
        end = at
        while end < len(text) and text[end] not in " \t\r\n":
            end += 1
        return self.span(start, end - self.base)


def read_skill_listing(text: str) -> SkillListing:
    """pi-crew 0.10's verdict on one SKILL.md: its listing description and every finding. Never raises."""
    match = _FRONTMATTER.match(text)
    if match is None:
        return SkillListing(False, "", [])
    source = match.group(1)
    header = header_description(source)
    at = _Positions(text, match.start(1))
    try:
        root = compose(source)
    except SkillYamlError as exc:
        span = at.span(exc.start, exc.end) if exc.end is not None else at.token(exc.start)
        message = str(exc)
        if message == _NESTED and source[source.rfind("\n", 0, exc.start) + 1 :][:1] in (" ", "\t"):
            message = "YAML error: an indented `key:` line continues the value above it, where YAML allows no `key: value`; remove the indentation"
        # (the listing never shows a dropped skill; its own fallback to the line reader only feeds a log)
        return SkillListing(True, "", [SkillFinding("frontmatter", message, True, span)], header)
    if root is None or root.kind == "scalar" and root.type == "null":
        return SkillListing(True, "", [], header)
    if root.kind != "map":
        what = "a list" if root.kind == "seq" else "a single value"
        finding = SkillFinding("frontmatter", f"the frontmatter is {what}, not a `key: value` mapping", True, at.span(root.start, root.end))
        return SkillListing(True, "", [finding], header)
    listing = _validate(root, at)
    listing.header_description = header
    return listing


def header_description(source: str) -> str | None:
    """The description in the header of an injected skill: the first frontmatter line starting `description:`, trimmed."""
    for line in source.split("\n"):
        if line.startswith("description:"):
            return js_trim(line[len("description:") :])
    return None


def _validate(root: YamlNode, at: _Positions) -> SkillListing:
    findings: list[SkillFinding] = []
    fields: dict[str, tuple[YamlNode, YamlNode]] = {}
    for key, value in root.items:
        if key.kind == "scalar" and key.type == "string":
            fields[key.value] = (key, value)  # (duplicates were rejected while composing)
        label = key.value if key.kind == "scalar" else at.text[at.base + key.start : at.base + key.end]
        if not (key.kind == "scalar" and key.type == "string" and key.value in ALLOWED_SKILL_KEYS):
            findings.append(SkillFinding("unknown-key", f"`{label}` is not a key pi-crew knows for skills (it knows {', '.join(f'`{k}`' for k in ALLOWED_SKILL_KEYS)}); pi-crew warns and keeps the skill", False, at.span(key.start, key.end)))

    def drop(field: str, message: str, node: YamlNode, key: YamlNode | None = None) -> None:
        if key is not None and node.type == "null" and node.start == node.end:
            node = key  # an empty value: the key it belongs to
        findings.append(SkillFinding(field, message, True, at.span(node.start, _line_end(at, node))))

    name = fields.get("name")
    if name is not None and name[1].type != "null":
        node = name[1]
        if node.type != "string":
            drop("name", f"`name` must be a string, not a {node.type}", node, name[0])
        elif not node.value:
            drop("name", "`name` is empty", node)
        elif len(node.value) > NAME_MAX:
            drop("name", f"`name` is {len(node.value)} characters long; at most {NAME_MAX} are allowed", node)
        elif not NAME_PATTERN.match(node.value):
            drop("name", f"`name: {node.value}` is not lower-case hyphen-case (`a-z`, `0-9`, single `-` between words)", node)
    entry = fields.get("description")
    description, description_span = "", None
    if entry is None or entry[1].type == "null":
        drop("description", "the required `description` is missing", entry[0] if entry is not None else root.items[0][0] if root.items else root)
    else:
        node = entry[1]
        description_span = at.span(node.start, _line_end(at, node))
        if node.type != "string":
            drop("description", f"`description` must be a string, not a {node.type}", node, entry[0])
        elif (size := _js_length(node.value)) > DESCRIPTION_MAX:
            drop("description", f"`description` is {size} characters long; at most {DESCRIPTION_MAX} are allowed", node)
        elif "<" in node.value or ">" in node.value:
            drop("description", "`description` contains `<` or `>`, which pi-crew refuses (prompt safety)", node)
        else:
            description = node.value
    for key, (kind, wanted) in _OPTIONAL.items():
        found = fields.get(key)
        if found is None:
            continue
        if not _fits(found[1], kind):
            drop(key, f"`{key}` must be {wanted}", found[1], found[0])
    name_node = name[1] if name is not None and name[1].kind == "scalar" and name[1].type == "string" else None
    return SkillListing(True, description, findings, None, description_span,
                        name_node.value if name_node else None, at.span(name_node.start, name_node.end) if name_node else None)


def _line_end(at: _Positions, node: YamlNode) -> int:
    """The end of a node, or of its first line when it spans several (a block scalar, a folded value)."""
    stop = at.text.find("\n", at.base + node.start, at.base + node.end)
    if stop < 0:
        return node.end
    return stop - at.base - (1 if at.text[stop - 1 : stop] == "\r" else 0)


_OPTIONAL = {
    "license": ("string", "a string"),
    "allowed-tools": ("strings", "a list of strings"),
    "metadata": ("map", "a mapping"),
    "compatibility": ("string", "a string"),
    "version": ("version", "a version string such as `1.2.3` or `1.2.3-beta.1` (quote a number such as `1.0`)"),
    "author": ("string", "a string"),
}


def _fits(node: YamlNode, kind: str) -> bool:
    if kind == "string":
        return node.type == "string"
    if kind == "strings":
        return node.kind == "seq" and all(item.type == "string" for item in node.items)
    if kind == "map":
        return node.kind == "map"
    return node.type == "string" and VERSION_PATTERN.match(node.value) is not None


def _js_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


_TAG_TESTS = {
    "tag:yaml.org,2002:int": ("number", re.compile(r"[-+]?[0-9]+\Z|0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")),
    "tag:yaml.org,2002:float": ("number", re.compile(_FLOAT.pattern)),
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
    """The node tree of one YAML document, or `SkillYamlError` with the offset of the offending token.

    PyYAML allows a tab only in indentation-free places it knows; YAML also allows one between tokens
    (`key:<tab>value`), so on that one error the tabs after the start of a line become spaces and the
    text is read again (offsets stay the same).
    """
    text, restore = _stand_ins(source)
    try:
        return _compose(text, restore)
    except SkillYamlError as exc:
        if not exc.tab or not _SEPARATING_TABS.search(text):
            raise
    return _compose(_SEPARATING_TABS.sub(lambda m: " " * len(m.group(1)), text), restore)


def _stand_ins(source: str) -> tuple[str, dict[int, int] | None]:
    foreign = set(_FOREIGN.findall(source))
    if not foreign:
        return source, None
    used = set(source)
    free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in used)
    there = {ord(ch): ord(next(free, "\ufffd")) for ch in sorted(foreign)}
    return source.translate(there), {v: k for k, v in there.items()}


def _compose(source: str, restore: dict[int, int] | None) -> YamlNode | None:
    import yaml

    composer = _Composer(restore)
    loader = None
    try:
        loader = yaml.SafeLoader(source)
        while (event := loader.get_event()) is not None:
            composer.take(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.problem == "could not find expected ':'" and exc.context_mark is not None:
            mark = exc.context_mark  # (the problem mark is where the key gave up, lines below the key)
        problem = exc.problem or exc.context or "YAML error"
        raise SkillYamlError(_explain(problem), mark.index if mark is not None else 0, tab=problem == _TAB_ERROR) from None
    except yaml.YAMLError as exc:  # a reader error
        raise SkillYamlError(f"YAML error: {exc}", getattr(exc, "position", 0) or 0) from None
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
        self.by_node: dict[int, _Anchor] = {}
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
                raise SkillYamlError(f"the frontmatter nests more than {MAX_DEPTH} levels deep", start)
            node = YamlNode("map" if isinstance(event, events.MappingStartEvent) else "seq", start, end)
            self._anchor(event.anchor, node)
            self._attach(node)
            self.open.append((node, [None], set()))
        elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
            self.open.pop()[0].end = end
        elif isinstance(event, events.AliasEvent):
            anchor = self.anchors.get(event.anchor or "")
            if anchor is None:
                raise SkillYamlError(f"the alias `*{event.anchor}` names no anchor defined before it", start, end)
            anchor.count += 1
            if anchor.weight == 0:
                anchor.weight = self._weight(anchor.node)
            if anchor.count * anchor.weight > MAX_ALIASES:
                raise SkillYamlError("too many aliases: pi-crew's YAML reader refuses them as an expansion attack", start, end)
            if self.open:
                self.aliased.setdefault(id(self.open[-1][0]), []).append(anchor)
            self._attach(anchor.node)
        elif isinstance(event, events.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise SkillYamlError("the frontmatter holds more than one YAML document", start)

    def _anchor(self, name: str | None, node: YamlNode) -> None:
        if name is not None:
            self.anchors[name] = self.by_node[id(node)] = _Anchor(node)

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
                    raise SkillYamlError(f"the key `{key.value}` appears twice in one mapping", key.start, key.end)
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


_NESTED = "YAML error: a second `: ` inside a plain value (`key: a: b`) starts a nested mapping YAML does not allow there; quote the value"
_HINTS = {
    "mapping values are not allowed here": _NESTED[len("YAML error: ") :],
    "could not find expected ':'": "a line without `key:` continues the key above (a multi-line implicit key); indent it under a value or quote the value",
    "found character '\\t' that cannot start any token": "a tab cannot indent YAML; use spaces",
}


def _explain(problem: str) -> str:
    for known, hint in _HINTS.items():
        if problem.startswith(known):
            return f"YAML error: {hint}"
    if problem.startswith("expected <block end>, but found"):
        return f"YAML error: unexpected text after a value ({problem.split('but found ', 1)[1]}); quote the whole value"
    return f"YAML error: {problem}"
