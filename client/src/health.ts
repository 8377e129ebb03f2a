// `crew/health` → what the runs status bar item shows. Pure, so it is unit-tested without VS Code.

import { HEARTBEAT_LEVELS, type Health, type HeartbeatLevel } from './protocol';

/** The item's background: VS Code offers only the warning and error status-bar colours. */
export type StatusTone = 'normal' | 'warning' | 'error';

export interface RunsStatusView {
  text: string;
  tooltip: string;
  tone: StatusTone;
}

const TONE_OF_LEVEL: Record<HeartbeatLevel, StatusTone> = {
  healthy: 'normal',
  warn: 'warning',
  stale: 'warning',
  dead: 'error',
};

const ICON_OF_LAST_STATUS: Record<string, string> = {
  completed: '$(check)',
  failed: '$(error)',
  cancelled: '$(circle-slash)',
  blocked: '$(warning)',
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function runsStatusView(health: Health | undefined): RunsStatusView {
  if (!health) {
    return { text: '$(organization) Crew', tooltip: 'Crew: no run yet\nClick to show the run status', tone: 'normal' };
  }
  const lines: string[] = [];
  let text: string;
  let tone: StatusTone = 'normal';
  if (health.activeRuns > 0) {
    text = `$(sync~spin) Crew: ${plural(health.activeRuns, 'run')}`;
    lines.push(`Crew: ${plural(health.activeRuns, 'active run')}`);
    const counts = HEARTBEAT_LEVELS.map((level) => `${health.levels[level] ?? 0} ${level}`).join(', ');
    lines.push(`Workers: ${counts}`);
    if (health.worst) tone = TONE_OF_LEVEL[health.worst];
    if (health.worst && health.worst !== 'healthy') {
      text += ` $(pulse) ${health.worst}`;
    }
  } else {
    const icon = health.lastRun ? ICON_OF_LAST_STATUS[health.lastRun.status] ?? '$(organization)' : '$(organization)';
    text = `${icon} Crew`;
    lines.push('Crew: no active run');
  }
  if (health.lastRun) {
    lines.push(`Last run: ${health.lastRun.runId} ${health.lastRun.status}`);
  }
  lines.push('Click to show the run status');
  return { text, tooltip: lines.join('\n'), tone };
}
