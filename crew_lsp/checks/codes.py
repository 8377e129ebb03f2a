"""The diagnostic code table in one place; each code is explained in docs/codes.md."""

from __future__ import annotations

from enum import IntEnum


class Severity(IntEnum):
    """Numbered as LSP numbers them."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()


E, W, I, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT

# Where every diagnostic links (`codeDescription.href`, SARIF `helpUri`): the section `## CREWnnn` of
# docs/codes.md, whose GitHub anchor is the lower-cased code.
DOCS_URL = "https://github.com/crew-lsp/crew-lsp/blob/main/docs/codes.md#"

CODES: dict[str, tuple[Severity, str]] = {
    # takes the severity of the most severe diagnostic it stands for (see diagnostic.finish)
    "CREW001": (I, "more diagnostics in this file than are listed"),
    "CREW100": (W, "no frontmatter; name and description default"),
    "CREW101": (E, "frontmatter hidden by a BOM, blank line or spaces before `---`"),
    "CREW102": (E, "frontmatter never closed"),
    "CREW103": (W, "frontmatter line without `:` is skipped"),
    "CREW104": (W, "YAML construct the line parser misreads"),
    "CREW105": (W, "quoted value kept literally"),
    "CREW106": (W, "duplicate key; the later one wins"),
    "CREW107": (W, "unknown key for this kind"),
    "CREW108": (W, "boolean not exactly `true`/`false`"),
    "CREW109": (W, "value outside the field's allowed set"),
    "CREW110": (W, "number not a positive integer or out of range"),
    "CREW111": (I, "description missing"),
    "CREW112": (I, "`name` differs from the file name"),
    "CREW113": (W, "empty body"),
    "CREW114": (W, "file not read: too large, binary, not a regular file, or a symlink leaving the workspace"),
    "CREW120": (W, "`tools: none` on a project agent grants every tool"),
    "CREW121": (W, "agent in `.crew/agents` hidden by one in `.pi/agents`"),
    "CREW122": (W, "`contextMode: fork`, which pi-crew warns about"),
    # SKILL.md where the skill listing parses YAML (pi-crew 0.9.8 on): errors leave the skill out of the listing
    "CREW140": (E, "skill left out of the listing: YAML error, or frontmatter not a mapping"),
    "CREW141": (E, "skill left out of the listing: `name` not lower-case hyphen-case, empty or over 64 characters"),
    "CREW142": (E, "skill left out of the listing: `description` missing, not a string, over 1024 characters or with `<`/`>`"),
    "CREW143": (E, "skill left out of the listing: `license`, `allowed-tools`, `metadata`, `compatibility`, `version` or `author` of the wrong type"),
    "CREW144": (I, "skill key pi-crew does not know (the skill is kept)"),
    "CREW145": (I, "prompt header shows the description differently from the listing"),
    "CREW146": (I, "SKILL.md frontmatter too large to check as YAML"),
    "CREW201": (E, "role references an unknown agent"),
    "CREW202": (E, "`defaultWorkflow` names an unknown workflow"),
    "CREW203": (W, "duplicate role name"),
    "CREW204": (W, "body line parsed as a role by accident"),
    "CREW205": (W, "bad role metadata"),
    "CREW206": (I, "no `defaultWorkflow`: the team runs `default`"),
    "CREW207": (E, "role references a disabled agent"),
    "CREW301": (E, "step role not defined by the team that runs the workflow"),
    "CREW302": (E, "`dependsOn` names no step"),
    "CREW303": (E, "dependency cycle"),
    "CREW304": (E, "duplicate step id"),
    "CREW305": (W, "unknown step key"),
    "CREW306": (W, "heading turned into a step by accident"),
    "CREW307": (W, "bad step value"),
    "CREW308": (E, "`output`/`reads` absolute or with a `..` segment"),
    "CREW309": (W, "`reads` names a file no step outputs"),
    "CREW310": (W, "unknown placeholder"),
    "CREW311": (W, "no frontmatter and CRLF line endings: every metadata line is lost"),
    "CREW312": (E, "workflow has no steps"),
    "CREW313": (W, "workflow `implementation` without an `assess` step"),
    "CREW314": (H, "workflow no team uses"),
    "CREW330": (W, "`preStep*` key dropped from a project workflow"),
    "CREW401": (W, "model reference contains whitespace"),
    "CREW402": (W, "model reference with an empty segment"),
    "CREW403": (W, "unknown skill"),
    "CREW404": (W, "invalid skill name"),
    "CREW405": (W, "unknown tool name"),
    "CREW406": (W, "invalid thinking level"),
    "CREW407": (W, "project resource shadowed by a builtin or user one"),
    "CREW408": (W, "agent names differ only by case across scopes"),
    "CREW409": (W, "two files in one scope declare the same name"),
    "CREW410": (W, "SKILL.md problem"),
    "CREW501": (E, "config is not valid JSON or not an object"),
    "CREW502": (W, "unknown config key"),
    "CREW503": (W, "config value of wrong type, range, enum or pattern"),
    "CREW504": (W, "sensitive key in project config"),
    "CREW505": (I, "advisory range"),
    "CREW510": (W, "agent override names no agent (drift)"),
    "CREW601": (E, "AGENTS.md guidance markers unbalanced or reversed"),
    "CREW602": (W, "second guidance section, never read"),
    "CREW603": (W, "unclosed block or stray text pi-crew deletes"),
    "CREW604": (W, "CRLF line endings make pi-crew drop every block"),
    "CREW605": (E, "invalid guidance block id"),
}


def doc_url(code: str) -> str:
    return DOCS_URL + code.lower()
