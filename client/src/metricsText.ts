// "Crew: Show Metrics": a `crew.metrics` snapshot as a Markdown document, one table per metric,
// histograms with their count and estimated quantiles. Pure, unit-tested.

import type { Metric, MetricSeries } from './protocol';

function number(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function labels(series: MetricSeries): string {
  const pairs = Object.entries(series.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length ? pairs.map(([key, value]) => `${key}=${value}`).join(', ') : '(all)';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function metricSection(metric: Metric): string[] {
  const lines = [`## ${metric.name}`, ''];
  if (metric.help) lines.push(`${metric.help} (${metric.type})`, '');
  if (!metric.series.length) return [...lines, 'No data yet.'];
  if (metric.type === 'histogram') {
    lines.push('| labels | count | p50 | p95 | p99 |', '|---|---:|---:|---:|---:|');
    for (const series of metric.series) {
      lines.push(`| ${cell(labels(series))} | ${number(series.count)} | ${number(series.p50)} | ${number(series.p95)} | ${number(series.p99)} |`);
    }
  } else {
    lines.push('| labels | value |', '|---|---:|');
    for (const series of metric.series) lines.push(`| ${cell(labels(series))} | ${number(series.value)} |`);
  }
  return lines;
}

export function metricsMarkdown(metrics: readonly Metric[], takenAt: Date): string {
  const lines = ['# Crew metrics', '', `Snapshot of ${takenAt.toISOString()}; quantiles are estimated from the histogram buckets.`];
  if (!metrics.length) lines.push('', 'No metrics yet: run a team first.');
  for (const metric of metrics) lines.push('', ...metricSection(metric));
  return lines.join('\n') + '\n';
}
