// "Crew: Show Metrics": a `crew.metrics` / `crew/metrics` snapshot → the charts the metrics webview
// draws (run durations, tokens per role, task durations, retries, heartbeat levels). Pure, so the
// figures are unit-tested; the webview only turns each chart into bars.

import { HEARTBEAT_LEVELS, type Metric, type MetricSeries } from './protocol';

/** A colour class of the webview's stylesheet. */
export type Tone = 'ok' | 'warning' | 'stale' | 'error' | 'neutral';

export interface Bar {
  label: string;
  value: number;
  /** A tick on the bar's scale (a p95 beside a median). */
  marker?: number;
  /** What the chart writes beside the bar. */
  text: string;
  tone: Tone;
}

export interface ChartModel {
  id: string;
  title: string;
  caption: string;
  bars: Bar[];
  /** The end of the scale: the largest value or marker (at least 1, so a zero chart still draws). */
  max: number;
  /** Shown instead of bars when there are none. */
  empty: string;
}

export interface MetricsView {
  takenAt: string;
  activeRuns: number;
  charts: ChartModel[];
}

const LEVEL_TONES: Record<string, Tone> = { healthy: 'ok', warn: 'warning', stale: 'stale', dead: 'error' };

/** `250 ms`, `8.5 s`, `2 min 5 s`, `2 h 1 min`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = Math.round(seconds - minutes * 60);
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

function seriesOf(metrics: readonly Metric[], name: string): MetricSeries[] {
  return metrics.find((metric) => metric.name === name)?.series ?? [];
}

function chart(id: string, title: string, caption: string, bars: Bar[], empty: string): ChartModel {
  const max = bars.reduce((largest, bar) => Math.max(largest, bar.value, bar.marker ?? 0), 1);
  return { id, title, caption, bars, max, empty };
}

/** A histogram of seconds per `label`: a bar at the median, a marker at p95. */
function durationChart(metrics: readonly Metric[], id: string, title: string, name: string, label: string, unit: string): ChartModel {
  const bars = seriesOf(metrics, name)
    .filter((series) => (series.count ?? 0) > 0 && typeof series.p50 === 'number')
    .map((series): Bar => {
      const median = series.p50 ?? 0;
      const p95 = series.p95 ?? median;
      return {
        label: series.labels[label] ?? '(all)',
        value: median,
        marker: p95,
        text: `median ${formatSeconds(median)} · p95 ${formatSeconds(p95)} · ${plural(series.count ?? 0, unit)}`,
        tone: 'neutral',
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
  return chart(id, title, `per ${label}: the bar is the median, the tick the 95th percentile (estimated from the histogram)`, bars,
    `No ${unit} measured yet.`);
}

function tokensChart(metrics: readonly Metric[]): ChartModel {
  const bars = seriesOf(metrics, 'crew_task_tokens')
    .filter((series) => (series.count ?? 0) > 0)
    .map((series): Bar => ({
      label: series.labels.role ?? '(all)',
      value: series.sum ?? 0,
      text: `${count(series.sum ?? 0)} tokens · ${plural(series.count ?? 0, 'task')}`,
      tone: 'neutral',
    }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  return chart('tokens-per-role', 'Tokens per role', 'input and output tokens of the tasks whose worker reported usage', bars,
    'No token usage reported yet.');
}

function retriesChart(metrics: readonly Metric[]): ChartModel {
  const retried = seriesOf(metrics, 'crew_task_retry_attempts_total').reduce((sum, series) => sum + (series.value ?? 0), 0);
  const bars: Bar[] = [{ label: 'retried attempts', value: retried, text: count(retried), tone: 'warning' }];
  for (const series of seriesOf(metrics, 'crew_task_deadletter_total')) {
    const value = series.value ?? 0;
    bars.push({ label: `deadletter: ${series.labels.reason ?? '?'}`, value, text: count(value), tone: 'error' });
  }
  return chart('retries', 'Retries', 'failed attempts tried again, and tasks given up on (deadletter) by reason', bars, 'No retry yet.');
}

function heartbeatChart(metrics: readonly Metric[]): ChartModel {
  const byLevel = new Map(seriesOf(metrics, 'crew_heartbeat_level').map((series) => [series.labels.level, series.value ?? 0]));
  const bars = HEARTBEAT_LEVELS.map((level): Bar => {
    const value = byLevel.get(level) ?? 0;
    return { label: level, value, text: plural(value, 'task'), tone: LEVEL_TONES[level] };
  });
  return chart('heartbeat-levels', 'Heartbeat levels', 'running tasks by how recently their worker was heard from', bars, 'No task is running.');
}

export function metricsView(metrics: readonly Metric[], takenAt: Date): MetricsView {
  const activeRuns = seriesOf(metrics, 'crew_active_runs').reduce((sum, series) => sum + (series.value ?? 0), 0);
  return {
    takenAt: takenAt.toISOString(),
    activeRuns,
    charts: [
      durationChart(metrics, 'run-durations', 'Run durations', 'crew_run_duration_seconds', 'team', 'run'),
      tokensChart(metrics),
      durationChart(metrics, 'task-durations', 'Task durations', 'crew_task_duration_seconds', 'role', 'task'),
      retriesChart(metrics),
      heartbeatChart(metrics),
    ],
  };
}
