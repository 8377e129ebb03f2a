// `crew/runUpdate` → the steps of a run's progress notification. VS Code's progress takes
// increments, the server sends absolute percentages: this keeps the difference.

import { isTerminalStatus, type RunUpdate } from './protocol';

export interface ProgressStep {
  message: string;
  /** Percentage points to add to the bar (never negative). */
  increment: number;
  /** The run has ended: close the notification. */
  done: boolean;
}

export class RunProgressModel {
  private shown = 0;

  constructor(readonly runId: string) {}

  step(update: RunUpdate): ProgressStep {
    const percentage = Math.max(0, Math.min(100, update.progress?.percentage ?? this.shown));
    const increment = Math.max(0, percentage - this.shown);
    this.shown = Math.max(this.shown, percentage);
    const done = isTerminalStatus(update.status);
    const message = done ? `${update.status}` : update.progress?.message || update.status;
    return { message, increment, done };
  }
}

/** A run not seen before gets a notification only while it is still going. */
export function startsProgress(update: RunUpdate, known: boolean): boolean {
  return !known && !isTerminalStatus(update.status);
}

/** How a run ended, as the end-of-run message says it. */
export interface RunEnd {
  runId: string;
  status: string;
  /** information when it completed; a warning when it failed, was cancelled or is blocked */
  severity: 'information' | 'warning';
  message: string;
}

const UNFINISHED_TASK_STATUSES = ['failed', 'cancelled', 'blocked'];

/** The end of a run from its final update; `title` is the one its progress notification had. */
export function runEnd(update: RunUpdate, title: string | undefined): RunEnd {
  const { done, total } = update.progress;
  const parts = [`${done}/${total} tasks`];
  for (const status of UNFINISHED_TASK_STATUSES) {
    const ids = update.tasks.filter((task) => task.status === status).map((task) => task.id);
    if (ids.length) parts.push(`${status}: ${ids.join(', ')}`);
  }
  const completed = update.status === 'completed';
  return {
    runId: update.runId,
    status: update.status,
    severity: completed ? 'information' : 'warning',
    message: `${title ?? `Crew run ${update.runId}`}: ${update.status} (${parts.join('; ')}).`,
  };
}
