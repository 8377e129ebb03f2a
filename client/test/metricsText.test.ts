import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsMarkdown } from '../src/metricsText';

const takenAt = new Date('2030-05-06T07:08:09.250Z');

test('a histogram shows count and the p50/p95/p99 quantiles per series', () => {
  const text = metricsMarkdown([{
    name: 'crew_task_duration_seconds', type: 'histogram', help: 'Task durations.',
    series: [
      { labels: { role: 'executor' }, count: 10, sum: 15, p50: 1.25, p95: 4.25, p99: 4.85 },
      { labels: { role: 'planner' }, count: 0, sum: 0, p50: null, p95: null, p99: null },
    ],
  }], takenAt);
  assert.match(text, /## crew_task_duration_seconds\n\nTask durations\. \(histogram\)\n\n\| labels \| count \| p50 \| p95 \| p99 \|/);
  assert.match(text, /\| role=executor \| 10 \| 1\.25 \| 4\.25 \| 4\.85 \|/);
  assert.match(text, /\| role=planner \| 0 \| — \| — \| — \|/);
});

test('counters and gauges show a value per series, labels sorted, no labels as (all)', () => {
  const text = metricsMarkdown([
    { name: 'crew_runs_total', type: 'counter', series: [{ labels: { team: 'default', status: 'completed' }, value: 3 }] },
    { name: 'crew_active_runs', type: 'gauge', series: [{ labels: {}, value: 0.3333333 }] },
    { name: 'crew_retries_total', type: 'counter', series: [] },
  ], takenAt);
  assert.match(text, /\| status=completed, team=default \| 3 \|/);
  assert.match(text, /\| \(all\) \| 0\.333 \|/);
  assert.match(text, /## crew_retries_total\n\nNo data yet\./);
});

test('an empty snapshot says there is nothing yet, with the time it was taken', () => {
  assert.equal(
    metricsMarkdown([], takenAt),
    '# Crew metrics\n\nSnapshot of 2030-05-06T07:08:09.250Z; quantiles are estimated from the histogram buckets.\n\nNo metrics yet: run a team first.\n',
  );
});
