// The task graph the plan webview draws: a `crew.plan` answer, or a run's `crew.status`, turned into
// nodes (one per task, with its wave and status), dependency edges and waves. Pure: no VS Code, no
// DOM, so it is unit-tested with node and shared by the extension and the webview script.

import { isTerminalStatus, type PlanAnswer, type RunStatus, type RunUpdate, type TaskShape } from './protocol';

/** The status of a task of a plan that is not running: nothing has happened to it. */
export const PLANNED = 'planned';

export interface GraphNode {
  id: string;
  role: string;
  /** The agent, when it is not the role's namesake. */
  agent?: string;
  /** 1-based: tasks of a wave may run at the same time once the earlier waves are done. */
  wave: number;
  status: string;
  /** One line each: what the node's tooltip says beyond id, role and status. */
  details: string[];
}

/** `from` must finish before `to` starts. */
export interface GraphEdge {
  from: string;
  to: string;
}

export interface PlanGraph {
  title: string;
  subtitle: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Task ids per wave, in plan order. */
  waves: string[][];
  warnings: string[];
  /** The run whose updates colour the nodes, when the graph follows one. */
  runId?: string;
  /** The run's own status, when the graph follows one. */
  runStatus?: string;
}

/** A dependency names a task id or a step id; the task id wins (as the engine resolves them). */
function dependencyIndex(tasks: readonly TaskShape[]): Map<string, string> {
  const index = new Map(tasks.map((task) => [task.id, task.id]));
  for (const task of tasks) if (task.stepId && !index.has(task.stepId)) index.set(task.stepId, task.id);
  return index;
}

function edgesOf(tasks: readonly TaskShape[]): GraphEdge[] {
  const index = dependencyIndex(tasks);
  const edges: GraphEdge[] = [];
  for (const task of tasks) {
    for (const name of new Set(task.dependsOn ?? [])) {
      const from = index.get(name);
      if (from !== undefined && from !== task.id) edges.push({ from, to: task.id });
    }
  }
  return edges;
}

/** Waves by depth: a task comes one wave after its latest dependency. Tasks on a cycle (which the
 * engine refuses to plan) are put after everything else rather than dropped. */
export function wavesOf(tasks: readonly TaskShape[]): string[][] {
  const incoming = new Map<string, string[]>(tasks.map((task) => [task.id, []]));
  for (const edge of edgesOf(tasks)) incoming.get(edge.to)?.push(edge.from);
  const depth = new Map<string, number>();
  let changed = true;
  // relax in rounds (at most one per task): no recursion, so a long chain cannot overflow the stack
  for (let round = 0; changed && round <= tasks.length; round++) {
    changed = false;
    for (const task of tasks) {
      const deps = incoming.get(task.id) ?? [];
      if (depth.has(task.id) || !deps.every((dep) => depth.has(dep))) continue;
      depth.set(task.id, deps.reduce((deepest, dep) => Math.max(deepest, (depth.get(dep) ?? 0) + 1), 0));
      changed = true;
    }
  }
  const waves: string[][] = [];
  const last = [...depth.values()].reduce((deepest, n) => Math.max(deepest, n + 1), 0);
  for (const task of tasks) {
    const n = depth.get(task.id) ?? last;
    while (waves.length <= n) waves.push([]);
    waves[n].push(task.id);
  }
  return waves.filter((wave) => wave.length > 0);
}

function details(task: TaskShape): string[] {
  const lines: string[] = [];
  if (task.dependsOn?.length) lines.push(`after ${task.dependsOn.join(', ')}`);
  if (task.reads?.length) lines.push(`reads ${task.reads.join(', ')}`);
  if (task.output) lines.push(`writes ${task.output}`);
  if (task.model) lines.push(`model ${task.model}`);
  if (task.verify) lines.push('verifies');
  return lines;
}

