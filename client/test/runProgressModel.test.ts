import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunUpdate } from '../src/protocol';
import { runEnd, RunProgressModel, startsProgress } from '../src/runProgressModel';

function update(status: string, percentage: number, message = `${percentage}%`): RunUpdate {
  return { runId: 'r1', status, tasks: [], progress: { total: 4, done: 0, running: 1, percentage, message } };
}

test('the bar advances by the difference between the server percentages', () => {
  const model = new RunProgressModel('r1');
  assert.deepEqual(model.step(update('running', 25, 'Phase 2/4 execute: 25% (1/4)')), { message: 'Phase 2/4 execute: 25% (1/4)', increment: 25, done: false });
  assert.equal(model.step(update('running', 60)).increment, 35);
  assert.equal(model.step(update('running', 60)).increment, 0);
});

test('the bar never goes backwards', () => {
  const model = new RunProgressModel('r1');
  model.step(update('running', 50));
  assert.equal(model.step(update('running', 40)).increment, 0);
  assert.equal(model.step(update('running', 70)).increment, 20);
});

test('a terminal status ends the progress and says how the run ended', () => {
  const model = new RunProgressModel('r1');
  assert.deepEqual(model.step(update('cancelled', 50)), { message: 'cancelled', increment: 50, done: true });
});

test('only a run still going opens a notification', () => {
  assert.equal(startsProgress(update('running', 0), false), true);
  assert.equal(startsProgress(update('completed', 100), false), false);
  assert.equal(startsProgress(update('running', 10), true), false);
});

test('how a run ended: information when completed, a warning naming the tasks that failed otherwise', () => {
  const ended = (status: string, tasks: [string, string][]): RunUpdate => ({
    runId: 'r1', status, tasks: tasks.map(([id, s]) => ({ id, status: s, role: 'x', heartbeat: null })),
    progress: { total: tasks.length, done: tasks.filter(([, s]) => s === 'completed').length, running: 0, percentage: 100, message: '' },
  });
  assert.deepEqual(runEnd(ended('completed', [['01_a', 'completed'], ['02_b', 'completed']]), 'Crew: default — Write docs'),
    { runId: 'r1', status: 'completed', severity: 'information', message: 'Crew: default — Write docs: completed (2/2 tasks).' });
  assert.deepEqual(runEnd(ended('failed', [['01_a', 'completed'], ['02_b', 'failed'], ['03_c', 'skipped']]), undefined),
    { runId: 'r1', status: 'failed', severity: 'warning', message: 'Crew run r1: failed (1/3 tasks; failed: 02_b).' });
  assert.equal(runEnd(ended('cancelled', [['01_a', 'cancelled']]), undefined).message, 'Crew run r1: cancelled (0/1 tasks; cancelled: 01_a).');
  assert.equal(runEnd(ended('blocked', [['01_a', 'blocked']]), undefined).severity, 'warning');
});
