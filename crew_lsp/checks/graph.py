"""Dependency-graph facts of a workflow: resolved edges and cycles."""

from __future__ import annotations

from crew_lsp.resources.frontmatter import Item
from crew_lsp.resources.names import MAX_CYCLE_EDGES
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
    """Each elementary cycle met by a depth-first walk, as the (step, dependsOn item) edges along it.

    The walk keeps its own stack (no recursion): a 5,000-step chain is as easy as a 5-step one. It
    stops once the cycles found hold MAX_CYCLE_EDGES edges.
    """
    if table is None:
        table = resolve(workflow)
    state: dict[int, int] = {}  # absent: unseen, 1: on the current path, 2: done
    path: list[tuple[Step, Item]] = []  # the edges from the walk's root to the step on top
    leaves_at: dict[int, int] = {}  # step index -> where its outgoing edge sits in `path`
    found: list[list[tuple[Step, Item]]] = []
    budget = MAX_CYCLE_EDGES
    for root in workflow.steps:
        if root.index in state:
            continue
        state[root.index] = 1
        leaves_at[root.index] = 0
        frames = [(root, iter(root.depends_on))]
        while frames:
            step, edges = frames[-1]
            for item in edges:
                target = table.get(item.text)
                if target is None:
                    continue
                seen = state.get(target.index)
                if seen == 1:
                    cycle = path[leaves_at[target.index]:]
                    cycle.append((step, item))
                    found.append(cycle)
                    budget -= len(cycle)
                    if budget <= 0:
                        return found
                elif seen is None:
                    path.append((step, item))
                    state[target.index] = 1
                    leaves_at[target.index] = len(path)
                    frames.append((target, iter(target.depends_on)))
                    break
            else:
                frames.pop()
                state[step.index] = 2
                if frames:
                    path.pop()  # the edge that led to this step
    return found
