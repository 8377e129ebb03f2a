import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunStatus, RunSummary, RunUpdate } from '../src/protocol';
import { eventsText, formatElapsed, formatMetrics, RunsModel } from '../src/runsModel';

const T0 = Date.parse('2030-05-06T07:00:00.000Z');
const progress = (message: string) => ({ total: 2, done: 0, running: 1, percentage: 0, message });

const summaries: RunSummary[] = [
  { runId: 'old', team: 'default', workflow: 'default', goal: 'Old', status: 'completed', createdAt: '2030-05-05T00:00:00Z', active: false },
  { runId: 'crashed', team: 'review', workflow: 'review', goal: 'Crash', status: 'running', createdAt: '2030-05-05T12:00:00Z', active: false, interrupted: true },
  { runId: 'live', team: 'default', workflow: 'default', goal: 'Docs', status: 'running', createdAt: '2030-05-04T00:00:00Z', active: true, progress: progress('Phase 2/4 execute: 0% (0/2)') },
];

const detail: RunStatus = {
  runId: 'old', status: 'completed',
  manifest: { team: 'default', workflow: 'default', goal: 'Old', paths: { artifacts: '/ws/.crew/artifacts/old' } },
  tasks: [
    { id: '01_explore', role: 'explorer', status: 'completed', startedAt: '2030-05-05T00:00:00.000Z', finishedAt: '2030-05-05T00:03:05.500Z' },
    { id: '02_plan', role: 'planner', status: 'failed', error: 'exit 1', startedAt: '2030-05-05T00:03:06.000Z', finishedAt: '2030-05-05T00:03:10.000Z' },
  ],
};

function update(runId: string, status: string, tasks: RunUpdate['tasks']): RunUpdate {
  return { runId, status, tasks, progress: progress(`${status}…`) };
}

test('runs are listed active first, then newest first, with status and progress', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  const runs = model.runs();
  assert.deepEqual(runs.map((run) => run.id), ['run:live', 'run:crashed', 'run:old']);
  assert.equal(runs[0].label, 'default/default');
  assert.equal(runs[0].description, 'running · Phase 2/4 execute: 0% (0/2)');
  assert.deepEqual(runs[0].icon, { id: 'sync~spin' });
  assert.equal(runs[1].description, 'running (interrupted)');
  assert.match(runs[1].tooltip, /^crashed\nGoal: Crash\n/);
});

test('a run whose status is final is shown as ended even while the server still holds it (no progress, no Cancel)', () => {
  const model = new RunsModel();
  const finishing = { runId: 'done', team: 'default', workflow: 'default', status: 'completed', active: true, progress: progress('Phase 4/4 finish: 100% (4/4)') };
  model.setRuns([finishing]);
  assert.deepEqual(model.runs().map((run) => [run.description, run.contextValue]), [['completed', 'run']]);
  model.setRunDetail({ runId: 'done', status: 'completed', active: true, progress: progress('Phase 4/4 finish: 100% (4/4)'), manifest: {}, tasks: [] });
  assert.deepEqual(model.runs().map((run) => [run.description, run.contextValue]), [['completed', 'run']]);
});

test('context actions: an active run can be cancelled; interrupted, failed and cancelled runs resumed', () => {
  const model = new RunsModel();
  model.setRuns([...summaries, { runId: 'failed', status: 'failed', active: false }, { runId: 'stopped', status: 'cancelled', active: false }]);
  const flags = Object.fromEntries(model.runs().map((run) => [run.id, run.contextValue]));
  assert.deepEqual(flags, {
    'run:live': 'run active', 'run:crashed': 'run resumable', 'run:old': 'run',
    'run:failed': 'run resumable', 'run:stopped': 'run resumable',
  });
});

test('a run\'s tasks are unknown until its status is loaded, then show role, elapsed time and status icon', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  assert.equal(model.tasks('old', T0), undefined);
  model.setRunDetail(detail);
  const [explore, plan] = model.tasks('old', T0) ?? [];
  assert.deepEqual(explore, {
    id: 'task:old:01_explore', label: '01_explore', description: 'explorer · 3m 05s',
    tooltip: '01_explore (explorer)\nStatus: completed\nElapsed: 3m 05s',
    icon: { id: 'pass', color: 'testing.iconPassed' }, contextValue: 'task', collapsible: false,
  });
  assert.deepEqual(plan.icon, { id: 'error', color: 'testing.iconFailed' });
  assert.equal(plan.contextValue, 'task retryable');
  assert.match(plan.tooltip, /Error: exit 1$/);
});

test('updates move tasks along: a running task counts its time from when it started and shows its heartbeat', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  assert.equal(model.applyUpdate(update('live', 'running', [
    { id: '01_explore', status: 'running', role: 'explorer', heartbeat: 'healthy' },
    { id: '02_plan', status: 'queued', role: 'planner', heartbeat: null },
  ]), T0), true);
  assert.equal(model.hasRunningTasks(), true);
  let [explore, plan] = model.tasks('live', T0 + 65_000) ?? [];
  assert.equal(explore.description, 'explorer · 1m 05s · heartbeat healthy');
  assert.deepEqual(explore.icon, { id: 'sync~spin' });
  assert.deepEqual(plan.icon, { id: 'clock' });

  model.applyUpdate(update('live', 'running', [
    { id: '01_explore', status: 'running', role: 'explorer', heartbeat: 'stale' },
    { id: '02_plan', status: 'queued', role: 'planner', heartbeat: null },
  ]), T0 + 90_000);
  [explore] = model.tasks('live', T0 + 100_000) ?? [];
  assert.equal(explore.description, 'explorer · 1m 40s · heartbeat stale');
  assert.deepEqual(explore.icon, { id: 'sync~spin', color: 'charts.orange' });

  model.applyUpdate(update('live', 'completed', [
    { id: '01_explore', status: 'completed', role: 'explorer', heartbeat: null },
    { id: '02_plan', status: 'completed', role: 'planner', heartbeat: null },
  ]), T0 + 120_000);
  [explore, plan] = model.tasks('live', T0 + 999_000) ?? [];
  assert.equal(explore.description, 'explorer · 2m 00s', 'the time stops when the task ends');
  assert.equal(plan.description, 'planner', 'a task never seen running has no elapsed time');
  assert.equal(model.hasRunningTasks(), false);
  const live = model.runs().find((run) => run.id === 'run:live');
  assert.equal(live?.description, 'completed');
  assert.equal(live?.contextValue, 'run');
});

