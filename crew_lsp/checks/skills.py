"""SKILL.md rules (CREW410)."""

from __future__ import annotations

from crew_lsp.checks.codes import Severity
from crew_lsp.checks.context import Ctx
from crew_lsp.checks.diagnostic import diag, edit, fix
from crew_lsp.resources.skill import Skill, valid_skill_name
from crew_lsp.resources.text import Span, utf16_len


def check_skill(ctx: Ctx, *, yaml_listing: bool = False) -> None:
    """`yaml_listing`: the version read parses SKILL.md frontmatter as YAML for its skill listing (pi-crew
    0.9.8 on): the listing's rules (`check_skill_listing`) replace the line reader's description rules."""
    skill: Skill = ctx.res.model  # type: ignore[assignment]
    fm = ctx.doc.frontmatter
    if not valid_skill_name(skill.folder):
        ctx.add(diag("CREW410", ctx.line_span(0), f"The folder name `{skill.folder}` is not a valid skill name (letters, digits, `_`, `-`, at most 80): the skill cannot be selected.", severity=Severity.ERROR))
    if yaml_listing:
        from crew_lsp.checks.skill_listing import check_skill_listing

        check_skill_listing(ctx)
        return
    if not fm.present:
        if fm.hidden_by is None and not fm.unclosed:
            ctx.add(diag("CREW410", ctx.line_span(0), "SKILL.md has no frontmatter: add `name:` and `description:`.",
                         fixes=[fix("Add frontmatter", edit(Span(0, 0, 0, 0), f"---{ctx.nl}name: {skill.folder}{ctx.nl}description: {ctx.nl}---{ctx.nl}"))]))
        return
    name = fm.fields.get("name")
    if name is None or not name.value:
        ctx.add(diag("CREW410", ctx.line_span(0), f"SKILL.md has no `name:`; it should be `{skill.folder}` (the folder name).",
                     fixes=[fix(f"Add `name: {skill.folder}`", edit(Span(1, 0, 1, 0), f"name: {skill.folder}{ctx.nl}"))]))
    elif name.value != skill.folder:
        ctx.add(diag("CREW410", name.value_span, f"`name: {name.value}` differs from the folder `{skill.folder}`; the folder name is what selects the skill.",
                     fixes=[fix(f"Change to `{skill.folder}`", edit(name.value_span, skill.folder), preferred=True)]))
    entry = fm.fields.get("description")
    if not skill.description and entry is not None and entry.value and not entry.indented:  # (CREW104 explains an indented one)
        k0 = entry.key_span.start
        ctx.add(diag("CREW410", entry.key_span, f"Skill discovery reads no description from `{ctx.doc.lines[entry.line][:entry.colon + 1]}`: it takes only a line starting exactly with `description:`.",
                     fixes=[fix("Change to `description:`", edit(Span(entry.line, k0, entry.line, utf16_len(ctx.doc.lines[entry.line][:entry.colon + 1])), "description:"), preferred=True)]))
    elif not skill.description and (entry is None or not entry.indented):
        ctx.add(diag("CREW410", name.value_span if name is not None and name.value else ctx.line_span(0), "SKILL.md has no `description:`; agents cannot tell when the skill applies."))
