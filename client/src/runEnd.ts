// The end of each run, said once: an information message when it completed, a warning when it
// failed, was cancelled or is blocked, each with "Show Summary" (the run's status document). The
// server leaves out its own end-of-run message for this client (`experimental.crewRunEndMessages`).

import * as vscode from 'vscode';
import type { RunProgressNotifications } from './runProgress';
import type { RunEnd } from './runProgressModel';

export const SHOW_SUMMARY = 'Show Summary';

export class RunEndMessages implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    progress: RunProgressNotifications,
    private readonly showSummary: (runId: string) => Promise<void>,
  ) {
    this.subscription = progress.onDidEndRun((end) => void this.announce(end));
  }

  private async announce(end: RunEnd): Promise<void> {
    const show = end.severity === 'information' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const choice = await show(end.message, SHOW_SUMMARY);
    if (choice !== SHOW_SUMMARY) return;
    try {
      await this.showSummary(end.runId);
    } catch (error) {
      void vscode.window.showErrorMessage(`Crew: the summary of ${end.runId} could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
