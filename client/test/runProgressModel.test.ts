import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunUpdate } from '../src/protocol';
import { RunProgressModel, startsProgress } from '../src/runProgressModel';

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
