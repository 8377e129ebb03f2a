// The Runs view's model: the recent runs (`crew.status {}`), their tasks (`crew.status {runId}`) and
// the `crew/runUpdate` notifications → the items of the tree. Pure (the clock is a parameter), so it
// is unit-tested without VS Code; runsView.ts adapts it to a TreeDataProvider.

import { isTerminalStatus, type HeartbeatLevel, type RunEvent, type RunStatus, type RunSummary, type RunUpdate, type TaskMetrics } from './protocol';

interface TaskState {
  id: string;
  role?: string;
  status: string;
  heartbeat: HeartbeatLevel | null;
  /** epoch milliseconds; from the server's status, else when an update first showed the task running */
  startedAt?: number;
  finishedAt?: number;
  error?: string | null;
  metrics?: TaskMetrics;
}

interface RunState {
  runId: string;
  team?: string;
  workflow?: string;
  goal?: string;
  status: string;
  createdAt?: string;
  active: boolean;
  interrupted: boolean;
  progressMessage?: string;
  /** undefined until the run's status or an update has listed them */
  tasks?: Map<string, TaskState>;
  artifactsFolder?: string;
}

/** What a tree item shows; `icon` is a codicon id and `color` a theme colour id. */
export interface ItemView {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: { id: string; color?: string };
  /** space-separated flags the context menus match (`run`, `task`, `active`, `resumable`, `retryable`) */
  contextValue: string;
  collapsible: boolean;
}

export type ArtifactKind = 'result' | 'prompt';

const STATUS_ICONS: Record<string, ItemView['icon']> = {
  queued: { id: 'clock' },
  waiting: { id: 'watch' },
  planning: { id: 'loading~spin' },
  running: { id: 'sync~spin' },
  completed: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash' },
  skipped: { id: 'debug-step-over' },
  blocked: { id: 'warning', color: 'list.warningForeground' },
};

/** A running task's icon takes the colour of its heartbeat level. */
const HEARTBEAT_COLORS: Record<HeartbeatLevel, string | undefined> = {
  healthy: undefined,
  warn: 'charts.yellow',
  stale: 'charts.orange',
  dead: 'charts.red',
};

const RETRYABLE_TASK_STATUSES = ['failed', 'cancelled'];

/** Metrics this long or shorter also show in the task's description; longer ones only in its tooltip. */
const SHORT_METRICS = 40;

function time(iso: string | null | undefined): number | undefined {
  const parsed = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** `tokens=1200 cost=0.35`, in the order the worker reported them; fractions to six significant digits. */
export function formatMetrics(metrics: TaskMetrics | undefined): string {
  return Object.entries(metrics ?? {})
    .map(([name, value]) => `${name}=${Number.isInteger(value) ? value : Number(value.toPrecision(6))}`)
    .join(' ');
}

/** `4s`, `3m 05s`, `1h 02m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

function isResumable(run: RunState): boolean {
  return !run.active && (run.interrupted || run.status === 'failed' || run.status === 'cancelled');
}

export class RunsModel {
  private runsById = new Map<string, RunState>();

  /** The recent runs from `crew.status {}`; tasks already known for a listed run are kept. */
  setRuns(summaries: readonly RunSummary[]): void {
    const next = new Map<string, RunState>();
    for (const summary of summaries) {
      const known = this.runsById.get(summary.runId);
      next.set(summary.runId, {
        runId: summary.runId,
        team: summary.team,
        workflow: summary.workflow,
        goal: summary.goal,
        status: summary.status,
        createdAt: summary.createdAt,
        active: stillRunning(summary.status, summary.active ?? false),
        interrupted: summary.interrupted ?? false,
        progressMessage: summary.progress?.message,
        tasks: known?.tasks,
        artifactsFolder: known?.artifactsFolder,
      });
    }
    this.runsById = next;
  }

  /** One run's `crew.status {runId}`: its tasks with their times, and where its artifacts are. */
  setRunDetail(detail: RunStatus): void {
    const manifest = detail.manifest ?? {};
    const run = this.runsById.get(detail.runId) ?? this.newRun(detail.runId, detail.status, manifest.createdAt);
    Object.assign(run, {
      team: manifest.team ?? run.team,
      workflow: manifest.workflow ?? run.workflow,
      goal: manifest.goal ?? run.goal,
      status: detail.status,
      active: stillRunning(detail.status, detail.active ?? run.active),
      interrupted: detail.interrupted ?? run.interrupted,
      progressMessage: detail.progress?.message ?? run.progressMessage,
      artifactsFolder: manifest.paths?.artifacts ?? run.artifactsFolder,
    });
    run.tasks = new Map(
      (detail.tasks ?? []).map((task) => [task.id, {
        id: task.id,
        role: task.role,
        status: task.status,
        heartbeat: task.heartbeatLevel ?? null,
        startedAt: time(task.startedAt),
        finishedAt: time(task.finishedAt),
        error: task.error,
        metrics: task.metrics ?? undefined,
      }]),
    );
  }

  /** A `crew/runUpdate`; answers false when the run was not known (the list should be fetched again). */
  applyUpdate(update: RunUpdate, now: number): boolean {
    const known = this.runsById.has(update.runId);
    const run = this.runsById.get(update.runId) ?? this.newRun(update.runId, update.status, new Date(now).toISOString());
    run.status = update.status;
    run.active = !isTerminalStatus(update.status);
    if (run.active) run.interrupted = false;
    run.progressMessage = update.progress?.message;
    const tasks = run.tasks ?? new Map<string, TaskState>();
    for (const task of update.tasks) {
      const seen = tasks.get(task.id);
      // an update carries metrics only once the worker reported some: the known ones stay until then
      const next: TaskState = { ...seen, id: task.id, role: task.role, status: task.status, heartbeat: task.heartbeat, metrics: task.metrics ?? seen?.metrics };
      if (task.status === 'running' && seen?.status !== 'running') {
        next.startedAt = now;
        next.finishedAt = undefined;
      }
      if (isTaskDone(task.status) && !isTaskDone(seen?.status) && next.startedAt !== undefined) next.finishedAt ??= now;
      tasks.set(task.id, next);
    }
    run.tasks = tasks;
    return known;
  }

  /** Some task is running: its elapsed time changes as the clock goes. */
  hasRunningTasks(): boolean {
    return [...this.runsById.values()].some((run) => [...(run.tasks?.values() ?? [])].some((task) => task.status === 'running'));
  }

  /** The runs, active first, then the newest first. */
  runs(): ItemView[] {
    return [...this.runsById.values()]
      .sort((a, b) => Number(b.active) - Number(a.active) || (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))
      .map(runItem);
  }

  /** The tasks of a run, or undefined when they have not been loaded yet. */
  tasks(runId: string, now: number): ItemView[] | undefined {
    const run = this.runsById.get(runId);
    if (!run?.tasks) return undefined;
    return [...run.tasks.values()].map((task) => taskItem(run, task, now));
  }

  /** `<artifacts>/results/<taskId>.txt` or `<artifacts>/prompts/<taskId>.md`, once the run's status is known. */
  artifactPath(runId: string, taskId: string, kind: ArtifactKind): string | undefined {
    const folder = this.runsById.get(runId)?.artifactsFolder;
    if (!folder) return undefined;
    return kind === 'result' ? `${folder}/results/${taskId}.txt` : `${folder}/prompts/${taskId}.md`;
  }

  private newRun(runId: string, status: string, createdAt?: string): RunState {
    const run: RunState = { runId, status, createdAt, active: !isTerminalStatus(status), interrupted: false };
    this.runsById.set(runId, run);
    return run;
  }
}

