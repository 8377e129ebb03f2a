// The shapes the crew-lsp server sends and answers (docs/editor.md, Commands and Notifications).
// Only the fields the extension reads are typed; the server may send more.

export const HEARTBEAT_LEVELS = ['healthy', 'warn', 'stale', 'dead'] as const;
export type HeartbeatLevel = (typeof HEARTBEAT_LEVELS)[number];

export const TERMINAL_RUN_STATUSES = ['completed', 'failed', 'cancelled', 'blocked'] as const;

export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

/** `crew/health`: the heartbeat levels of the running tasks of every active run. */
export interface Health {
  activeRuns: number;
  levels: Record<HeartbeatLevel, number>;
  worst: HeartbeatLevel | null;
  lastRun: { runId: string; status: string } | null;
}

/** `progress` of a run update or run summary. */
export interface RunProgress {
  total: number;
  done: number;
  running: number;
  percentage: number;
  message: string;
  phaseName?: string;
}

/** `crew/runUpdate`. */
export interface RunUpdate {
  runId: string;
  status: string;
  tasks: { id: string; status: string; role: string; heartbeat: HeartbeatLevel | null }[];
  progress: RunProgress;
}

/** One run of `crew.status {}`. */
export interface RunSummary {
  runId: string;
  team?: string;
  workflow?: string;
  goal?: string;
  status: string;
  createdAt?: string;
  progress?: RunProgress;
  active?: boolean;
  interrupted?: boolean;
  folder?: string;
}

/** `crew.status {runId}`. */
export interface RunStatus {
  runId: string;
  status: string;
  manifest?: { team?: string; workflow?: string; goal?: string; createdAt?: string; cwd?: string };
  tasks?: { id: string; role?: string; status: string; heartbeatLevel?: HeartbeatLevel | null; error?: string | null }[];
  progress?: RunProgress;
  active?: boolean;
  interrupted?: boolean;
}

/** `crew.recommend {goal}`. */
export interface Recommendation {
  team: string | null;
  workflow: string | null;
  score: number;
  reason: string;
  alternatives: { team: string; score: number }[];
}

/** `crew.validateWorkspace`. */
export interface ValidationCounts {
  files: number;
  severity: { error: number; warning: number; information: number; hint: number };
  codes?: Record<string, number>;
}

/** `crew.doctor`. */
export interface DoctorReport {
  ok: boolean;
  version?: string;
  python?: string;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** The server's commands, sent with `workspace/executeCommand` and one argument object. */
export const ServerCommand = {
  run: 'crew.run',
  cancel: 'crew.cancel',
  status: 'crew.status',
  recommend: 'crew.recommend',
  validateWorkspace: 'crew.validateWorkspace',
  doctor: 'crew.doctor',
} as const;

/** The extension's own commands; vscode-languageclient registers the server's `crew.*` ids itself. */
export const ClientCommand = {
  runTeam: 'crew.client.runTeam',
  cancelRun: 'crew.client.cancelRun',
  showRunStatus: 'crew.client.showRunStatus',
  validateWorkspace: 'crew.client.validateWorkspace',
  doctor: 'crew.client.doctor',
  restartServer: 'crew.client.restartServer',
  showOutput: 'crew.client.showOutput',
} as const;

export const Notification = {
  health: 'crew/health',
  runUpdate: 'crew/runUpdate',
} as const;
