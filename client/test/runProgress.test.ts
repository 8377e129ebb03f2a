import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import * as vscode from 'vscode';
import type { RunUpdate } from '../src/protocol';
import { RunProgressNotifications } from '../src/runProgress';
import type { RunEnd } from '../src/runProgressModel';
import type { CrewServer } from '../src/server';
import { shown } from './vscode-stand-in';

/** The server side the notifications talk to: its run updates, and the commands they send. */
class ServerStandIn {
  readonly updates = new vscode.EventEmitter<RunUpdate>();
  readonly onRunUpdate = this.updates.event;
  readonly sent: { command: string; args: object }[] = [];
  failWith?: Error;
  async executeCommand(command: string, args: object = {}): Promise<unknown> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ command, args });
    return {};
  }
}

function update(runId: string, status: string, percentage: number): RunUpdate {
  return { runId, status, tasks: [], progress: { total: 4, done: 0, running: 1, percentage, message: `${status} ${percentage}%` } };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  shown.progress.length = 0;
  shown.errors.length = 0;
});

function setUp() {
  const server = new ServerStandIn();
  const notifications = new RunProgressNotifications(server as unknown as CrewServer);
  const ends: RunEnd[] = [];
  notifications.onDidEndRun((end) => ends.push(end));
  return { server, notifications, ends };
}

test('a running run gets one cancellable notification that follows its updates and closes at the end', async () => {
  const { server } = setUp();
  server.updates.fire(update('r1', 'running', 0));
  server.updates.fire(update('r1', 'running', 50));
  await settle();
  server.updates.fire(update('r1', 'completed', 100));
  await settle();
  assert.equal(shown.progress.length, 1);
  const [progress] = shown.progress;
  assert.equal(progress.options.location, vscode.ProgressLocation.Notification);
  assert.equal(progress.options.cancellable, true);
  assert.equal(progress.options.title, 'Crew run r1');
  assert.deepEqual(progress.reports, [
    { message: 'running 0%', increment: 0 },
    { message: 'running 50%', increment: 50 },
    { message: 'completed', increment: 50 },
  ]);
  assert.equal(progress.closed, true);
});

test('Cancel on the notification sends crew.cancel for that run', async () => {
  const { server } = setUp();
  server.updates.fire(update('r2', 'running', 10));
  await settle();
  shown.progress[0].cancel();
  await settle();
  assert.deepEqual(server.sent, [{ command: 'crew.cancel', args: { runId: 'r2', reason: 'cancelled from VS Code' } }]);
});

test('a refused cancel is an error message naming the run', async () => {
  const { server } = setUp();
  server.failWith = new Error('run r3 is not active');
  server.updates.fire(update('r3', 'running', 10));
  await settle();
  shown.progress[0].cancel();
  await settle();
  assert.deepEqual(shown.errors, ['Crew: could not cancel r3: run r3 is not active']);
});

test('a run started from the palette carries its title; an ended run seen for the first time opens nothing', async () => {
  const { server, notifications } = setUp();
  notifications.expect('r4', 'Crew: default — Write docs');
  server.updates.fire(update('r4', 'running', 0));
  server.updates.fire(update('r5', 'completed', 100));
  await settle();
  assert.deepEqual(shown.progress.map((p) => p.options.title), ['Crew: default — Write docs']);
});

test('when the server stops every open notification closes', async () => {
  const { server, notifications } = setUp();
  server.updates.fire(update('r6', 'running', 0));
  server.updates.fire(update('r7', 'running', 0));
  await settle();
  notifications.closeAll();
  await settle();
  assert.deepEqual(shown.progress.map((p) => p.closed), [true, true]);
});

test('the end of a run followed here is announced once, with how it ended', async () => {
  const { server, ends } = setUp();
  server.updates.fire(update('r8', 'running', 10));
  server.updates.fire(update('r8', 'failed', 100));
  server.updates.fire(update('r8', 'failed', 100));
  await settle();
  assert.deepEqual(ends.map((end) => [end.runId, end.status, end.severity]), [['r8', 'failed', 'warning']]);
});

test('a run started here that is over before its first update still has its end announced; an unknown ended run has none', async () => {
  const { server, notifications, ends } = setUp();
  notifications.expect('r9', 'Crew: default — Write docs');
  server.updates.fire(update('r9', 'completed', 100));
  server.updates.fire(update('r10', 'completed', 100));
  await settle();
  assert.deepEqual(ends.map((end) => end.message), ['Crew: default — Write docs: completed (0/4 tasks).']);
  assert.equal(shown.progress.length, 0, 'no progress notification opens for a run already over');
});

test('a run resumed after its end is announced again when it ends again', async () => {
  const { server, notifications, ends } = setUp();
  server.updates.fire(update('r11', 'running', 10));
  server.updates.fire(update('r11', 'cancelled', 50));
  notifications.expect('r11', 'Crew: resume r11');
  server.updates.fire(update('r11', 'running', 60));
  server.updates.fire(update('r11', 'completed', 100));
  await settle();
  assert.deepEqual(ends.map((end) => end.status), ['cancelled', 'completed']);
});
