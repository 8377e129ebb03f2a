"""Agent rules: the system prompt and the fields that name models, tools and skills."""

from __future__ import annotations

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag
from crew_lsp.checks.references import check_model, check_skills, check_thinking, check_tools
from crew_lsp.resources.agent import Agent
from crew_lsp.resources.frontmatter import csv_items


def check_agent(ctx: Ctx) -> None:
    agent: Agent = ctx.res.model  # type: ignore[assignment]
    fm = ctx.doc.frontmatter
    if fm.present and not agent.system_prompt:
        ctx.add(diag("CREW113", ctx.name_span(), "The agent has no system prompt: its body is empty, so the worker gets only the default prompt."))
    f = fm.fields
    handled = ctx.handled_lines
    if "model" in f and f["model"].line not in handled:
        check_model(ctx, f["model"].value, f["model"].value_span, "agent")
    if "fallbackModels" in f and f["fallbackModels"].line not in handled:
        for item in csv_items(f["fallbackModels"]):
            check_model(ctx, item.text, item.span, "fallback")
    if "thinking" in f and f["thinking"].line not in handled:
        check_thinking(ctx, f["thinking"].value, f["thinking"].value_span)
    if "tools" in f and f["tools"].line not in handled and f["tools"].value:
        check_tools(ctx, csv_items(f["tools"]))
    for key in ("skills", "skill"):  # no `false` convention here: `skills: false` names a skill `false`
        if key in f and f[key].line not in handled:
            check_skills(ctx, csv_items(f[key]))
