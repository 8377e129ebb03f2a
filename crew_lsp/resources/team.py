"""Teams (docs/formats.md, Teams): frontmatter plus role lines in the body."""

from __future__ import annotations

import re

from crew_lsp.resources.frontmatter import Document, Item, leading_int
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import JS_SPACE, JS_SPACE_CLASS, Span, span_in_line


def _js(pattern: str) -> re.Pattern[str]:
    """A JavaScript regex: `\\s`/`\\S` are JavaScript's whitespace sets, `\\b` an ASCII word boundary."""
    return re.compile(pattern.replace(r"\s", f"[{JS_SPACE_CLASS}]").replace(r"\S", f"[^{JS_SPACE_CLASS}]"), re.ASCII)


_SKILLS = _js(r"\bskills\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)")
_SKILL_ITEM = re.compile(r"[A-Za-z0-9_-]+")
_TOKENS = (
    ("agent", _js(r"\bagent\s*=\s*(\S+)")),
    ("model", _js(r"\bmodel\s*=(\S+)")),  # `model= x` is not extracted by pi-crew
    ("maxConcurrency", _js(r"\bmaxConcurrency\s*=\s*(\S+)")),
)
_LEFTOVER_KEY = _js(r"\b(agent|model|skills|maxConcurrency)\s*=")


class Token(Record):
    """A ``key=value`` token pulled out of a role line (spans worked out on demand)."""

    __slots__ = ("key", "value", "line", "raw", "a", "b", "va")
    _fields = ("key", "value", "span", "value_span")

    def __init__(self, key: str, value: str, line: int, raw: str, a: int, b: int, va: int):
        self.key = key
        self.value = value
        self.line = line
        self.raw = raw
        self.a = a  # Python indices in ``raw``: the token, and where its value starts
        self.b = b
        self.va = va

    @property
    def span(self) -> Span:
        """The whole token."""
        return span_in_line(self.line, self.raw, self.a, self.b)

    @property
    def value_span(self) -> Span:
        return span_in_line(self.line, self.raw, self.va, self.va + len(self.value))


class Role(Record):
    __slots__ = ("name", "line", "has_colon", "_description", "_masked", "tokens", "all_tokens", "skills", "skills_disabled",
                 "leftover_keys", "raw", "_name_at", "_dash", "_end")
    _fields = ("name", "line", "name_span", "line_span", "has_colon", "description", "tokens", "all_tokens", "skills",
               "skills_disabled", "leftover_keys")

    def __init__(self, name: str, line: int, raw: str, name_at: int, dash: int, end: int, has_colon: bool, description: str = ""):
        self.name = name
        self.line = line
        self.raw = raw  # the role line
        self._name_at = name_at
        self._dash = dash
        self._end = end
        self.has_colon = has_colon
        self._description: str | None = description
        self._masked = ""  # the text after the colon with the tokens blanked (the description, unsquashed)
        self.tokens: dict[str, Token] = {}  # the winning token per key
        self.all_tokens: list[Token] = []
        self.skills: list[Item] | None = None  # None = not given
        self.skills_disabled = False
        self.leftover_keys: list[tuple[str, Span]] = []  # `key=` left in the text

    @property
    def description(self) -> str:
        """The role line's text after the colon without its tokens, spaces squashed (worked out on first use)."""
        text = self._description
        if text is None:
            text = self._description = " ".join(self._masked.split())
        return text

    @description.setter
    def description(self, value: str) -> None:
        self._description = value

    @property
    def name_span(self) -> Span:
        return span_in_line(self.line, self.raw, self._name_at, self._name_at + len(self.name))

    @property
    def line_span(self) -> Span:
        """The role line's text."""
        return span_in_line(self.line, self.raw, self._dash, self._end)

    @property
    def agent(self) -> str:
        token = self.tokens.get("agent")
        return token.value if token else self.name

    @property
    def model(self) -> str | None:
        token = self.tokens.get("model")
        return token.value if token else None

    @property
    def max_concurrency(self) -> int | None:
        token = self.tokens.get("maxConcurrency")
        if token is None:
            return None
        n = leading_int(token.value)
        return n if n is not None and n > 0 else None


