// What every command body shares: failures become error messages, and commands that start programs
// explain why they do nothing in an untrusted workspace.

import * as vscode from 'vscode';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a command body; a failure (a refused argument, a stopped server) is an error message, never silent. */
export function guarded<A extends unknown[]>(what: string, body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Crew: ${what} failed: ${errorMessage(error)}`);
    }
  };
}

const STARTS_PROGRAMS = 'running teams starts programs, so it is disabled in an untrusted workspace';

/** Running programs (and writing files from a command) is refused in an untrusted workspace; say
 * why and offer to manage trust. */
export async function trustedOrExplained(why: string = STARTS_PROGRAMS): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(`Crew: ${why}. Checking and editing still work.`, manage);
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
