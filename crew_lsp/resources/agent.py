"""Agents (docs/formats.md, Agents): frontmatter fields plus the body as system prompt."""

from __future__ import annotations

import re
from sys import intern

from crew_lsp.resources.frontmatter import Document, csv_texts, leading_int
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import js_trim
from crew_lsp.resources.versions import BASELINE, Reading

NO_TOOLS = ("none", "[]")  # `tools:` words for an empty list (which lists no tools, so the worker gets every tool)
ALL_TOOLS = ("all", "*")  # `tools:` words for the builtin tools (any case)


def split_tools(value: str, reading: Reading) -> list[str]:
    """The `tools:` list as the version reads it: quote-aware CSV, or (since 0.8.1) a plain split on `,`."""
    if not reading.tools_split:
        return csv_texts(value)
    word = js_trim(value)
    if word in NO_TOOLS:
        return []
    if word.lower() in ALL_TOOLS:
        return list(reading.builtin_tools)
    return [intern(t) for t in (js_trim(p) for p in value.split(",")) if t]  # (see csv_texts)


class Agent(Record):
    __slots__ = ("description", "model", "fallback_models", "thinking", "tools", "skills", "system_prompt_mode",
                 "inherit_project_context", "inherit_skills", "max_turns", "disabled", "_system_prompt", "_triggers", "_use_when", "cost",
                 "_doc", "_sanitised_as")
    _fields = ("description", "model", "fallback_models", "thinking", "tools", "skills", "system_prompt_mode",
               "inherit_project_context", "inherit_skills", "max_turns", "disabled", "system_prompt", "triggers", "use_when", "cost")

    def __init__(self, description: str, model: str | None, fallback_models: list[str], thinking: str | None, tools: list[str],
                 skills: list[str], system_prompt_mode: str, inherit_project_context: bool, inherit_skills: bool, max_turns: int | None,
                 disabled: bool, system_prompt: str | None, triggers: list[str] | None, use_when: list[str] | None, cost: str | None,
                 doc: Document | None = None, sanitised_as: str | None = None):
        self.description = description
        self.model = model
        self.fallback_models = fallback_models
        self.thinking = thinking
        self.tools = tools  # empty = unrestricted
        self.skills = skills
        self.system_prompt_mode = system_prompt_mode
        self.inherit_project_context = inherit_project_context
        self.inherit_skills = inherit_skills
        self.max_turns = max_turns
        self.disabled = disabled
        self._system_prompt = system_prompt  # None: the body of `_doc`, trimmed when asked (an index keeps no copy)
        self._doc = doc
        self._sanitised_as = sanitised_as  # a scope: the prompt is sanitised as pi-crew does for it (since 0.3.9)
        self._triggers = triggers  # None: split from `_doc` when asked (routing hints: no check reads them)
        self._use_when = use_when
        self.cost = cost

    @property
    def triggers(self) -> list[str]:
        found = self._triggers
        if found is None:
            found = self._triggers = _csv_field(self._doc, "triggers", "trigger")
        return found

    @property
    def use_when(self) -> list[str]:
        found = self._use_when
        if found is None:
            found = self._use_when = _csv_field(self._doc, "useWhen")
        return found

    @property
    def system_prompt(self) -> str:
        prompt = self._system_prompt
        if prompt is None:
            if self._doc is None:
                return ""
            body = self._doc.body_text
            prompt = sanitised_prompt(body, self._sanitised_as) if self._sanitised_as is not None else js_trim(body)
        return prompt

    @property
    def has_system_prompt(self) -> bool:
        """Whether `system_prompt` is not empty. The usual body answers from its first text line: one
        that no sanitising can touch (ASCII, no `<`, `[` or backtick, not starting with a key word of the
        override or persona lines) stays in the prompt, so the prompt is not worked out."""
        doc = self._doc
        if self._system_prompt is None and doc is not None:
            text = doc.text
            pos, size = doc.body_offset, len(text)
            while pos < size:
                end = text.find("\n", pos)
                if end < 0:
                    end = size
                line = text[pos:end]
                if line.strip():  # (`str.strip` also drops \x1c-\x1f: such a line is passed over, never judged)
                    if line.isascii() and "<" not in line and "[" not in line and "`" not in line \
                            and not line.lstrip(" \t").lower().startswith(_LINE_WORDS):
                        return True
                    break
                pos = end + 1
        return bool(self.system_prompt)