test('an update of an unknown run adds it at the top and asks for the list again', () => {
  const model = new RunsModel();
  model.setRuns(summaries.filter((run) => !run.active));
  assert.equal(model.applyUpdate(update('new', 'running', []), T0), false);
  assert.equal(model.runs()[0].id, 'run:new');
  assert.equal(model.runs()[0].contextValue, 'run active');
});

test('a new list keeps the tasks already known for the runs still listed', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  model.setRunDetail(detail);
  model.setRuns(summaries.slice(0, 1));
  assert.equal(model.tasks('old', T0)?.length, 2);
  assert.equal(model.tasks('live', T0), undefined);
});

test('results and prompts lie under the run\'s artifacts folder, known from its status', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  assert.equal(model.artifactPath('old', '02_plan', 'result'), undefined);
  model.setRunDetail(detail);
  assert.equal(model.artifactPath('old', '02_plan', 'result'), '/ws/.crew/artifacts/old/results/02_plan.txt');
  assert.equal(model.artifactPath('old', '02_plan', 'prompt'), '/ws/.crew/artifacts/old/prompts/02_plan.md');
});

test('elapsed times read as seconds, minutes and hours', () => {
  assert.deepEqual([formatElapsed(4_900), formatElapsed(185_000), formatElapsed(3_725_000), formatElapsed(-5)], ['4s', '3m 05s', '1h 02m', '0s']);
});

test('events read one per line with sequence, time, type, task and message', () => {
  const text = eventsText('r1', [
    { time: '2030-05-06T07:00:00.000Z', type: 'run.created', message: 'default/default: 4 tasks', metadata: { seq: 1 } },
    { time: '2030-05-06T07:00:01.000Z', type: 'task.started', taskId: '01_explore', metadata: { seq: 2 } },
  ], 2);
  assert.equal(text, [
    'Events of run r1 (2 of 2)',
    '',
    '   1  2030-05-06T07:00:00.000Z  run.created           default/default: 4 tasks',
    '   2  2030-05-06T07:00:01.000Z  task.started        01_explore',
    '',
  ].join('\n'));
});

test('the metrics a worker reported show in the task\'s tooltip, and in its description when short', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  model.applyUpdate(update('live', 'running', [
    { id: '01_explore', status: 'running', role: 'explorer', heartbeat: 'healthy', metrics: { tokens: 1200, files: 3 } },
    { id: '02_plan', status: 'queued', role: 'planner', heartbeat: null },
  ]), T0);
  const [explore, plan] = model.tasks('live', T0 + 4_000) ?? [];
  assert.equal(explore.description, 'explorer · 4s · heartbeat healthy · tokens=1200 files=3');
  assert.match(explore.tooltip, /\nMetrics: tokens=1200 files=3$/);
  assert.doesNotMatch(plan.tooltip, /Metrics/, 'a task without metrics says nothing of them');
});

test('many metrics stay out of the description but are all in the tooltip', () => {
  const model = new RunsModel();
  const metrics = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`metric_${i}`, i * 1.5]));
  model.setRunDetail({ ...detail, tasks: [{ id: '01_explore', role: 'explorer', status: 'completed', metrics }] });
  const [explore] = model.tasks('old', T0) ?? [];
  assert.equal(explore.description, 'explorer');
  assert.match(explore.tooltip, /Metrics: metric_0=0 metric_1=1.5 .* metric_7=10.5$/);
});

test('metrics from the run\'s status stay until an update brings new ones', () => {
  const model = new RunsModel();
  model.setRuns(summaries);
  model.setRunDetail({ ...detail, runId: 'live', status: 'running', tasks: [{ id: '01_explore', role: 'explorer', status: 'running', metrics: { tokens: 10 } }] });
  model.applyUpdate(update('live', 'running', [{ id: '01_explore', status: 'running', role: 'explorer', heartbeat: 'healthy' }]), T0);
  assert.match(model.tasks('live', T0)?.[0].tooltip ?? '', /Metrics: tokens=10$/);
  model.applyUpdate(update('live', 'running', [{ id: '01_explore', status: 'running', role: 'explorer', heartbeat: 'healthy', metrics: { tokens: 20 } }]), T0);
  assert.match(model.tasks('live', T0)?.[0].tooltip ?? '', /Metrics: tokens=20$/);
});

test('metric values read as the worker meant them, without floating-point noise', () => {
  assert.equal(formatMetrics({ cost: 0.1 + 0.2, tokens: 1234567, ratio: 2 / 3 }), 'cost=0.3 tokens=1234567 ratio=0.666667');
  assert.equal(formatMetrics(undefined), '');
});
