"""Values that name things: models, thinking levels, tools and skills (CREW401–CREW406)."""

from __future__ import annotations

import re

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag, edit, fix
from crew_lsp.checks.suggest import did_you_mean, suggest
from crew_lsp.resources.fields import THINKING_LEVELS
from crew_lsp.resources.frontmatter import Item
from crew_lsp.resources.skill import valid_skill_name
from crew_lsp.resources.text import Span, utf16_len

_WS = re.compile(r"\s")


def model_ok(model: str) -> bool:
    """True when `check_model` would say nothing (the common case, decided without a span)."""
    if not model or model == "false":
        return True
    if _WS.search(model):
        return False
    base, _, thinking = model.partition(":")
    if "/" in base:
        provider, _, name = base.partition("/")
        if not provider or not name:
            return False
    return not thinking or thinking in THINKING_LEVELS


def check_model(ctx: Ctx, model: str, span: Span, where: str) -> None:
    if not model or model == "false":
        return
    if _WS.search(model):
        squeezed = "".join(model.split())
        ctx.add(diag("CREW401", span, f"The {where} model `{model}` contains whitespace; no provider has such a model id.",
                     fixes=[fix(f"Change to `{squeezed}`", edit(span, squeezed), preferred=True)]))
        return
    base, _, thinking = model.partition(":")
    if "/" in base:
        provider, _, name = base.partition("/")
        if not provider or not name:
            ctx.add(diag("CREW402", span, f"The {where} model `{model}` has an empty {'provider' if not provider else 'model'} part; use `provider/model` or just `model`."))
            return
    if thinking and thinking not in THINKING_LEVELS:
        close = suggest(thinking, THINKING_LEVELS)
        start = span.start + utf16_len(base) + 1
        tspan = Span(span.line, start, span.end_line, span.end)
        ctx.add(diag("CREW406", tspan, f"`:{thinking}` is not a thinking level ({', '.join(THINKING_LEVELS)}){did_you_mean(close)}",
                     fixes=[fix(f"Change to `{c}`", edit(tspan, c)) for c in close]))


def check_thinking(ctx: Ctx, value: str, span: Span) -> None:
    if not value or value == "false" or value in THINKING_LEVELS:
        return
    close = suggest(value, THINKING_LEVELS)
    ctx.add(diag("CREW406", span, f"`{value}` is not a thinking level ({', '.join(THINKING_LEVELS)}); it is ignored at run time{did_you_mean(close)}",
                 fixes=[fix(f"Change to `{c}`", edit(span, c), preferred=i == 0) for i, c in enumerate(close)]))


def check_tools(ctx: Ctx, items: list[Item]) -> None:
    tools = ctx.reading.tools
    for item in items:
        if item.text not in tools:
            if ctx.reading.tools_split and '"' in item.text and item.text.replace('"', "") in tools:
                bare = item.text.replace('"', "")
                ctx.add(diag("CREW405", item.span, f"Unknown tool `{item.text}`: `tools:` is split on `,` only and its quotes are kept, so this is not `{bare}`",
                             fixes=[fix(f"Change to `{bare}`", edit(item.span, bare), preferred=True)]))
                continue
            close = suggest(item.text, tools)
            ctx.add(diag("CREW405", item.span, f"Unknown tool `{item.text}` (tools are {', '.join(tools)}){did_you_mean(close)}",
                         fixes=[fix(f"Change to `{c}`", edit(item.span, c), preferred=i == 0) for i, c in enumerate(close)]))


def skills_known(ctx: Ctx, texts: list[str]) -> bool:
    """True when every name is a valid, known skill: `check_skills` would say nothing."""
    known = ctx.skills
    return all(t in known and valid_skill_name(t) for t in texts)


def check_skills(ctx: Ctx, items: list[Item]) -> None:
    known = ctx.skills
    for item in items:
        if not valid_skill_name(item.text):
            ctx.add(diag("CREW404", item.span, f"`{item.text}` is not a valid skill name (letters, digits, `_` and `-`, at most 80): it is dropped."))
        elif item.text not in known:
            close = suggest(item.text, ctx.snap.names("skills"))
            ctx.add(diag("CREW403", item.span, f"Unknown skill `{item.text}`: the prompt will say it is missing{did_you_mean(close)}",
                         fixes=[fix(f"Change to `{c}`", edit(item.span, c), preferred=i == 0) for i, c in enumerate(close)],
                         data={"skill": item.text, "suggestions": close}))