# (compiled on first use, through `re`'s own cache: a check sanitises only the rare prompt `has_system_prompt`
# cannot judge from its first line, so most runs compile none of them)
_INVISIBLE = "[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]"
_MARKUP = r"<!--.*?-->|<script\b[^>]*>.*?</script\s*>|</?script\b[^>]*>"
_OVERRIDES = r"^[ \t]*(?:SYSTEM|OVERRIDE)[ \t]*:[^\n]*$|\[SYSTEM:[^\]]*\]|^```system\b(?:(?!^```)[\s\S])*^```"
_PROJECT_LINES = r"^[ \t]*(?:role|persona|behavior|directive)[ \t]*:.*$"
_BLANK_RUNS = r"\n{3,}"
_PROJECT_WORDS = ("role", "persona", "behavior", "directive")
_LINE_WORDS = ("system", "override", *_PROJECT_WORDS)  # the first words of the lines `sanitised_prompt` removes


def sanitised_prompt(body: str, scope: str) -> str:
    """The system prompt after pi-crew's sanitising (since 0.3.9): invisible characters, HTML comments and
    script tags go for every agent; override lines for user and project agents; persona lines for project ones."""
    # each pattern runs only when its cheap marker is present: most prompts hold none (a 2k-file check)
    text = re.sub(_INVISIBLE, "", body) if not body.isascii() else body
    if "<" in text:
        text = re.sub(_MARKUP, "", text, flags=re.S | re.I)
    lower = text.lower()
    if scope != "builtin" and ("system" in lower or "override" in lower):
        text = re.sub(_OVERRIDES, "", text, flags=re.M | re.I)
    if scope == "project" and any(word in lower for word in _PROJECT_WORDS):
        text = re.sub(_PROJECT_LINES, "", text, flags=re.M | re.I)
    if "\n\n\n" in text:
        text = re.sub(_BLANK_RUNS, "\n\n", text)
    return js_trim(text)


def _csv_field(doc: Document | None, key: str, alias: str | None = None) -> list[str]:
    """The CSV texts of a frontmatter key (or, when it is absent, of its alias)."""
    if doc is None:
        return []
    fields = doc.frontmatter.fields
    entry = fields.get(key)
    if entry is None and alias is not None:
        entry = fields.get(alias)
    return csv_texts(entry.value) if entry is not None else []


def parse_agent(doc: Document, reading: Reading = BASELINE, scope: str = "project") -> Agent:
    f = doc.frontmatter.fields
    get = f.get
    # (each field looked up inline: a call per field costs more than the look itself)
    entry = get("model")
    model = entry.value if entry is not None else None
    entry = get("thinking")
    thinking = entry.value if entry is not None else None
    entry = get("maxTurns")
    max_turns = leading_int(entry.value) if entry is not None and entry.value else None
    entry = get("disabled")
    disabled = entry is not None and entry.value == "true"
    if not disabled:
        entry = get("enabled")
        disabled = entry is not None and entry.value == "false"
    entry = get("description")
    description = entry.value if entry is not None and entry.value else "No description provided."
    entry = get("fallbackModels")
    fallback_models = csv_texts(entry.value) if entry is not None else []
    entry = get("tools")
    tools = split_tools(entry.value if entry is not None else "", reading)
    entry = get("skills") or get("skill")
    skills = csv_texts(entry.value) if entry is not None else []
    entry = get("systemPromptMode")
    mode = "append" if entry is not None and entry.value == "append" else "replace"
    entry = get("inheritProjectContext")
    inherit_project_context = entry is not None and entry.value == "true"
    entry = get("inheritSkills")
    inherit_skills = entry is not None and entry.value == "true"
    entry = get("cost")
    return Agent(description, None if model in (None, "", "false") else model, fallback_models,
                 None if thinking in (None, "", "false") else thinking, tools, skills, mode, inherit_project_context, inherit_skills,
                 max_turns if max_turns is not None and max_turns > 0 else None, disabled, None, None, None,
                 entry.value if entry is not None else None, doc, scope if reading.sanitised_prompt else None)
