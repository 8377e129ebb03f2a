"""Agents (formats §3): frontmatter fields plus the body as system prompt."""

from __future__ import annotations

from dataclasses import dataclass

from crew_lsp.resources.frontmatter import Document, csv_items, leading_int, parse_bool


@dataclass(slots=True)
class Agent:
    description: str
    model: str | None
    fallback_models: list[str]
    thinking: str | None
    tools: list[str]  # empty = unrestricted
    skills: list[str]
    system_prompt_mode: str
    inherit_project_context: bool
    inherit_skills: bool
    max_turns: int | None
    disabled: bool
    system_prompt: str
    triggers: list[str]
    use_when: list[str]
    cost: str | None


def parse_agent(doc: Document) -> Agent:
    fm = doc.frontmatter
    f = fm.fields

    def items(*keys: str) -> list[str]:
        for key in keys:
            if key in f:
                return [i.text for i in csv_items(f[key])]
        return []

    model = fm.get("model")
    thinking = fm.get("thinking")
    max_turns = leading_int(fm.get("maxTurns") or "")
    disabled = parse_bool(fm.get("disabled")) is True or parse_bool(fm.get("enabled")) is False
    body = "\n".join(doc.lines[i] for i in doc.body_lines).strip()
    return Agent(
        description=fm.get("description") or "No description provided.",
        model=None if model in (None, "", "false") else model,
        fallback_models=items("fallbackModels"),
        thinking=None if thinking in (None, "", "false") else thinking,
        tools=items("tools"),
        skills=items("skills", "skill"),
        system_prompt_mode="append" if fm.get("systemPromptMode") == "append" else "replace",
        inherit_project_context=fm.get("inheritProjectContext") == "true",
        inherit_skills=fm.get("inheritSkills") == "true",
        max_turns=max_turns if max_turns is not None and max_turns > 0 else None,
        disabled=disabled,
        system_prompt=body,
        triggers=items("triggers", "trigger"),
        use_when=items("useWhen"),
        cost=fm.get("cost"),
    )
