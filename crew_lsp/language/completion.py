"""Completion: frontmatter keys and values, role-line metadata, step keys and values, placeholders, config JSON,
skill templates.

Works on the parsed resource plus the text of the cursor's line; a keystroke never re-parses the file.
One module per place the cursor can be: completion_frontmatter, completion_team, completion_workflow,
completion_config, completion_skill (shared cursor helpers in completion_context).
"""

from __future__ import annotations

from crew_lsp.language.completion_config import complete_config
from crew_lsp.language.completion_frontmatter import FrontmatterCompletion
from crew_lsp.language.completion_skill import skill_templates
from crew_lsp.language.completion_team import TeamBodyCompletion
from crew_lsp.language.completion_workflow import WorkflowBodyCompletion
from crew_lsp.language.locate import in_frontmatter
from crew_lsp.language.types import CompletionItem
from crew_lsp.resources.frontmatter import Document
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.text import index_of_col16


def complete(res: Resource, snap: Snapshot, line: int, character: int, snippets: bool = True) -> list[CompletionItem]:
    """Completion items at a position (0-based line, UTF-16 column)."""
    if res.kind == "config":
        return complete_config(res, snap, line, character, snippets)
    doc = res.doc
    if doc is None or not 0 <= line < len(doc.lines):
        return []
    text = doc.lines[line]
    idx = index_of_col16(text, character)
    cursor = (res, snap, doc, line, text, idx, snippets)
    if in_frontmatter(res, line) or _typing_frontmatter(doc, line):
        return FrontmatterCompletion(*cursor).frontmatter()
    if line < doc.frontmatter.body_start:
        return []
    if res.kind == "team":
        return TeamBodyCompletion(*cursor).team_body()
    if res.kind == "workflow":
        return WorkflowBodyCompletion(*cursor).workflow_body()
    if res.kind == "skill":
        return skill_templates(res, line, text, idx, snippets)
    return []


def _typing_frontmatter(doc: Document, line: int) -> bool:
    """A block opened with `---` but not closed yet: the author is writing the frontmatter."""
    if not doc.frontmatter.unclosed or line < 1:
        return False
    for i in range(1, line + 1):
        s = doc.lines[i].strip()
        if s.startswith(("-", "##")) or (i < line and s and not s.startswith("#") and ":" not in s):
            return False
    return True
