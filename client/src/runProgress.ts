// One progress notification per active run, driven by `crew/runUpdate`, with a Cancel button that
// sends `crew.cancel`. (The server's own `$/progress` lands in the status bar, where VS Code offers
// no Cancel button.) When a run followed here ends — or a run started here, even one over before its
// first update arrived — `onDidEndRun` says how (runEnd.ts shows it).

import * as vscode from 'vscode';
import { ServerCommand, type RunUpdate } from './protocol';
import { runEnd, RunProgressModel, startsProgress, type ProgressStep, type RunEnd } from './runProgressModel';
import type { CrewServer } from './server';

interface OpenRun {
  model: RunProgressModel;
  progress?: vscode.Progress<{ message?: string; increment?: number }>;
  pending: ProgressStep[];
  finish: () => void;
}

export class RunProgressNotifications implements vscode.Disposable {
  private readonly runs = new Map<string, OpenRun>();
  private readonly titles = new Map<string, string>();
  private readonly subscription: vscode.Disposable;
  private readonly ends = new vscode.EventEmitter<RunEnd>();
  readonly onDidEndRun = this.ends.event;

  constructor(private readonly server: CrewServer) {
    this.subscription = server.onRunUpdate((update) => this.onUpdate(update));
  }

  /** The title of a run this window started, known before its first update arrives. */
  expect(runId: string, title: string): void {
    this.titles.set(runId, title);
  }

  /** Closes every notification (the server stopped: no more updates will come). */
  closeAll(): void {
    for (const run of this.runs.values()) run.finish();
    this.runs.clear();
  }

  private onUpdate(update: RunUpdate): void {
    let run = this.runs.get(update.runId);
    if (!run) {
      if (!startsProgress(update, false)) {
        if (this.titles.has(update.runId)) this.end(update);
        return;
      }
      run = this.open(update.runId);
    }
    const step = run.model.step(update);
    if (run.progress) run.progress.report({ message: step.message, increment: step.increment });
    else run.pending.push(step);
    if (step.done) {
      run.finish();
      this.runs.delete(update.runId);
      this.end(update);
    }
  }

  private end(update: RunUpdate): void {
    const title = this.titles.get(update.runId);
    this.titles.delete(update.runId);
    this.ends.fire(runEnd(update, title));
  }

  private open(runId: string): OpenRun {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const run: OpenRun = { model: new RunProgressModel(runId), pending: [], finish };
    this.runs.set(runId, run);
    const title = this.titles.get(runId) ?? `Crew run ${runId}`;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        run.progress = progress;
        for (const step of run.pending.splice(0)) progress.report({ message: step.message, increment: step.increment });
        token.onCancellationRequested(() => void this.cancel(runId));
        return finished;
      },
    );
    return run;
  }

  private async cancel(runId: string): Promise<void> {
    try {
      await this.server.executeCommand(ServerCommand.cancel, { runId, reason: 'cancelled from VS Code' });
    } catch (error) {
      void vscode.window.showErrorMessage(`Crew: could not cancel ${runId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.closeAll();
    this.subscription.dispose();
    this.ends.dispose();
  }
}
