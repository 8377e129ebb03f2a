"""Export agents, teams, workflows and skills to other coding-agent tools (docs/editor.md, Export).

One pure function, `export`, turns resources into the files another tool reads:

| target | agent | team / workflow | skill |
|---|---|---|---|
| `claude` (Claude Code) | subagent `.claude/agents/<name>.md` | slash command `.claude/commands/crew-<kind>-<name>.md`, the goal as its arguments | `.claude/skills/<name>/SKILL.md` |
| `cursor` | rule `.cursor/rules/crew-<kind>-<name>.mdc` (applied when relevant) | the same | the same |
| `codex` | one `crew-lsp-export` block in the guidance section of `AGENTS.md` | the same | the same |

Names keep their letters in any script (`Ünïcode Agent!!` → `ünïcode-agent`); a name with none is
not exported. What a target cannot hold — a model id, a thinking level, tools it does not have —
is listed in `dropped` with the reason, never silently lost. The result is a WorkspaceEdit: a file
that exists is replaced whole (and left alone when it already holds the same text); nothing is
written here.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable

from crew_lsp.language.guidance import update_edit
from crew_lsp.language.types import TextEdit, WorkspaceEdit
from crew_lsp.resources.model import Resource
from crew_lsp.resources.record import Record
from crew_lsp.resources.text import Span, offset_at, split_lines, utf16_len

TARGETS = {"claude": "Claude Code", "cursor": "Cursor", "codex": "Codex"}
EXPORT_BLOCK = "crew-lsp-export"
_NOT_NAME = re.compile(r"[\W_]+")
_MAX_SLUG = 80
# pi-crew tool names → Claude Code's (an agent without `tools` may use every tool: nothing to map)
CLAUDE_TOOLS = {"read": "Read", "write": "Write", "edit": "Edit", "bash": "Bash", "grep": "Grep", "find": "Glob",
                "ls": "LS", "glob": "Glob", "webfetch": "WebFetch", "websearch": "WebSearch"}
_CARRIED = {"name", "description"}  # every target keeps these
_TEAM_CARRIED = _CARRIED | {"defaultWorkflow", "workflow"}


class Dropped(Record):
    __slots__ = ("path", "field", "reason")

    def __init__(self, path: str, field: str, reason: str):
        self.path = path  # the exported resource
        self.field = field
        self.reason = reason

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "field": self.field, "reason": self.reason}


class Export(Record):
    __slots__ = ("edit", "files", "dropped")

    def __init__(self, edit: WorkspaceEdit, files: dict[str, str], dropped: list[Dropped]):
        self.edit = edit
        self.files = files  # path → the whole text it will hold (for a codex export: AGENTS.md after the edit)
        self.dropped = dropped


def slug(name: str) -> str:
    """A file name from a resource name: letters and digits of any script, lower-cased, `-` between runs."""
    text = _NOT_NAME.sub("-", unicodedata.normalize("NFKC", name).lower()).strip("-")
    return text[:_MAX_SLUG].rstrip("-")


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _description(res: Resource) -> str:
    return (res.doc.frontmatter.get("description") or "") if res.doc is not None else ""


def _body(res: Resource) -> str:
    if res.kind == "team":
        lines = [_description(res), "", f"Workflow: `{res.model.workflow}`.", "", "### Roles", ""]  # type: ignore[union-attr]
        for role in res.model.roles:  # type: ignore[union-attr]
            lines.append(f"- **{role.name}** (agent `{role.agent}`): {role.description}".rstrip(": "))
        return "\n".join(lines).strip()
    if res.kind == "workflow":
        lines = [_description(res), "", "### Steps", ""]
        for step in res.model.steps:  # type: ignore[union-attr]
            after = f", after {', '.join(step.depends_on_texts)}" if step.depends_on_texts else ""
            task = " ".join(step.task.split())
            lines.append(f"- **{step.id}** ({step.role}{after}): {task}")
        return "\n".join(lines).strip()
    return res.doc.body_text.strip() if res.doc is not None else ""


def _dropped_fields(res: Resource, kept: set[str], target: str) -> list[Dropped]:
    if res.doc is None:
        return []
    tool = TARGETS[target]
    return [Dropped(res.path, e.key, f"{tool} has no counterpart for `{e.key}`")
            for e in res.doc.frontmatter.entries if e.key not in kept]


def _claude_agent(res: Resource, name: str) -> tuple[str, list[Dropped]]:
    agent = res.model
    dropped = _dropped_fields(res, _CARRIED | {"tools"}, "claude")
    lines = ["---", f"name: {name}", f"description: {_yaml(_description(res) or res.name)}"]
    if agent.tools:  # type: ignore[union-attr]
        mapped = [CLAUDE_TOOLS[t.lower()] for t in agent.tools if t.lower() in CLAUDE_TOOLS]  # type: ignore[union-attr]
        unknown = [t for t in agent.tools if t.lower() not in CLAUDE_TOOLS]  # type: ignore[union-attr]
        if unknown:
            dropped.append(Dropped(res.path, "tools", f"Claude Code has no tool named like {', '.join(f'`{t}`' for t in unknown)}"))
        if mapped:
            lines.append(f"tools: {', '.join(dict.fromkeys(mapped))}")
    lines += ["---", "", _body(res)]
    return "\n".join(lines) + "\n", dropped


def _document(res: Resource, target: str, kind_kept: set[str]) -> tuple[str, list[Dropped]]:
    """A slash command (claude), a rule (cursor) or a skill: description in the frontmatter, then the body."""
    dropped = _dropped_fields(res, kind_kept, target)
    description = _description(res) or f"The {res.kind} {res.name} of this repository's pi-crew setup"
    head = ["---"]
    if res.kind == "skill":
        head.append(f"name: {slug(res.name)}")
    head.append(f"description: {_yaml(description)}")
    body = _body(res)
    if target == "cursor":
        head.append("alwaysApply: false")
    elif res.kind in ("team", "workflow"):  # a Claude Code slash command: its arguments are the goal
        head.append('argument-hint: "<goal>"')
        body = body.replace("{goal}", "$ARGUMENTS") + "\n\nGoal: $ARGUMENTS"
    head += ["---", "", f"# {res.name}", ""]
    return "\n".join(head + [body]) + "\n", dropped


def _path(target: str, res: Resource, name: str) -> str:
    if target == "claude":
        if res.kind == "agent":
            return f".claude/agents/{name}.md"
        if res.kind == "skill":
            return f".claude/skills/{name}/SKILL.md"
        return f".claude/commands/crew-{res.kind}-{name}.md"
    return f".cursor/rules/crew-{res.kind}-{name}.mdc"


def _codex_section(res: Resource) -> tuple[str, list[Dropped]]:
    kept = _TEAM_CARRIED if res.kind == "team" else _CARRIED
    body = _body(res)
    lines = [f"## {res.kind.capitalize()} `{res.name}`", ""]
    if res.kind in ("agent", "skill") and _description(res):
        lines += [_description(res), ""]
    return "\n".join(lines + [body]).strip(), _dropped_fields(res, kept, "codex")


def export(target: str, resources: list[Resource], root: str, read: Callable[[str], str | None]) -> Export:
    """The files `target` reads for `resources`, below the repository `root`; `read(path)` gives a file's
    current text (None when there is none)."""
    if target not in TARGETS:
        raise ValueError(f"unknown export target `{target}`: one of {', '.join(TARGETS)}")
    dropped: list[Dropped] = []
    planned: dict[str, str] = {}
    sections: list[str] = []
    for res in sorted(resources, key=lambda r: (r.kind, r.name.lower(), r.path)):
        name = slug(res.name)
        if not name:
            dropped.append(Dropped(res.path, "name", f"`{res.name}` has no letter or digit to name a file after: not exported"))
            continue
        if target == "codex":
            text, lost = _codex_section(res)
            sections.append(text)
        else:
            path = os.path.join(root, *_path(target, res, name).split("/"))
            if path in planned:
                dropped.append(Dropped(res.path, "name", f"another {res.kind} exports to {_path(target, res, name)} already: not exported"))
                continue
            if target == "claude" and res.kind == "agent":
                text, lost = _claude_agent(res, name)
            else:
                kept = _TEAM_CARRIED if res.kind == "team" else _CARRIED
                text, lost = _document(res, target, kept)
            planned[path] = text
        dropped += lost
    edit = WorkspaceEdit()
    files: dict[str, str] = {}
    if target == "codex":
        path = os.path.join(root, "AGENTS.md")
        content = "# Agent teams exported from pi-crew\n\n" + "\n\n".join(sections) if sections else ""
        if content:
            current = read(path)
            edit = update_edit(path, current, content, EXPORT_BLOCK)
            files[path] = _applied(current, edit, path)
        return Export(edit, files, dropped)
    for path, text in planned.items():
        current = read(path)
        files[path] = text
        if current is None:
            edit.creates.append((path, text))
        elif current != text:
            lines = split_lines(current)
            edit.changes[path] = [TextEdit(Span(0, 0, len(lines) - 1, utf16_len(lines[-1])), text)]
    return Export(edit, files, dropped)


def _applied(current: str | None, edit: WorkspaceEdit, path: str) -> str:
    """The text a file holds once `edit` is applied (what a dry run shows)."""
    if current is None:
        return next((text for p, text in edit.creates if p == path), "")
    text = current
    for e in sorted(edit.changes.get(path, []), key=lambda e: (e.span.line, e.span.start), reverse=True):
        start, end = offset_at(current, e.span.line, e.span.start), offset_at(current, e.span.end_line, e.span.end)
        text = text[:start] + e.new_text + text[end:]
    return text
