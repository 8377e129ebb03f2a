"""The human-readable artifacts of a run: goal.md, progress.md and summary.md."""

from __future__ import annotations

from crew_lsp.engine.model import Manifest, TaskState

_EXCERPT = 600


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_goal(manifest: Manifest) -> str:
    return f"# Goal\n\n{manifest.goal}\n\n- Run: {manifest.run_id}\n- Team: {manifest.team}\n- Workflow: {manifest.workflow}\n"


def render_progress(manifest: Manifest, tasks: list[TaskState]) -> str:
    lines = [
        f"# Progress of {manifest.run_id}", "",
        f"Status: **{manifest.status}** · team `{manifest.team}` · workflow `{manifest.workflow}` · updated {manifest.updated_at}", "",
        "| task | role | status | started | finished | error |", "|---|---|---|---|---|---|",
    ]
    for t in tasks:
        lines.append(f"| {t.id} | {t.role} | {t.status} | {_cell(t.started_at)} | {_cell(t.finished_at)} | {_cell(t.error)} |")
    return "\n".join(lines) + "\n"


def render_summary(manifest: Manifest, tasks: list[TaskState], results: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.status] = counts.get(t.status, 0) + 1
    lines = [
        f"# Summary of {manifest.run_id}", "",
        f"- Goal: {manifest.goal}", f"- Team: {manifest.team}", f"- Workflow: {manifest.workflow}",
        f"- Status: {manifest.status}" + (f" ({manifest.reason})" if manifest.reason else ""),
        f"- Runtime: {manifest.runtime.get('kind')}",
        "- Tasks: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())), "",
    ]
    for t in tasks:
        lines.append(f"## {t.id} ({t.role}) — {t.status}")
        if t.error:
            lines.append(f"Error: {t.error}")
        text = (results.get(t.id) or "").strip()
        if text:
            lines.append(text[:_EXCERPT] + (" …" if len(text) > _EXCERPT else ""))
        lines.append("")
    return "\n".join(lines)


def one_line_summary(manifest: Manifest, tasks: list[TaskState]) -> str:
    done = sum(1 for t in tasks if t.status == "completed")
    return f"{manifest.status}: {done}/{len(tasks)} tasks completed" + (f" — {manifest.reason}" if manifest.reason else "")
