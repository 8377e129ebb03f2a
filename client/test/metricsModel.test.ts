import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds, metricsView } from '../src/metricsModel';
import type { Metric } from '../src/protocol';

const takenAt = new Date('2030-05-06T07:00:00.000Z');

const snapshot: Metric[] = [
  { name: 'crew_run_duration_seconds', type: 'histogram', series: [
    { labels: { team: 'review' }, count: 2, sum: 300, p50: 120, p95: 170, p99: 178 },
    { labels: { team: 'default' }, count: 5, sum: 50, p50: 8.5, p95: 19, p99: 20 },
  ] },
  { name: 'crew_task_tokens', type: 'histogram', series: [
    { labels: { role: 'writer' }, count: 4, sum: 12000, p50: 2500, p95: 4000, p99: 4000 },
    { labels: { role: 'explorer' }, count: 2, sum: 30000, p50: 15000, p95: 16000, p99: 16000 },
  ] },
  { name: 'crew_task_retry_attempts_total', type: 'counter', series: [{ labels: {}, value: 3 }] },
  { name: 'crew_task_deadletter_total', type: 'counter', series: [{ labels: { reason: 'max-retries' }, value: 1 }] },
  { name: 'crew_heartbeat_level', type: 'gauge', series: [
    { labels: { level: 'dead' }, value: 1 }, { labels: { level: 'healthy' }, value: 2 },
  ] },
  { name: 'crew_active_runs', type: 'gauge', series: [{ labels: {}, value: 1 }] },
];

test('durations read as people say them', () => {
  assert.equal(formatSeconds(0.25), '250 ms');
  assert.equal(formatSeconds(8.5), '8.5 s');
  assert.equal(formatSeconds(125), '2 min 5 s');
  assert.equal(formatSeconds(7260), '2 h 1 min');
});

test('the metrics view has a chart each for run durations, tokens per role, task durations, retries and heartbeat levels', () => {
  const view = metricsView(snapshot, takenAt);
  assert.deepEqual(view.charts.map((c) => c.id), ['run-durations', 'tokens-per-role', 'task-durations', 'retries', 'heartbeat-levels']);
  assert.equal(view.takenAt, '2030-05-06T07:00:00.000Z');
  assert.equal(view.activeRuns, 1);
});

test('run durations: a bar per team at its median, a marker at its p95, the count in the text', () => {
  const chart = metricsView(snapshot, takenAt).charts[0];
  assert.equal(chart.title, 'Run durations');
  assert.deepEqual(chart.bars.map((b) => [b.label, b.value, b.marker, b.text]), [
    ['default', 8.5, 19, 'median 8.5 s · p95 19 s · 5 runs'],
    ['review', 120, 170, 'median 2 min · p95 2 min 50 s · 2 runs'],
  ]);
  assert.equal(chart.max, 170, 'the scale reaches the largest marker');
});

test('tokens per role: the total a role used, largest first', () => {
  const chart = metricsView(snapshot, takenAt).charts[1];
  assert.deepEqual(chart.bars.map((b) => [b.label, b.value, b.text]), [
    ['explorer', 30000, '30,000 tokens · 2 tasks'],
    ['writer', 12000, '12,000 tokens · 4 tasks'],
  ]);
});

test('retries count the retried attempts and the deadletter entries per reason', () => {
  const chart = metricsView(snapshot, takenAt).charts[3];
  assert.deepEqual(chart.bars.map((b) => [b.label, b.value, b.tone]), [['retried attempts', 3, 'warning'], ['deadletter: max-retries', 1, 'error']]);
});

test('heartbeat levels list every level in order of worsening, each with its colour', () => {
  const chart = metricsView(snapshot, takenAt).charts[4];
  assert.deepEqual(chart.bars.map((b) => [b.label, b.value, b.tone]), [
    ['healthy', 2, 'ok'], ['warn', 0, 'warning'], ['stale', 0, 'stale'], ['dead', 1, 'error'],
  ]);
});

test('with no run measured yet every chart says so instead of drawing empty axes', () => {
  const view = metricsView([], takenAt);
  assert.equal(view.activeRuns, 0);
  for (const chart of view.charts.filter((c) => c.id !== 'heartbeat-levels' && c.id !== 'retries')) {
    assert.deepEqual(chart.bars, [], chart.id);
    assert.match(chart.empty, /No .+ yet/);
  }
});
