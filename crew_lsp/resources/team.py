"""Teams (formats §4): frontmatter plus role lines in the body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crew_lsp.resources.frontmatter import Document, Item, leading_int
from crew_lsp.resources.text import JS_SPACE, Span, js_trim, span_in_line


def _js(pattern: str) -> re.Pattern[str]:
    """A JavaScript regex: `\\s`/`\\S` are JavaScript's whitespace sets, `\\b` an ASCII word boundary."""
    space = re.escape(JS_SPACE)
    return re.compile(pattern.replace(r"\s", f"[{space}]").replace(r"\S", f"[^{space}]"), re.ASCII)


_SKILLS = _js(r"\bskills\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)")
_SKILL_ITEM = re.compile(r"[A-Za-z0-9_-]+")
_TOKENS = (
    ("agent", _js(r"\bagent\s*=\s*(\S+)")),
    ("model", _js(r"\bmodel\s*=(\S+)")),  # `model= x` is not extracted by pi-crew
    ("maxConcurrency", _js(r"\bmaxConcurrency\s*=\s*(\S+)")),
)
_LEFTOVER_KEY = _js(r"\b(agent|model|skills|maxConcurrency)\s*=")


@dataclass(slots=True)
class Token:
    """A ``key=value`` token pulled out of a role line."""

    key: str
    value: str
    span: Span  # the whole token
    value_span: Span


@dataclass(slots=True)
class Role:
    name: str
    line: int
    name_span: Span
    line_span: Span  # the role line's text
    has_colon: bool
    description: str
    tokens: dict[str, Token] = field(default_factory=dict)  # the winning token per key
    all_tokens: list[Token] = field(default_factory=list)
    skills: list[Item] | None = None  # None = not given
    skills_disabled: bool = False
    leftover_keys: list[tuple[str, Span]] = field(default_factory=list)  # `key=` left in the text

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


@dataclass(slots=True)
class Team:
    default_workflow: str | None
    workspace_mode: str
    max_concurrency: int | None
    roles: list[Role]

    @property
    def workflow(self) -> str:
        return self.default_workflow or "default"

    def role(self, name: str) -> Role | None:
        for role in self.roles:
            if role.name == name:
                return role
        return None


def parse_role_line(line_no: int, raw: str) -> Role | None:
    stripped = js_trim(raw)
    if not stripped.startswith("-"):
        return None
    dash = raw.index("-")
    text = raw[dash + 1 :]
    body = js_trim(text)
    if not body:
        return None
    base = dash + 1 + text.index(body[0])  # index of the role text in raw
    colon = body.find(":")
    name = js_trim(body[:colon] if colon >= 0 else body)
    if not name:
        return None
    name_start = base + body.index(name)
    role = Role(
        name=name,
        line=line_no,
        name_span=span_in_line(line_no, raw, name_start, name_start + len(name)),
        line_span=span_in_line(line_no, raw, dash, base + len(body)),
        has_colon=colon >= 0,
        description="",
    )
    if colon < 0:
        return role
    meta_start = base + colon + 1
    meta = raw[meta_start : base + len(body)]
    masked = meta

    def take(match: re.Match[str], key: str) -> Token:
        nonlocal masked
        a, b = match.span()
        masked = masked[:a] + " " * (b - a) + masked[b:]
        va, vb = match.span(1)
        token = Token(
            key,
            match.group(1),
            span_in_line(line_no, raw, meta_start + a, meta_start + b),
            span_in_line(line_no, raw, meta_start + va, meta_start + vb),
        )
        role.all_tokens.append(token)
        return token

    for match in list(_SKILLS.finditer(meta)):
        token = take(match, "skills")
        role.tokens["skills"] = token
        items: list[Item] = []
        seen: set[str] = set()
        v0 = meta_start + match.start(1)
        for item in _SKILL_ITEM.finditer(match.group(1)):
            if item.group() not in seen:
                seen.add(item.group())
                items.append(Item(item.group(), span_in_line(line_no, raw, v0 + item.start(), v0 + item.end())))
        role.skills = items
    if role.skills is not None and [i.text for i in role.skills] == ["false"]:
        role.skills_disabled = True
        role.skills = []
    for key, pattern in _TOKENS:
        for match in list(pattern.finditer(masked)):
            role.tokens[key] = take(match, key)
    for match in _LEFTOVER_KEY.finditer(masked):
        role.leftover_keys.append((match.group(1), span_in_line(line_no, raw, meta_start + match.start(), meta_start + match.end())))
    role.description = " ".join(masked.split())
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