/**
 * Whether a run is still going. The server calls a run active while it executes in the server's
 * process, which includes the moment between its final status being written and the run being let
 * go: a run whose status is final is shown as ended (no progress, no Cancel) whatever that flag says.
 */
function stillRunning(status: string, active: boolean): boolean {
  return active && !isTerminalStatus(status);
}

function isTaskDone(status: string | undefined): boolean {
  return status !== undefined && ['completed', 'failed', 'cancelled', 'skipped'].includes(status);
}

function runItem(run: RunState): ItemView {
  const name = [run.team, run.workflow].filter(Boolean).join('/') || run.runId;
  const status = run.interrupted ? `${run.status} (interrupted)` : run.status;
  const flags = ['run', run.active ? 'active' : '', isResumable(run) ? 'resumable' : ''].filter(Boolean);
  return {
    id: `run:${run.runId}`,
    label: name,
    description: [status, run.active ? run.progressMessage : undefined].filter(Boolean).join(' · '),
    tooltip: [run.runId, run.goal && `Goal: ${run.goal}`, run.createdAt && `Started: ${run.createdAt}`, `Status: ${status}`].filter(Boolean).join('\n'),
    icon: run.interrupted ? { id: 'debug-pause', color: 'list.warningForeground' } : STATUS_ICONS[run.status] ?? { id: 'circle-outline' },
    contextValue: flags.join(' '),
    collapsible: true,
  };
}

function taskItem(run: RunState, task: TaskState, now: number): ItemView {
  const elapsed = task.startedAt === undefined ? undefined : formatElapsed((task.finishedAt ?? now) - task.startedAt);
  const heartbeat = task.status === 'running' && task.heartbeat ? `heartbeat ${task.heartbeat}` : undefined;
  const baseIcon = STATUS_ICONS[task.status] ?? { id: 'circle-outline' };
  const icon = task.status === 'running' && task.heartbeat && HEARTBEAT_COLORS[task.heartbeat]
    ? { id: baseIcon.id, color: HEARTBEAT_COLORS[task.heartbeat] }
    : baseIcon;
  const retryable = !run.active && RETRYABLE_TASK_STATUSES.includes(task.status);
  const metrics = formatMetrics(task.metrics);
  return {
    id: `task:${run.runId}:${task.id}`,
    label: task.id,
    description: [task.role, elapsed, heartbeat, metrics.length <= SHORT_METRICS && metrics].filter(Boolean).join(' · '),
    tooltip: [`${task.id} (${task.role ?? 'no role'})`, `Status: ${task.status}`, heartbeat, elapsed && `Elapsed: ${elapsed}`, task.error && `Error: ${task.error}`,
      metrics && `Metrics: ${metrics}`].filter(Boolean).join('\n'),
    icon,
    contextValue: ['task', retryable ? 'retryable' : ''].filter(Boolean).join(' '),
    collapsible: false,
  };
}

/** A run's events as plain text, one line each: sequence, time, type, task and message. */
export function eventsText(runId: string, events: readonly RunEvent[], total: number): string {
  const lines = [`Events of run ${runId} (${events.length} of ${total})`, ''];
  for (const event of events) {
    const fields = [String(event.metadata?.seq ?? '').padStart(4), event.time, event.type.padEnd(18), event.taskId ?? '', event.message ?? ''];
    lines.push(fields.join('  ').trimEnd());
  }
  return lines.join('\n') + '\n';
}