function nodesOf(tasks: readonly TaskShape[], waves: readonly string[][], statusOf: (id: string) => string): GraphNode[] {
  const waveOf = new Map<string, number>();
  waves.forEach((wave, index) => wave.forEach((id) => waveOf.set(id, index + 1)));
  return tasks.map((task) => {
    const role = task.role ?? '';
    const node: GraphNode = { id: task.id, role, wave: waveOf.get(task.id) ?? waves.length, status: statusOf(task.id), details: details(task) };
    if (task.agent && task.agent !== role) node.agent = task.agent;
    return node;
  });
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The graph of a plan the server accepted; every task is `planned`. */
export function graphFromPlan(plan: Extract<PlanAnswer, { ok: true }>): PlanGraph {
  const known = new Set(plan.tasks.map((task) => task.id));
  // the server's waves leave out tasks on a cycle: those get a wave of their own at the end
  const waves = plan.waves.map((wave) => wave.filter((id) => known.has(id))).filter((wave) => wave.length);
  const placed = new Set(waves.flat());
  const unplaced = plan.tasks.filter((task) => !placed.has(task.id)).map((task) => task.id);
  if (unplaced.length) waves.push(unplaced);
  return {
    title: `Plan: ${plan.team} / ${plan.workflow}`,
    subtitle: `${plural(plan.tasks.length, 'task')} in ${plural(waves.length, 'wave')}, at most ${plan.concurrency} at a time — ${plan.goal}`,
    nodes: nodesOf(plan.tasks, waves, () => PLANNED),
    edges: edgesOf(plan.tasks),
    waves,
    warnings: [...plan.warnings],
  };
}

/** The graph of a run from its `crew.status {runId}`: the stored tasks carry their dependencies. */
export function graphFromRun(run: RunStatus): PlanGraph {
  const tasks = run.tasks ?? [];
  const waves = wavesOf(tasks);
  const statuses = new Map(tasks.map((task) => [task.id, task.status]));
  const manifest = run.manifest ?? {};
  const name = [manifest.team, manifest.workflow].filter(Boolean).join(' / ');
  return {
    title: `Run ${run.runId}${name ? `: ${name}` : ''}`,
    subtitle: `${plural(tasks.length, 'task')} in ${plural(waves.length, 'wave')}${manifest.goal ? ` — ${manifest.goal}` : ''}`,
    nodes: nodesOf(tasks, waves, (id) => statuses.get(id) ?? PLANNED),
    edges: edgesOf(tasks),
    waves,
    warnings: [],
    runId: run.runId,
    runStatus: run.status,
  };
}

/** The statuses a `crew/runUpdate` gives the graph's tasks (tasks it does not know are ignored). */
export function statusesFromUpdate(graph: PlanGraph, update: RunUpdate): Record<string, string> {
  const known = new Set(graph.nodes.map((node) => node.id));
  const statuses: Record<string, string> = {};
  for (const task of update.tasks) if (known.has(task.id)) statuses[task.id] = task.status;
  return statuses;
}

/** Whether a run update is the run of this plan: a live run whose tasks are exactly the plan's
 * (the same team and workflow plan the same task ids). */
export function updateMatchesPlan(graph: PlanGraph, update: RunUpdate): boolean {
  if (isTerminalStatus(update.status) || update.tasks.length !== graph.nodes.length) return false;
  const ids = new Set(graph.nodes.map((node) => node.id));
  return update.tasks.every((task) => ids.has(task.id));
}

/** Applies a run update to the graph: the node statuses and the run's status. */
export function applyUpdate(graph: PlanGraph, update: RunUpdate): PlanGraph {
  const statuses = statusesFromUpdate(graph, update);
  return {
    ...graph,
    runId: update.runId,
    runStatus: update.status,
    nodes: graph.nodes.map((node) => (node.id in statuses ? { ...node, status: statuses[node.id] } : node)),
  };
}

/** A plan's graph coloured by a run of it (`crew.status {runId}`), when the run has exactly its tasks. */
export function followRun(graph: PlanGraph, run: RunStatus): PlanGraph {
  const tasks = (run.tasks ?? []).map((task) => ({ id: task.id, status: task.status, role: task.role ?? '', heartbeat: null }));
  const update: RunUpdate = { runId: run.runId, status: run.status, tasks, progress: { total: tasks.length, done: 0, running: 0, percentage: 0, message: '' } };
  const ids = new Set(graph.nodes.map((node) => node.id));
  if (tasks.length !== ids.size || !tasks.every((task) => ids.has(task.id))) return graph;
  return applyUpdate(graph, update);
}
