"""Teams (docs/formats.md, Teams): frontmatter plus role lines in the body."""

from __future__ import annotations

import re
from sys import intern

from crew_lsp.resources.frontmatter import Document, Item, leading_int
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import JS_SPACE, JS_SPACE_CLASS, Span, span_in_line
from crew_lsp.resources.versions import BASELINE, Reading


def _js(pattern: str) -> re.Pattern[str]:
    """A JavaScript regex: `\\s`/`\\S` are JavaScript's whitespace sets, `\\b` an ASCII word boundary.

    (Compiled through `re`'s own cache: a pattern asked for again is not compiled again.)"""
    return re.compile(pattern.replace(r"\s", f"[{JS_SPACE_CLASS}]").replace(r"\S", f"[^{JS_SPACE_CLASS}]"), re.ASCII)


_SKILLS = _js(r"\bskills\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)")
_SKILL_ITEM = re.compile(r"[A-Za-z0-9_-]+")
# The other keys come out in one left-to-right scan, each match consuming its value: in
# `model=gpt-5,agent=critic` the model is `gpt-5,agent=critic` and no agent key is read.
# (The leading `\b` is checked by hand, see `_scan`: a pattern that starts with its key words is searched faster.)
_FALLBACKS = r"\bfallbackModels\s*=\s*([\w/.:-]+(?:\s*,\s*[\w/.:-]+)*)"  # (`_js`, compiled for the first line that has one)
_FALLBACK_ITEM = re.compile(r"[\w/.:-]+", re.ASCII)
_PATTERNS: dict[tuple[tuple[str, ...], bool], tuple[re.Pattern[str], re.Pattern[str]]] = {}
_last_patterns: tuple[Reading, tuple[re.Pattern[str], re.Pattern[str]]] | None = None  # the last reading asked for


def _key_patterns(reading: Reading) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The scan for a version's role-line keys, and the pattern for a `key=` left in the text."""
    global _last_patterns
    last = _last_patterns  # (one read: threads share it)
    if last is not None and last[0] is reading:
        return last[1]  # (the reading of every line of a workspace: no tuple of keys hashed per line)
    keys = reading.role_line_keys
    found = _PATTERNS.get((keys, reading.role_fallback_models))
    if found is None:
        words = "|".join(keys)
        deleted = "skills|fallbackModels" if reading.role_fallback_models else "skills"
        found = _PATTERNS[(keys, reading.role_fallback_models)] = (_js(rf"({words})\s*=\s*(\S+)"), _js(rf"\b({words}|{deleted})\s*="))
    _last_patterns = (reading, found)
    return found


_JS_SPACES = re.compile(f"[{JS_SPACE_CLASS}]+")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


class Token(Record):
    """A ``key=value`` token pulled out of a role line (spans worked out on demand).

    Positions are Python indices in the role line. A value may run over a deleted `skills=` token
    (pi-crew deletes those first and the text on either side joins): its span then covers it.
    """

    __slots__ = ("key", "value", "line", "raw", "a", "b", "va", "vb")
    _fields = ("key", "value", "span", "value_span")

    def __init__(self, key: str, value: str, line: int, raw: str, a: int, b: int, va: int, vb: int | None = None):
        self.key = key
        self.value = value
        self.line = line
        self.raw = raw
        self.a = a  # the token
        self.b = b
        self.va = va  # its value
        self.vb = va + len(value) if vb is None else vb

    @property
    def span(self) -> Span:
        """The whole token."""
        return span_in_line(self.line, self.raw, self.a, self.b)

    @property
    def value_span(self) -> Span:
        return span_in_line(self.line, self.raw, self.va, self.vb)


class Role(Record):
    __slots__ = ("name", "line", "has_colon", "_description", "_reading", "tokens", "all_tokens", "skills", "skills_disabled",
                 "leftover_keys", "glued", "raw", "_name_at", "_dash", "_end")
    _fields = ("name", "line", "name_span", "line_span", "has_colon", "description", "tokens", "all_tokens", "skills",
               "skills_disabled", "leftover_keys", "glued")

    def __init__(self, name: str, line: int, raw: str, name_at: int, dash: int, end: int, has_colon: bool, description: str = ""):
        self.name = name
        self.line = line
        self.raw = raw  # the role line
        self._name_at = name_at
        self._dash = dash
        self._end = end
        self.has_colon = has_colon
        self._description: str | None = description
        self._reading = BASELINE  # how the line was read (to read it again for the description)
        self.tokens: dict[str, Token] = {}  # the winning token per key
        self.all_tokens: list[Token] = []
        self.skills: list[Item] | None = None  # None = not given
        self.skills_disabled = False
        # (both almost always empty: then the one empty tuple)
        self.leftover_keys: list[tuple[str, Span]] | tuple[()] = ()  # `key=` left in the text
        self.glued: list[tuple[Token, Token]] | tuple[()] = ()  # (a value, the deleted `skills=` token inside it)

    @property
    def description(self) -> str:
        """The role line's text after the colon without its tokens, spaces squashed (worked out on first use,
        from the line read again: a role keeps no copy of that text)."""
        text = self._description
        if text is None:
            masked = _read_role_line(self.line, self.raw, self._reading)[1]
            text = self._description = _JS_SPACES.sub(" ", masked).strip(JS_SPACE)
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
    def thinking(self) -> str | None:
        token = self.tokens.get("thinking")
        return token.value if token else None

    @property
    def fallback_models(self) -> list[Item]:
        token = self.tokens.get("fallbackModels")
        if token is None:
            return []
        return [Item(m.group(), span_in_line(self.line, self.raw, token.va + m.start(), token.va + m.end()))
                for m in _FALLBACK_ITEM.finditer(token.value)]

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


