"""Agents (docs/formats.md, Agents): frontmatter fields plus the body as system prompt."""

from __future__ import annotations

from crew_lsp.resources.frontmatter import Document, csv_texts, leading_int, parse_bool
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import js_trim


class Agent(Record):
    __slots__ = ("description", "model", "fallback_models", "thinking", "tools", "skills", "system_prompt_mode",
                 "inherit_project_context", "inherit_skills", "max_turns", "disabled", "_system_prompt", "triggers", "use_when", "cost",
                 "_doc")
    _fields = ("description", "model", "fallback_models", "thinking", "tools", "skills", "system_prompt_mode",
               "inherit_project_context", "inherit_skills", "max_turns", "disabled", "system_prompt", "triggers", "use_when", "cost")

    def __init__(self, description: str, model: str | None, fallback_models: list[str], thinking: str | None, tools: list[str],
                 skills: list[str], system_prompt_mode: str, inherit_project_context: bool, inherit_skills: bool, max_turns: int | None,
                 disabled: bool, system_prompt: str | None, triggers: list[str], use_when: list[str], cost: str | None,
                 doc: Document | None = None):
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
        self.triggers = triggers
        self.use_when = use_when
        self.cost = cost

    @property
    def system_prompt(self) -> str:
        prompt = self._system_prompt
        if prompt is None:
            prompt = js_trim(self._doc.body_text) if self._doc is not None else ""
        return prompt


def parse_agent(doc: Document) -> Agent:
    f = doc.frontmatter.fields

    def value(key: str) -> str | None:
        entry = f.get(key)
        return entry.value if entry is not None else None

    def items(key: str, alias: str | None = None) -> list[str]:
        entry = f.get(key)
        if entry is None and alias is not None:
            entry = f.get(alias)
        return csv_texts(entry.value) if entry is not None else []

    model = value("model")
    thinking = value("thinking")
    max_turns = leading_int(value("maxTurns") or "")
    disabled = parse_bool(value("disabled")) is True or parse_bool(value("enabled")) is False
    return Agent(
        description=value("description") or "No description provided.",
        model=None if model in (None, "", "false") else model,
        fallback_models=items("fallbackModels"),
        thinking=None if thinking in (None, "", "false") else thinking,
        tools=items("tools"),
        skills=items("skills", "skill"),
        system_prompt_mode="append" if value("systemPromptMode") == "append" else "replace",
        inherit_project_context=value("inheritProjectContext") == "true",
        inherit_skills=value("inheritSkills") == "true",
        max_turns=max_turns if max_turns is not None and max_turns > 0 else None,
        disabled=disabled,
        system_prompt=None,
        triggers=items("triggers", "trigger"),
        use_when=items("useWhen"),
        cost=value("cost"),
        doc=doc,
    )
