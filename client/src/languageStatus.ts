// The language status items of crew-lsp (shown next to the language mode of our files): whether the
// server runs, how many files it indexed and how many errors the workspace has (a click shows the
// output); and the pi-crew version the files are read as, with why (a click opens its setting). Both
// come from `crew.validateWorkspace`, refreshed when diagnostics change (a new version re-checks every
// file, so it changes them too).

import * as vscode from 'vscode';
import { DOCUMENT_SELECTOR } from './documents';
import { ClientCommand, ServerCommand, type PiCrewVersion, type ValidationCounts } from './protocol';
import type { CrewServer } from './server';
import { piCrewStatusView, serverStatusView, type ServerStatusInput } from './serverStatus';

const REFRESH_DELAY_MS = 1000;

const SEVERITY = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
} as const;

export class ServerLanguageStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('crew.server', DOCUMENT_SELECTOR);
  /** Shown once the server has said the version (an older crew-lsp does not). */
  private versionItem: vscode.LanguageStatusItem | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private status: ServerStatusInput = { state: 'starting' };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly server: CrewServer) {
    this.item.name = 'crew-lsp';
    this.item.command = { title: 'Show Output', command: ClientCommand.showOutput };
    this.disposables.push(
      server.onDidChangeState((status) => {
        this.show(status);
        if (status.state === 'running') this.scheduleRefresh();
      }),
      vscode.languages.onDidChangeDiagnostics(() => this.scheduleRefresh()),
      // another version may leave every problem as it was: ask again rather than wait for a change
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('crew.piCrewVersion')) this.scheduleRefresh();
      }),
      // with folders read as different versions, the item follows the active file
      vscode.window.onDidChangeActiveTextEditor(() => this.showVersion()),
    );
    this.show(this.status);
  }

  private show(status: ServerStatusInput): void {
    this.status = status;
    const view = serverStatusView(status);
    this.item.text = view.text;
    this.item.detail = view.detail;
    this.item.busy = view.busy;
    this.item.severity = SEVERITY[view.severity];
    this.showVersion();
  }

  private showVersion(): void {
    const versions: PiCrewVersion[] | undefined = this.status.state === 'running' ? this.status.counts?.piCrew : undefined;
    const view = piCrewStatusView(versions, vscode.window.activeTextEditor?.document.uri.fsPath);
    if (!view) {
      this.versionItem?.dispose();
      this.versionItem = undefined;
      return;
    }
    this.versionItem ??= vscode.languages.createLanguageStatusItem('crew.piCrewVersion', DOCUMENT_SELECTOR);
    this.versionItem.name = 'pi-crew version';
    this.versionItem.text = view.text;
    this.versionItem.detail = view.detail;
    this.versionItem.command = {
      title: 'Choose',
      tooltip: view.tooltip,
      command: 'workbench.action.openSettings',
      arguments: ['crew.piCrewVersion'],
    };
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    if (!this.server.isRunning()) return;
    try {
      const counts = await this.server.executeCommand<ValidationCounts>(ServerCommand.validateWorkspace);
      if (this.status.state === 'running') this.show({ state: 'running', counts });
    } catch {
      // the server went away meanwhile; its state change updates the item
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
    this.item.dispose();
    this.versionItem?.dispose();
  }
}
