import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import * as vscode from 'vscode';
import type { RunUpdate } from '../src/protocol';
import { RunEndMessages, SHOW_SUMMARY } from '../src/runEnd';
import { RunProgressNotifications } from '../src/runProgress';
import type { CrewServer } from '../src/server';
import { shown } from './vscode-stand-in';

const settle = () => new Promise((resolve) => setImmediate(resolve));

function update(runId: string, status: string): RunUpdate {
  return { runId, status, tasks: [], progress: { total: 2, done: status === 'completed' ? 2 : 0, running: 0, percentage: 100, message: '' } };
}

function setUp(summary: (runId: string) => Promise<void>) {
  const updates = new vscode.EventEmitter<RunUpdate>();
  const server = { onRunUpdate: updates.event } as unknown as CrewServer;
  const progress = new RunProgressNotifications(server);
  new RunEndMessages(progress, summary);
  return { updates, progress };
}

beforeEach(() => {
  shown.messages.length = 0;
  shown.errors.length = 0;
  shown.answer = undefined;
});

test('a completed run is an information message and a failed one a warning, each offering Show Summary', async () => {
  const { updates, progress } = setUp(async () => undefined);
  progress.expect('r1', 'Crew: default — Write docs');
  progress.expect('r2', 'Crew: review — Check it');
  updates.fire(update('r1', 'completed'));
  updates.fire(update('r2', 'failed'));
  await settle();
  assert.deepEqual(shown.messages, [
    { severity: 'information', message: 'Crew: default — Write docs: completed (2/2 tasks).', items: [SHOW_SUMMARY] },
    { severity: 'warning', message: 'Crew: review — Check it: failed (0/2 tasks).', items: [SHOW_SUMMARY] },
  ]);
});

test('Show Summary opens the status of that run', async () => {
  const opened: string[] = [];
  const { updates, progress } = setUp(async (runId) => void opened.push(runId));
  shown.answer = SHOW_SUMMARY;
  progress.expect('r3', 'Crew: default — Docs');
  updates.fire(update('r3', 'cancelled'));
  await settle();
  assert.deepEqual(opened, ['r3']);
});

test('a summary that cannot be opened is an error message, not a silent failure', async () => {
  const { updates, progress } = setUp(async () => {
    throw new Error('crew-lsp is not running');
  });
  shown.answer = SHOW_SUMMARY;
  progress.expect('r4', 'Crew: default — Docs');
  updates.fire(update('r4', 'completed'));
  await settle();
  await settle();
  assert.deepEqual(shown.errors, ['Crew: the summary of r4 could not be opened: crew-lsp is not running']);
});
