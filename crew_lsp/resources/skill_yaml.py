"""SKILL.md as pi-crew 0.10 lists it (docs/formats.md, Skills at 0.10): YAML frontmatter, validated.

From 0.9.8 on, pi-crew's skill listing parses the frontmatter with the npm `yaml` package (YAML 1.2,
core schema, duplicate keys are errors) and leaves out every skill whose frontmatter fails its
validation. `read_skill_listing` reproduces that verdict with positions: each reason the skill is
dropped, and the softer findings pi-crew keeps the skill with (unknown keys). The YAML itself is read
as the npm package reads it by `yaml_npm`.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from crew_lsp.resources.record import Record
from crew_lsp.resources.text import Span, col16, js_trim
from crew_lsp.resources.yaml_npm import NESTED_MAPPING, YamlError, YamlNode, compose

# The frontmatter the listing parses: `---` + line break at the very start, up to the first line
# break followed by `---` (a closing line that merely starts with `---` counts too).
_FRONTMATTER = re.compile(r"---\r?\n(.*?)\r?\n---", re.S)
ALLOWED_SKILL_KEYS = ("name", "description", "license", "allowed-tools", "metadata", "compatibility", "version", "author")
NAME_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
NAME_MAX = 64
DESCRIPTION_MAX = 1024  # in UTF-16 code units, as JavaScript counts a string's length
_KNOWN = ", ".join(f"`{k}`" for k in ALLOWED_SKILL_KEYS)
# A longer frontmatter is not parsed (it would take seconds in an editor); no real skill comes close.
MAX_FRONTMATTER = 256 * 1024
VERSION_PATTERN = re.compile(r"[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:-[A-Za-z0-9.-]+)?\Z")  # (JavaScript's `\d` is ASCII)


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


class _Positions:
    """Offsets of the frontmatter text → LSP spans of the whole document."""

    def __init__(self, text: str, base: int):
        self.text = text
        self.base = base
        self._starts: list[int] | None = None  # offsets of the line starts, found on the first span

    def span(self, start: int, end: int) -> Span:
        a, b = self.base + start, self.base + max(start, end)
        return Span(*self._at(a), *self._at(b))

    def _at(self, offset: int) -> tuple[int, int]:
        text = self.text
        if self._starts is None:
            self._starts = [0, *(m.end() for m in re.finditer("\n", text))]
        line = bisect_right(self._starts, offset) - 1
        begin = self._starts[line]
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
    if len(source) > MAX_FRONTMATTER:
        finding = SkillFinding("size", f"the frontmatter is over {MAX_FRONTMATTER // 1024} KiB: crew-lsp does not check it as YAML (pi-crew does)", False, at.span(0, 0))
        return SkillListing(True, "", [finding], header)
    try:
        root = compose(source)
    except YamlError as exc:
        span = at.span(exc.start, exc.end) if exc.end is not None else at.token(exc.start)
        message = str(exc)
        if message == NESTED_MAPPING and source[source.rfind("\n", 0, exc.start) + 1 :][:1] in (" ", "\t"):
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
            findings.append(SkillFinding("unknown-key", f"`{label}` is not a key pi-crew knows for skills (it knows {_KNOWN}); pi-crew warns and keeps the skill", False, at.span(key.start, key.end)))

    def drop(field: str, message: str, node: YamlNode, key: YamlNode | None = None) -> None:
        if key is not None and node.type == "null" and node.start == node.end:
            node = key  # an empty value: the key it belongs to
        findings.append(SkillFinding(field, message, True, at.span(node.start, _line_end(at, node))))

    name = fields.get("name")
    if name is not None and name[1].type != "null":
        node = name[1]
        if node.type != "string":
            drop("name", f"`name` must be a string, not {_a(node.type)}", node, name[0])
        elif not node.value:
            drop("name", "`name` is empty", node)
        elif (size := _js_length(node.value)) > NAME_MAX:
            drop("name", f"`name` is {size} characters long; at most {NAME_MAX} are allowed", node)
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
            drop("description", f"`description` must be a string, not {_a(node.type)}", node, entry[0])
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


def _a(js_type: str) -> str:
    return {"object": "a list or mapping"}.get(js_type, f"a {js_type}")


def _js_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2
