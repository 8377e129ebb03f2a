// The runs status bar item, driven by `crew/health`: a spinner while a run is active, the warning or
// error colour by the worst heartbeat level, the counts in the tooltip; a click shows the run status.

import * as vscode from 'vscode';
import { runsStatusView, type StatusTone } from './health';
import { ClientCommand, type Health } from './protocol';

const BACKGROUND: Record<StatusTone, vscode.ThemeColor | undefined> = {
  normal: undefined,
  warning: new vscode.ThemeColor('statusBarItem.warningBackground'),
  error: new vscode.ThemeColor('statusBarItem.errorBackground'),
};

export class RunsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('crew.runs', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Crew Runs';
    this.item.command = ClientCommand.showRunStatus;
    this.update(undefined);
    this.item.show();
  }

  update(health: Health | undefined): void {
    const view = runsStatusView(health);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = BACKGROUND[view.tone];
  }

  dispose(): void {
    this.item.dispose();
  }
}
