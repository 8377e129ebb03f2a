import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runsStatusView } from '../src/health';
import type { Health } from '../src/protocol';

const idle: Health = { activeRuns: 0, levels: { healthy: 0, warn: 0, stale: 0, dead: 0 }, worst: null, lastRun: null };

test('before any health notification the item says Crew with no run yet', () => {
  const view = runsStatusView(undefined);
  assert.equal(view.text, '$(organization) Crew');
  assert.match(view.tooltip, /no run yet/);
  assert.equal(view.tone, 'normal');
});

test('an active run spins and the tooltip counts every heartbeat level', () => {
  const view = runsStatusView({ ...idle, activeRuns: 1, levels: { healthy: 2, warn: 1, stale: 0, dead: 0 }, worst: 'warn' });
  assert.match(view.text, /^\$\(sync~spin\) Crew: 1 run /);
  assert.match(view.tooltip, /Crew: 1 active run\nWorkers: 2 healthy, 1 warn, 0 stale, 0 dead/);
});

test('the colour follows the worst heartbeat level', () => {
  const active = { ...idle, activeRuns: 2 };
  assert.equal(runsStatusView({ ...active, worst: 'healthy' }).tone, 'normal');
  assert.equal(runsStatusView({ ...active, worst: 'warn' }).tone, 'warning');
  assert.equal(runsStatusView({ ...active, worst: 'stale' }).tone, 'warning');
  assert.equal(runsStatusView({ ...active, worst: 'dead' }).tone, 'error');
  assert.match(runsStatusView({ ...active, worst: 'dead' }).text, /2 runs \$\(pulse\) dead$/);
});

test('when no run is active the item shows how the last run ended, without spinning', () => {
  const view = runsStatusView({ ...idle, lastRun: { runId: 'team_1', status: 'failed' } });
  assert.equal(view.text, '$(error) Crew');
  assert.match(view.tooltip, /Last run: team_1 failed/);
  assert.equal(view.tone, 'normal');
  assert.equal(runsStatusView({ ...idle, lastRun: { runId: 'team_2', status: 'completed' } }).text, '$(check) Crew');
});
