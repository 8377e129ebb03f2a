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

/** The figures a worker reported for its task, by name (at most 32). */
export type TaskMetrics = Record<string, number>;

/** `crew/runUpdate`. */
export interface RunUpdate {
  runId: string;
  status: string;
  /** `metrics`: the figures the task's worker reported (docs/runs.md, Metric lines); absent when none */
  tasks: { id: string; status: string; role: string; heartbeat: HeartbeatLevel | null; metrics?: TaskMetrics }[];
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

/** The plan fields of a task, carried both by a plan and by a run's stored tasks. */
export interface TaskShape {
  id: string;
  stepId?: string;
  role?: string;
  agent?: string | null;
  dependsOn?: string[];
  output?: string | null;
  reads?: string[];
  model?: string | null;
  verify?: boolean;
}

/** One task of `crew.status {runId}`: the task as stored, with its plan fields. */
export interface TaskStatus extends TaskShape {
  status: string;
  heartbeatLevel?: HeartbeatLevel | null;
  error?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  /** null when the worker reported none */
  metrics?: TaskMetrics | null;
}

/** `crew.status {runId}`. */
export interface RunStatus {
  runId: string;
  status: string;
  manifest?: {
    team?: string;
    workflow?: string;
    goal?: string;
    createdAt?: string;
    cwd?: string;
    /** absolute folders of the run: `artifacts` holds `results/<taskId>.txt` and `prompts/<taskId>.md` */
    paths?: { state?: string; artifacts?: string };
  };
  tasks?: TaskStatus[];
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

/** `crew.teams`: the effective teams by name. */
export interface TeamList {
  teams: { name: string; description: string; scope: string; path: string; defaultWorkflow: string }[];
}

/** One task of a `crew.plan` answer. */
export interface PlannedTask {
  id: string;
  stepId?: string;
  role: string;
  agent?: string | null;
  dependsOn: string[];
  output?: string | null;
  reads?: string[];
  model?: string | null;
  verify?: boolean;
  wave: number;
}

/** `crew.plan`: a plan, or why the team cannot run the workflow. */
export type PlanAnswer =
  | { ok: true; team: string; workflow: string; goal: string; concurrency: number; tasks: PlannedTask[]; waves: string[][]; warnings: string[] }
  | { ok: false; error: string; diagnostics?: { code?: string; message: string; path?: string }[] };

/** One series of a metrics snapshot; histograms carry count, sum, buckets and quantiles. */
export interface MetricSeries {
  labels: Record<string, string>;
  value?: number;
  count?: number;
  sum?: number;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
}

/** One metric of `crew.metrics` (docs/telemetry.md, Snapshot). */
export interface Metric {
  name: string;
  type: string;
  help?: string;
  series: MetricSeries[];
}

/** One event of `crew.events`. */
export interface RunEvent {
  time: string;
  type: string;
  taskId?: string;
  message?: string;
  metadata?: { seq?: number };
}

/** The pi-crew version a workspace folder is read as, and why (`crew.validateWorkspace`). */
export interface PiCrewVersion {
  folder: string;
  version: string;
  /** where it came from: `setting`, `project .pi/settings.json`, `newest known`, … */
  source: string;
  why: string;
  /** one line: `pi-crew 0.10.1 (<source>: <why>)` */
  summary: string;
}

/** `crew.validateWorkspace`. */
export interface ValidationCounts {
  files: number;
  severity: { error: number; warning: number; information: number; hint: number };
  codes?: Record<string, number>;
  /** per folder; absent from an older crew-lsp */
  piCrew?: PiCrewVersion[];
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
  teams: 'crew.teams',
  validateWorkspace: 'crew.validateWorkspace',
  doctor: 'crew.doctor',
  plan: 'crew.plan',
  resume: 'crew.resume',
  retry: 'crew.retry',
  events: 'crew.events',
  metrics: 'crew.metrics',
  newSkill: 'crew.newSkill',
  export: 'crew.export',
  guidanceUpdate: 'crew.guidance.update',
  guidanceRemove: 'crew.guidance.remove',
} as const;

/** The extension's own commands; vscode-languageclient registers the server's `crew.*` ids itself. */
export const ClientCommand = {
  runTeam: 'crew.client.runTeam',
  runWorkflow: 'crew.client.runWorkflow',
  resumeRun: 'crew.client.resumeRun',
  previewPlan: 'crew.client.previewPlan',
  newSkill: 'crew.client.newSkill',
  showMetrics: 'crew.client.showMetrics',
  cancelRun: 'crew.client.cancelRun',
  showRunStatus: 'crew.client.showRunStatus',
  validateWorkspace: 'crew.client.validateWorkspace',
  doctor: 'crew.client.doctor',
  restartServer: 'crew.client.restartServer',
  showOutput: 'crew.client.showOutput',
  export: 'crew.client.export',
  guidanceUpdate: 'crew.client.guidance.update',
  guidanceRemove: 'crew.client.guidance.remove',
  // the Runs view's title and context actions (hidden from the palette)
  runsRefresh: 'crew.client.runs.refresh',
  runsCancel: 'crew.client.runs.cancel',
  runsResume: 'crew.client.runs.resume',
  runsRetryTask: 'crew.client.runs.retryTask',
  runsOpenResult: 'crew.client.runs.openResult',
  runsOpenPrompt: 'crew.client.runs.openPrompt',
  runsOpenEvents: 'crew.client.runs.openEvents',
  runsShowGraph: 'crew.client.runs.showGraph',
} as const;

export const Notification = {
  health: 'crew/health',
  runUpdate: 'crew/runUpdate',
  metrics: 'crew/metrics',
} as const;
