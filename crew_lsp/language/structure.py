"""Folding ranges (frontmatter block, steps) and document links (agents, workflows, skills)."""

from __future__ import annotations

from crew_lsp.language.locate import meta_items
from crew_lsp.language.types import Fold, Link
from crew_lsp.resources.frontmatter import csv_items
from crew_lsp.resources.index import Snapshot
from crew_lsp.resources.model import Resource
from crew_lsp.resources.skill_names import known_skills


def folding_ranges(res: Resource) -> list[Fold]:
    if res.kind == "config":
        return _json_folds(res)
    doc = res.doc
    if doc is None:
        return []
    out: list[Fold] = []
    fm = doc.frontmatter
    if fm.present and fm.close_line is not None and fm.close_line > 0:
        out.append(Fold(0, fm.close_line))
    if res.kind == "workflow":
        lines = doc.lines
        for step in res.model.steps:  # type: ignore[union-attr]
            last = step.end_line - 1
            while last > step.heading_line and not lines[last].strip():
                last -= 1
            if last > step.heading_line:
                out.append(Fold(step.heading_line, last))
    return out


def _json_folds(res: Resource) -> list[Fold]:
    from crew_lsp.resources.jsonpos import ArrayNode, ObjectNode

    out: list[Fold] = []

    def walk(node) -> None:
        if isinstance(node, (ObjectNode, ArrayNode)):
            if node.span.end_line - 1 > node.span.line:  # the closing bracket stays visible
                out.append(Fold(node.span.line, node.span.end_line - 1))
            for child in (m.node for m in node.members) if isinstance(node, ObjectNode) else node.items:
                walk(child)

    walk(res.model.node)  # type: ignore[union-attr]
    return out


def document_links(res: Resource, snap: Snapshot) -> list[Link]:
    doc = res.doc
    if doc is None:
        return []
    out: list[Link] = []
    skills = known_skills(snap.skills, snap.workspace.reading.version)  # (what the version ships)

    def skill(item) -> None:
        found = skills.get(item.text)
        if found is not None:
            out.append(Link(item.span, found.path, f"skill {found.name} ({found.scope})"))

    fm = doc.frontmatter
    if res.kind == "agent":
        for key in ("skills", "skill"):
            for item in csv_items(fm.fields.get(key)):
                skill(item)
    elif res.kind == "team":
        entry = fm.fields.get("defaultWorkflow") or fm.fields.get("workflow")
        if entry is not None and entry.value in snap.workflows:
            wf = snap.workflows[entry.value]
            out.append(Link(entry.value_span, wf.path, f"workflow {wf.name} ({wf.scope})"))
        for role in res.model.roles:  # type: ignore[union-attr]
            token = role.tokens.get("agent")
            if token is not None:
                agent = snap.agent(token.value) or (snap.disabled_agents.get(token.value.lower()))
                if agent is not None and agent.name == token.value:
                    out.append(Link(token.value_span, agent.path, f"agent {agent.name} ({agent.scope})"))
            for item in role.skills or []:
                skill(item)
    elif res.kind == "workflow":
        for step in res.model.steps:  # type: ignore[union-attr]
            meta = step.meta.get("skills")
            if meta is not None:
                for item in meta_items(meta):
                    skill(item)
    return out
