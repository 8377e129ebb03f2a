"""Agent rules: the system prompt and the fields that name models, tools and skills."""

from __future__ import annotations

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag
from crew_lsp.checks.references import check_model, check_skills, check_thinking, check_tools, model_ok, skills_known
from crew_lsp.resources.agent import NO_TOOLS, Agent
from crew_lsp.resources.fields import THINKING_LEVELS
from crew_lsp.resources.frontmatter import comma_items, csv_items, csv_texts
from crew_lsp.resources.text import js_trim

_THINKING_OK = frozenset(("", "false", *THINKING_LEVELS))  # values `check_thinking` accepts


def check_agent(ctx: Ctx) -> None:
    agent: Agent = ctx.res.model  # type: ignore[assignment]
    fm = ctx.doc.frontmatter
    if fm.present and not agent.has_system_prompt:
        why = "its body is empty" if not js_trim(ctx.doc.body_text) else \
            "nothing is left of its body once pi-crew removes comments, invisible characters and override lines"
        ctx.add(diag("CREW113", ctx.name_span(), f"The agent has no system prompt: {why}, so the worker gets only the default prompt."))
    f = fm.fields
    handled = ctx.handled_lines
    entry = f.get("model")
    if entry is not None and entry.line not in handled and not model_ok(entry.value):
        check_model(ctx, entry.value, entry.value_span, "agent")
    entry = f.get("fallbackModels")  # (the agent's lists are these values' CSV texts)
    if entry is not None and entry.line not in handled and not all(model_ok(t) for t in agent.fallback_models):
        for item in csv_items(entry):
            check_model(ctx, item.text, item.span, "fallback")
    entry = f.get("thinking")
    if entry is not None and entry.line not in handled and entry.value not in _THINKING_OK:
        check_thinking(ctx, entry.value, entry.value_span)
    entry = f.get("contextMode")
    if entry is not None and entry.value == "fork" and entry.line not in handled and ctx.reading.fork_context_warns:
        ctx.add(diag("CREW122", entry.value_span, "pi-crew logs a warning for `contextMode: fork` when it reads this agent; "
                     "`fresh` (the default) starts the worker without the parent's conversation."))
    entry = f.get("tools")
    if entry is not None and entry.line not in handled and entry.value:
        reading = ctx.reading
        if reading.tools_split and entry.value in NO_TOOLS:
            if ctx.res.scope == "project":
                ctx.add(diag("CREW120", entry.value_span, f"`tools: {entry.value}` lists no tools, and an empty list passes no tool limit: this project agent gets every tool (less its role's exclusions). List the tools it may use.",
                             data={"value": entry.value}))
        elif not all(t in reading.tools for t in agent.tools):
            check_tools(ctx, comma_items(entry) if reading.tools_split else csv_items(entry))
    for key in ("skills", "skill"):  # no `false` convention here: `skills: false` names a skill `false`
        entry = f.get(key)
        if entry is None or entry.line in handled:
            continue
        texts = agent.skills if key == "skills" or "skills" not in f else csv_texts(entry.value)  # (`skills` wins over `skill`)
        if not skills_known(ctx, texts):
            check_skills(ctx, csv_items(entry))