class Team(Record):
    __slots__ = ("default_workflow", "workspace_mode", "max_concurrency", "roles")

    def __init__(self, default_workflow: str | None, workspace_mode: str, max_concurrency: int | None, roles: list[Role]):
        self.default_workflow = default_workflow
        self.workspace_mode = workspace_mode
        self.max_concurrency = max_concurrency
        self.roles = roles

    @property
    def workflow(self) -> str:
        return self.default_workflow or "default"

    def role(self, name: str) -> Role | None:
        for role in self.roles:
            if role.name == name:
                return role
        return None


def _matches(pattern: re.Pattern[str], text: str, word: str) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` for a pattern `\\b<word>…`, tried only where ``word`` occurs.

    The leading `\\b` is no literal, so finditer would test every position of the line in turn.
    """
    found = []
    pos = text.find(word)
    while pos >= 0:
        match = pattern.match(text, pos)
        if match is None:
            pos = text.find(word, pos + 1)
        else:
            found.append(match)
            pos = text.find(word, match.end())
    return found


def parse_role_line(line_no: int, raw: str) -> Role | None:
    if raw[:2] == "- ":  # the usual role line: no indentation, one space
        dash = 0
        text = raw[2:]
        base = 2
    else:
        lead = raw.lstrip(JS_SPACE)
        if lead[:1] != "-":
            return None
        dash = len(raw) - len(lead)  # (no space character is a `-`)
        text = lead[1:]
        base = dash + 1
    body = text.lstrip(JS_SPACE)
    base += len(text) - len(body)  # index of the role text in raw
    body = body.rstrip(JS_SPACE)
    if not body:
        return None
    colon = body.find(":")
    # the body starts with no space: the name starts with it, or is empty (a `:` first)
    name = (body[:colon].rstrip(JS_SPACE) if colon >= 0 else body)
    if not name:
        return None
    end = base + len(body)
    role = Role(name, line_no, raw, base, dash, end, colon >= 0)
    if colon < 0:
        return role
    meta_start = base + colon + 1
    meta = raw[meta_start:end]
    masked = meta
    tokens = role.tokens
    all_tokens = role.all_tokens
    # Each pattern needs its key word (and `=`): most lines hold only `agent=`, so most scans are skipped.
    if "=" in meta:
        if "skills" in meta:
            for match in _matches(_SKILLS, meta, "skills"):
                a, b = match.span()
                masked = masked[:a] + " " * (b - a) + masked[b:]
                va = match.start(1)
                value = match.group(1)
                token = Token("skills", value, line_no, raw, meta_start + a, meta_start + b, meta_start + va)
                all_tokens.append(token)
                tokens["skills"] = token
                items: list[Item] = []
                seen: set[str] = set()
                v0 = meta_start + va
                for item in _SKILL_ITEM.finditer(value):
                    if item.group() not in seen:
                        seen.add(item.group())
                        items.append(Item(item.group(), span_in_line(line_no, raw, v0 + item.start(), v0 + item.end())))
                role.skills = items
            if role.skills is not None and [i.text for i in role.skills] == ["false"]:
                role.skills_disabled = True
                role.skills = []
        for key, pattern in _TOKENS:
            if key not in masked:
                continue
            for match in _matches(pattern, masked, key):
                a, b = match.span()
                masked = masked[:a] + " " * (b - a) + masked[b:]
                token = Token(key, match.group(1), line_no, raw, meta_start + a, meta_start + b, meta_start + match.start(1))
                all_tokens.append(token)
                tokens[key] = token
        if "=" in masked:
            for match in _LEFTOVER_KEY.finditer(masked):
                role.leftover_keys.append((match.group(1), span_in_line(line_no, raw, meta_start + match.start(), meta_start + match.end())))
    role._masked = masked
    role._description = None  # squashed on first use: the checks never read it
    return role


def parse_team(doc: Document) -> Team:
    fm = doc.frontmatter
    roles: list[Role] = []
    lines = doc.lines
    for i in doc.body_lines:
        line = lines[i]
        if "-" in line:
            role = parse_role_line(i, line)
            if role is not None:
                roles.append(role)
    workflow = fm.get("defaultWorkflow") or fm.get("workflow") or None
    mode = "worktree" if fm.get("workspaceMode") == "worktree" else "single"
    mc = fm.get("maxConcurrency")
    return Team(
        default_workflow=workflow,
        workspace_mode=mode,
        max_concurrency=leading_int(mc) if mc is not None else None,
        roles=roles,
    )
