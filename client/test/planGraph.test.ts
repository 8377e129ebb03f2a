import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyUpdate, followRun, graphFromPlan, graphFromRun, PLANNED, statusesFromUpdate, updateMatchesPlan, wavesOf } from '../src/planGraph';
import { fitZoom, layoutGraph, MIN_ZOOM, NODE_WIDTH } from '../src/planLayout';
import type { PlanAnswer, PlannedTask, RunStatus, RunUpdate } from '../src/protocol';

const task = (id: string, stepId: string, role: string, wave: number, extra: Partial<PlannedTask> = {}): PlannedTask =>
  ({ id, stepId, role, agent: role, dependsOn: [], wave, ...extra });

// explore → (plan, review) → write: dependencies name step ids, as workflows write them
const plan: Extract<PlanAnswer, { ok: true }> = {
  ok: true, team: 'default', workflow: 'default', goal: 'Write docs', concurrency: 2,
  tasks: [
    task('01_explore', 'explore', 'explorer', 1, { output: 'exploration.md' }),
    task('02_plan', 'plan', 'planner', 2, { dependsOn: ['explore'] }),
    task('03_review', 'review', 'reviewer', 2, { agent: 'critic', dependsOn: ['01_explore'], verify: true }),
    task('04_write', 'write', 'writer', 3, { dependsOn: ['plan', 'review'], reads: ['plan.md'] }),
  ],
  waves: [['01_explore'], ['02_plan', '03_review'], ['04_write']],
  warnings: ['step write has no output'],
};

const runUpdate = (status: string, tasks: [string, string][]): RunUpdate => ({
  runId: 'r1', status,
  tasks: tasks.map(([id, taskStatus]) => ({ id, status: taskStatus, role: 'x', heartbeat: null })),
  progress: { total: 4, done: 0, running: 1, percentage: 10, message: '' },
});

test('a plan becomes one planned node per task, with its wave, and an edge per dependency', () => {
  const graph = graphFromPlan(plan);
  assert.equal(graph.title, 'Plan: default / default');
  assert.equal(graph.subtitle, '4 tasks in 3 waves, at most 2 at a time — Write docs');
  assert.deepEqual(graph.nodes.map((n) => [n.id, n.role, n.wave, n.status]), [
    ['01_explore', 'explorer', 1, PLANNED], ['02_plan', 'planner', 2, PLANNED], ['03_review', 'reviewer', 2, PLANNED], ['04_write', 'writer', 3, PLANNED],
  ]);
  assert.equal(graph.nodes[2].agent, 'critic');
  assert.equal(graph.nodes[0].agent, undefined, 'an agent named as its role is not repeated');
  assert.deepEqual(graph.nodes[2].details, ['after 01_explore', 'verifies']);
  // a dependency may name the step id or the task id
  assert.deepEqual(graph.edges, [
    { from: '01_explore', to: '02_plan' }, { from: '01_explore', to: '03_review' },
    { from: '02_plan', to: '04_write' }, { from: '03_review', to: '04_write' },
  ]);
  assert.deepEqual(graph.warnings, ['step write has no output']);
});

test('a run from its status is a graph whose nodes carry the tasks\' statuses and waves worked out from dependencies', () => {
  const run: RunStatus = {
    runId: 'r1', status: 'running', manifest: { team: 'default', workflow: 'default', goal: 'Write docs' },
    tasks: plan.tasks.map((t, i) => ({ ...t, status: ['completed', 'running', 'queued', 'queued'][i] })),
  };
  const graph = graphFromRun(run);
  assert.equal(graph.title, 'Run r1: default / default');
  assert.equal(graph.runId, 'r1');
  assert.deepEqual(graph.waves, plan.waves);
  assert.deepEqual(graph.nodes.map((n) => n.status), ['completed', 'running', 'queued', 'queued']);
});

test('waves put each task one after its latest dependency, and tasks on a cycle last', () => {
  assert.deepEqual(wavesOf([
    { id: 'c', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }, { id: 'a' }, { id: 'd', dependsOn: ['a', 'c'] },
  ]), [['a'], ['b'], ['c'], ['d']]);
  assert.deepEqual(wavesOf([{ id: 'a' }, { id: 'x', dependsOn: ['y'] }, { id: 'y', dependsOn: ['x'] }]), [['a'], ['x', 'y']]);
  assert.deepEqual(wavesOf([]), []);
});