def parse_role_line(line_no: int, raw: str, reading: Reading = BASELINE) -> Role | None:
    return _read_role_line(line_no, raw, reading, False)[0]


def _read_role_line(line_no: int, raw: str, reading: Reading, text_wanted: bool = True) -> tuple[Role | None, str]:
    """The role of a line, and the text after its colon with the tokens blanked (the description, unsquashed;
    "" when not ``text_wanted`` and the line takes the shortcut)."""
    if raw[:2] == "- ":  # the usual role line: no indentation, one space
        dash = 0
        text = raw[2:]
        base = 2
    else:
        lead = raw.lstrip(JS_SPACE)
        if lead[:1] != "-":
            return None, ""
        dash = len(raw) - len(lead)  # (no space character is a `-`)
        text = lead[1:]
        base = dash + 1
    body = text.lstrip(JS_SPACE)
    base += len(text) - len(body)  # index of the role text in raw
    body = body.rstrip(JS_SPACE)
    if not body:
        return None, ""
    colon = body.find(":")
    # the body starts with no space: the name starts with it, or is empty (a `:` first)
    name = (body[:colon].rstrip(JS_SPACE) if colon >= 0 else body)
    if not name:
        return None, ""
    end = base + len(body)
    role = Role(intern(name) if len(name) < 48 else name, line_no, raw, base, dash, end, colon >= 0)  # (names repeat across teams)
    if colon < 0:
        return role, ""
    meta_start = base + colon + 1
    meta = raw[meta_start:end]
    # Each pattern needs its key word (and `=`): most lines hold only `agent=`, so most scans are skipped.
    eq = meta.find("=")
    if eq >= 5 and not text_wanted and meta[eq - 5 : eq] == "agent" and meta.find("=", eq + 1) < 0 \
            and (eq == 5 or meta[eq - 6] not in _WORD_CHARS):
        # The usual line: one `=`, right after an `agent` word. Every key (and the `skills=` and
        # `fallbackModels=` deletions, and a key left without a value) needs an `=` of its own: only
        # `agent=` may be read here, and its token is the whole scan.
        keys = _key_patterns(reading)[0]
        match = keys.match(meta, eq - 5)
        if match is not None:
            va = match.start(2)
            token = role.tokens["agent"] = Token("agent", match.group(2), line_no, raw, meta_start + eq - 5, meta_start + match.end(),
                                                 meta_start + va)
            role.all_tokens.append(token)
            if reading is not BASELINE:
                role._reading = reading
            role._description = None  # squashed on first use: the checks never read it
            return role, ""
    if eq >= 0:
        cuts: list[Token] = []
        if "skills" in meta:
            meta, cuts = _delete_skills(role, meta, meta_start)
        if reading.role_fallback_models and "fallbackModels" in meta:
            meta = _blank_fallbacks(role, meta, meta_start, cuts)
        keys, leftover = _key_patterns(reading)
        meta = _scan(role, meta, meta_start, cuts, keys)
        if "=" in meta:
            for match in leftover.finditer(meta):
                a, b = _raw_at(match.start(), cuts, meta_start), _raw_at(match.end(), cuts, meta_start, True)
                found = (match.group(1), span_in_line(line_no, raw, a, b))
                if role.leftover_keys:
                    role.leftover_keys.append(found)  # type: ignore[union-attr]
                else:
                    role.leftover_keys = [found]
    if reading is not BASELINE:
        role._reading = reading
    role._description = None  # squashed on first use: the checks never read it
    return role, meta


def _raw_at(index: int, cuts: list[Token], meta_start: int, end: bool = False) -> int:
    """The role-line index of ``index`` in the metadata text left after the `skills=` deletions.

    A position right at a deletion maps before it for an end, after it for a start.
    """
    shift = meta_start
    for cut in cuts:
        at = cut.a - shift  # where the deleted token sat in the joined text
        if at > index or (end and at == index):
            break
        shift += cut.b - cut.a
    return index + shift


