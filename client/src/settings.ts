// Reading the `crew.*` settings. The settings that choose a program (the interpreter, the server
// executable, the worker, the metrics port) are read from the user's settings only, whatever a
// workspace's `.vscode/settings.json` says.

import * as vscode from 'vscode';
import { buildInitializationOptions, type InitializationOptions, type WorkerRuntime } from './initOptions';
import { withoutProgramSettings } from './workspaceSection';

export interface ServerSettings {
  /** `crew.server.python`, user scope. */
  python: string;
  /** `crew.server.path`, user scope. */
  serverPath: string;
}

function userValue<T>(section: string): T | undefined {
  return vscode.workspace.getConfiguration('crew').inspect<T>(section)?.globalValue;
}

export function readServerSettings(): ServerSettings {
  return {
    python: (userValue<string>('server.python') ?? '').trim(),
    serverPath: (userValue<string>('server.path') ?? '').trim(),
  };
}

export function readInitializationOptions(): InitializationOptions {
  const config = vscode.workspace.getConfiguration('crew');
  return buildInitializationOptions(
    {
      diagnosticsDelayMs: config.get<number>('diagnostics.delayMs'),
      diagnosticsCache: config.get<boolean>('diagnostics.cache'),
      diagnosticsSeverity: config.get<Record<string, string>>('diagnostics.severity'),
      piCrewVersion: config.get<string>('piCrewVersion'),
      workerRuntime: userValue<WorkerRuntime | null>('worker.runtime'),
      workerCommand: userValue<string | string[] | null>('worker.command'),
      workerPassEnv: userValue<string[]>('worker.passEnv'),
      metricsServe: userValue<string | null>('metrics.serve'),
    },
    vscode.workspace.isTrusted,
  );
}

/** The `crew` section as the server may read it from the workspace: no setting that chooses a program. */
export function readWorkspaceSection(): unknown {
  return withoutProgramSettings(vscode.workspace.getConfiguration().get('crew') ?? {});
}