test('a run update recolours the nodes it names and ignores tasks the graph does not have', () => {
  const graph = graphFromPlan(plan);
  const update = runUpdate('running', [['01_explore', 'completed'], ['02_plan', 'running'], ['99_other', 'queued']]);
  assert.deepEqual(statusesFromUpdate(graph, update), { '01_explore': 'completed', '02_plan': 'running' });
  const next = applyUpdate(graph, update);
  assert.deepEqual(next.nodes.map((n) => n.status), ['completed', 'running', PLANNED, PLANNED]);
  assert.equal(next.runId, 'r1');
  assert.equal(next.runStatus, 'running');
  assert.equal(graph.nodes[0].status, PLANNED, 'the graph itself is left as it was');
});

test('a plan follows a live run only when the run has exactly its tasks', () => {
  const graph = graphFromPlan(plan);
  const ids = plan.tasks.map((t): [string, string] => [t.id, 'queued']);
  assert.equal(updateMatchesPlan(graph, runUpdate('running', ids)), true);
  assert.equal(updateMatchesPlan(graph, runUpdate('completed', ids)), false, 'an ended run is not followed');
  assert.equal(updateMatchesPlan(graph, runUpdate('running', ids.slice(1))), false);
  assert.equal(updateMatchesPlan(graph, runUpdate('running', [...ids.slice(1), ['05_other', 'queued']])), false);
});

test('the layout puts each wave in its own column, left to right, and routes every edge from dependency to dependent', () => {
  const graph = graphFromPlan(plan);
  const layout = layoutGraph(graph);
  const left = new Map(layout.nodes.map((n) => [n.id, n.x]));
  assert.equal(left.get('02_plan'), left.get('03_review'), 'one column per wave');
  assert.ok(left.get('01_explore')! + NODE_WIDTH < left.get('02_plan')!);
  assert.ok(left.get('02_plan')! + NODE_WIDTH < left.get('04_write')!);
  assert.deepEqual(layout.columns.map((c) => c.wave), [1, 2, 3]);
  assert.equal(layout.edges.length, 4);
  for (const edge of layout.edges) {
    const first = edge.points[0];
    const last = edge.points[edge.points.length - 1];
    assert.ok(first.x < last.x, `${edge.from} → ${edge.to} runs left to right`);
  }
  for (const node of layout.nodes) {
    assert.ok(node.x >= 0 && node.y >= 0 && node.x + node.width <= layout.width && node.y + node.height <= layout.height, node.id);
  }
});

test('a task with no dependency and no dependent sits in the first column', () => {
  const layout = layoutGraph(graphFromPlan({ ...plan, tasks: [...plan.tasks, task('05_alone', 'alone', 'explorer', 1)], waves: [['01_explore', '05_alone'], ...plan.waves.slice(1)] }));
  const left = new Map(layout.nodes.map((n) => [n.id, n.x]));
  assert.equal(left.get('05_alone'), left.get('01_explore'));
});

test('a plan previewed while a run of it is going shows that run\'s statuses; another run\'s tasks are not taken', () => {
  const graph = graphFromPlan(plan);
  const statuses = ['completed', 'running', 'queued', 'queued'];
  const run: RunStatus = { runId: 'r2', status: 'running', tasks: plan.tasks.map((t, i) => ({ id: t.id, status: statuses[i] })) };
  const followed = followRun(graph, run);
  assert.equal(followed.runId, 'r2');
  assert.deepEqual(followed.nodes.map((n) => n.status), statuses);
  const other: RunStatus = { runId: 'r3', status: 'running', tasks: [{ id: '01_other', status: 'running' }] };
  assert.equal(followRun(graph, other), graph);
});

test('a graph wider than the webview is shrunk to fit its width, but never below half size', () => {
  assert.equal(fitZoom(880, 1200), 1, 'a graph that fits is drawn at its own size, never blown up');
  assert.equal(fitZoom(880, 660), 0.75);
  assert.equal(fitZoom(2000, 400), MIN_ZOOM, 'past that it pans, from its first wave');
  assert.equal(fitZoom(880, 0), 1, 'a webview not laid out yet keeps the graph as it is');
});
