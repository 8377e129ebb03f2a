"""Dependency-graph facts of a workflow: resolved edges and cycles."""

from __future__ import annotations

from crew_lsp.resources.frontmatter import Item
from crew_lsp.resources.workflow import Step, Workflow


def resolve(workflow: Workflow) -> dict[str, Step]:
    """Dependencies resolve by step id or by task id (docs/runs.md, Scheduling)."""
    table: dict[str, Step] = {}
    for step in workflow.steps:
        table.setdefault(step.task_id, step)
    for step in workflow.steps:
        table.setdefault(step.id, step)
    return table


def cycles(workflow: Workflow, table: dict[str, Step] | None = None) -> list[list[tuple[Step, Item]]]:
    """Each elementary cycle found by DFS, as the (step, dependsOn item) edges along it."""
    if table is None:
        table = resolve(workflow)
    state: dict[int, int] = {}  # 0 unseen, 1 on stack, 2 done
    stack: list[tuple[Step, Item]] = []
    found: list[list[tuple[Step, Item]]] = []
    for step in workflow.steps:
        if state.get(step.index, 0) == 0:
            _visit(step, table, state, stack, found)
    return found


def _visit(step: Step, table: dict[str, Step], state: dict[int, int], stack: list[tuple[Step, Item]],
           found: list[list[tuple[Step, Item]]]) -> None:
    # a module function, not a closure: a recursive closure is a reference cycle left for the GC
    state[step.index] = 1
    for item in step.depends_on:
        target = table.get(item.text)
        if target is None:
            continue
        stack.append((step, item))
        if state.get(target.index, 0) == 1:
            start = next(i for i, (s, _) in enumerate(stack) if s.index == target.index)
            found.append(stack[start:])
        elif state.get(target.index, 0) == 0:
            _visit(target, table, state, stack, found)
        stack.pop()
    state[step.index] = 2
