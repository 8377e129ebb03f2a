"""SKILL.md rules for readings where the skill listing parses YAML (CREW140–CREW146; docs/formats.md, Skills at 0.10).

From pi-crew 0.9.8 on, a skill whose frontmatter fails validation is silently left out of the listing
agents choose skills from: each reason is an error on the token at fault. A key pi-crew does not know
is kept (Information), and so is a description the injected prompt header shows differently.

These rules replace the line-grammar ones for a skill (`check_block`, `check_keys` and the
description part of `check_skill`), whose findings describe a reader such a version no longer uses.
"""

from __future__ import annotations

import re

from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag, edit, fix
from crew_lsp.resources.skill_yaml import NAME_MAX, NAME_PATTERN, SkillListing, read_skill_listing
from crew_lsp.resources.yaml_npm import YamlError, compose
from crew_lsp.resources.text import Span, col16, index_of_col16

_DROPPED_CODES = {"frontmatter": "CREW140", "name": "CREW141", "description": "CREW142"}  # any other field: CREW143
_TODO_DESCRIPTION = "TODO - what this skill teaches and when it applies"  # (no `: `, which YAML would refuse)
_PLAIN_LINE = re.compile(r"(?P<key>[A-Za-z0-9_-]+):[ \t]+(?P<value>[^\s\"'].*?)[ \t]*\Z")


def check_skill_listing(ctx: Ctx, *, header_keeps_quotes: bool = True) -> SkillListing:
    """Every finding of the YAML skill listing for this SKILL.md; returns the listing for callers that want it.

    `header_keeps_quotes`: the header injected into worker prompts still reads the description line by
    line (quotes and a block-scalar `>` kept), as pi-crew 0.10 does: a description it shows differently
    from the listing is reported (CREW145). A reading whose header unquotes too passes False.
    """
    listing = read_skill_listing(ctx.res.text)
    folder = ctx.res.file_name
    if not listing.has_frontmatter:
        name = folder if NAME_PATTERN.match(folder) else _hyphen_case(folder) or "skill"
        block = f"---{ctx.nl}name: {name}{ctx.nl}description: {_TODO_DESCRIPTION}{ctx.nl}---{ctx.nl}"
        ctx.add(diag("CREW410", ctx.line_span(0), "SKILL.md has no frontmatter (`---` on the first line): the skill is listed with an empty description, so agents cannot tell when it applies.",
                     fixes=[fix("Add frontmatter", edit(Span(0, 0, 0, 0), block))]))
        return listing
    for finding in listing.findings:
        if not finding.dropped:
            code = "CREW146" if finding.field == "size" else "CREW144"
            ctx.add(diag(code, finding.span, f"{finding.message[:1].upper()}{finding.message[1:]}.", data={"field": finding.field}))
            continue
        code = _DROPPED_CODES.get(finding.field, "CREW143")
        ctx.add(diag(code, finding.span, f"This skill is missing from pi-crew's skill listing: {finding.message}.",
                     fixes=_fixes(ctx, finding.field, finding.message, finding.span, folder), data={"field": finding.field}))
    if listing.dropped:
        return listing
    if listing.name is not None and listing.name != folder and listing.name_span is not None:
        ctx.add(diag("CREW410", listing.name_span, f"`name: {listing.name}` differs from the folder `{folder}`; the folder name is what selects the skill.",
                     fixes=[fix(f"Change to `{folder}`", edit(listing.name_span, folder), preferred=True)] if NAME_PATTERN.match(folder) else None))
    header = listing.header_description
    if header_keeps_quotes and listing.description_span is not None and header is not None and header != listing.description:
        shown = f"`{header}`" if header else "no description"
        ctx.add(diag("CREW145", listing.description_span, f"The skill listing reads this description as `{_short(listing.description)}`, but the header injected into worker prompts shows {_short(shown)}: it reads the `description:` line as written.",
                     fixes=_unquote(ctx, listing.description_span)))
    return listing


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def _fixes(ctx: Ctx, field: str, message: str, span: Span, folder: str) -> list[dict] | None:
    if field == "name" and "hyphen-case" in message:
        wanted = folder if NAME_PATTERN.match(folder) and len(folder) <= NAME_MAX else _hyphen_case(_text(ctx, span))
        return [fix(f"Change to `{wanted}`", edit(span, wanted), preferred=True)] if wanted else None
    if field == "frontmatter" and "nested mapping" in message:
        line = ctx.doc.lines[span.line]
        m = _PLAIN_LINE.match(line)
        if m is not None:
            value = m.group("value")
            quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            value_span = Span(span.line, col16(line, m.start("value")), span.line, col16(line, m.end("value")))
            return [fix("Quote the value (the prompt header then shows the quotes)", edit(value_span, quoted), preferred=True)]
    return None


def _text(ctx: Ctx, span: Span) -> str:
    """The text of a one-line span (its columns are UTF-16 units)."""
    line = ctx.doc.lines[span.line]
    return line[index_of_col16(line, span.start) : index_of_col16(line, span.end)]


def _hyphen_case(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:NAME_MAX].strip("-")


def _unquote(ctx: Ctx, span: Span) -> list[dict] | None:
    """"Remove the quotes" when the unquoted text reads as the same string (so the listing stays the same)."""
    if span.line != span.end_line:
        return None
    value = _text(ctx, span)
    if len(value) < 2 or value[0] not in "\"'" or value[-1] != value[0]:
        return None
    inner = value[1:-1]
    try:
        before, after = compose(f"d: {value}"), compose(f"d: {inner}")
    except YamlError:  # the unquoted text is no YAML: no fix
        return None
    same = before is not None and after is not None and after.items and after.items[0][1].type == "string" and after.items[0][1].value == before.items[0][1].value
    return [fix("Remove the quotes", edit(span, inner), preferred=True)] if same else None
