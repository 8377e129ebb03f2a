// `initializationOptions` for crew-lsp (docs/editor.md, Settings): the same shape as the `crew`
// settings section. The settings that choose a program, open a port or widen what workers inherit
// are taken from the user's settings only (the caller passes user-scope values for them): a
// workspace must never decide what runs.

export type WorkerRuntime = 'scaffold' | 'pi' | 'command';

/** The values of the `crew.*` settings the server reads. */
export interface CrewSettingValues {
  diagnosticsDelayMs?: number;
  /** Whether the server uses the diagnostics cache (docs/cache.md). */
  diagnosticsCache?: boolean;
  diagnosticsSeverity?: Record<string, string>;
  /** `auto` or a version; any scope: it chooses no program. */
  piCrewVersion?: string;
  /** User scope only. */
  workerRuntime?: WorkerRuntime | null;
  /** User scope only. */
  workerCommand?: string | string[] | null;
  /** User scope only. */
  workerPassEnv?: string[];
  /** User scope only. */
  metricsServe?: string | null;
}

export interface InitializationOptions {
  diagnostics: { delayMs?: number; cache?: boolean; severity: Record<string, string> };
  piCrewVersion?: string;
  worker: { runtime?: WorkerRuntime; command?: string | string[]; passEnv?: string[] };
  metrics: { serve?: string };
  trustedWorkspace: boolean;
}

function present<T>(value: T | null | undefined): value is T {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Unset values are left out, so the server's own defaults and config files apply. */
export function buildInitializationOptions(values: CrewSettingValues, trustedWorkspace: boolean): InitializationOptions {
  const options: InitializationOptions = {
    diagnostics: { severity: { ...(values.diagnosticsSeverity ?? {}) } },
    worker: {},
    metrics: {},
    trustedWorkspace,
  };
  if (typeof values.diagnosticsDelayMs === 'number') options.diagnostics.delayMs = values.diagnosticsDelayMs;
  if (typeof values.diagnosticsCache === 'boolean') options.diagnostics.cache = values.diagnosticsCache;
  const piCrewVersion = values.piCrewVersion?.trim();
  if (piCrewVersion && piCrewVersion.toLowerCase() !== 'auto') options.piCrewVersion = piCrewVersion;
  if (present(values.workerRuntime)) options.worker.runtime = values.workerRuntime;
  if (present(values.workerCommand)) options.worker.command = values.workerCommand;
  if (present(values.workerPassEnv)) options.worker.passEnv = [...values.workerPassEnv];
  if (present(values.metricsServe)) options.metrics.serve = values.metricsServe;
  return options;
}

/** Settings whose change needs a new server process: they are read once, at start. */
export const RESTART_SETTINGS = [
  'crew.server.python',
  'crew.server.path',
  'crew.worker.runtime',
  'crew.worker.command',
  'crew.worker.passEnv',
  'crew.metrics.serve',
] as const;

export function needsRestart(affects: (section: string) => boolean): boolean {
  return RESTART_SETTINGS.some((section) => affects(section));
}