def _delete_skills(role: Role, meta: str, meta_start: int) -> tuple[str, list[Token]]:
    """pi-crew deletes every `skills=a,b` token (the last one wins) before it reads the other keys."""
    matches = _matches(_SKILLS, meta, "skills")
    if not matches:
        return meta, []
    line_no, raw = role.line, role.raw
    cuts: list[Token] = []
    pieces: list[str] = []
    last = 0
    for match in matches:
        a, b = match.span()
        va = match.start(1)
        token = Token("skills", match.group(1), line_no, raw, meta_start + a, meta_start + b, meta_start + va)
        cuts.append(token)
        pieces.append(meta[last:a])
        last = b
    pieces.append(meta[last:])
    role.all_tokens.extend(cuts)
    token = role.tokens["skills"] = cuts[-1]
    value = token.value
    if value == "false":
        role.skills_disabled = True
        role.skills = []
    elif "," not in value:  # one skill: the value is its name (the pattern allows nothing else)
        role.skills = [Item(value, span_in_line(line_no, raw, token.va, token.vb))]
    else:
        items: list[Item] = []
        seen: set[str] = set()
        for item in _SKILL_ITEM.finditer(value):
            if item.group() not in seen:
                seen.add(item.group())
                items.append(Item(item.group(), span_in_line(line_no, raw, token.va + item.start(), token.va + item.end())))
        role.skills = items
    return "".join(pieces), cuts


def _blank_fallbacks(role: Role, meta: str, meta_start: int, cuts: list[Token]) -> str:
    """`fallbackModels=a,b` tokens leave the text (the last one wins) before the key scan; blanked here,
    which reads the same as pi-crew's deletion except where a token is glued to the text before it."""
    for match in _matches(_js(_FALLBACKS), meta, "fallbackModels"):
        a, b = match.span()
        raw_a, raw_b = _raw_at(a, cuts, meta_start), _raw_at(b, cuts, meta_start, True)
        token = Token("fallbackModels", match.group(1), role.line, role.raw, raw_a, raw_b, _raw_at(match.start(1), cuts, meta_start))
        role.all_tokens.append(token)
        role.tokens["fallbackModels"] = token
        meta = meta[:a] + " " * (b - a) + meta[b:]
    return meta


def _scan(role: Role, meta: str, meta_start: int, cuts: list[Token], pattern: re.Pattern[str]) -> str:
    """One left-to-right scan for the version's keys (`agent=`, `model=`, …); returns the text with them blanked."""
    line_no, raw = role.line, role.raw
    tokens, all_tokens = role.tokens, role.all_tokens
    search = pattern.search
    # The usual line holds only `agent=`: with no other key word in it, every match starts at an `agent`,
    # so trying the pattern at each `agent` (found by a fast `find`) gives the same matches as the search.
    only_agent = "model" not in meta and "maxConcurrency" not in meta and "thinking" not in meta
    keys_at = pattern.match
    pos = 0
    while True:
        if only_agent:
            a = meta.find("agent", pos)
            if a < 0:
                return meta
            match = keys_at(meta, a)
            if match is None:
                pos = a + 1
                continue
        else:
            match = search(meta, pos)
            if match is None:
                return meta
            a = match.start()
        if a and meta[a - 1] in _WORD_CHARS:  # `\b` (ASCII): `subagent=x` holds no key
            pos = a + 1
            continue
        b = match.end()
        if only_agent:
            key, value = "agent", match.group(2)  # (one string for the key in every role line)
        else:
            key, value = match.group(1, 2)
            key = intern(key)
        va = match.start(2)
        if cuts:
            raw_b = _raw_at(b, cuts, meta_start, True)
            token = Token(key, value, line_no, raw, _raw_at(a, cuts, meta_start), raw_b, _raw_at(va, cuts, meta_start), raw_b)
            glued = [(token, cut) for cut in cuts if token.va < cut.a < token.vb]
            if glued:
                if role.glued:
                    role.glued.extend(glued)  # type: ignore[union-attr]
                else:
                    role.glued = glued
        else:
            token = Token(key, value, line_no, raw, meta_start + a, meta_start + b, meta_start + va)
        all_tokens.append(token)
        tokens[key] = token
        meta = meta[:a] + " " * (b - a) + meta[b:]
        pos = b


def parse_team(doc: Document, reading: Reading = BASELINE) -> Team:
    fm = doc.frontmatter
    roles: list[Role] = []
    lines = doc.lines
    for i in doc.body_lines:
        line = lines[i]
        if "-" in line:
            role = parse_role_line(i, line, reading)
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
