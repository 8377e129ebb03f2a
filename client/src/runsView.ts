// The Runs view (its own activity-bar container, "Crew Runs"): a thin TreeDataProvider over
// RunsModel, fed by `crew.status` and the same `crew/runUpdate` events as the progress
// notifications, with the context actions cancel, resume, retry task, open result/prompt/events and
// show the run's graph.

import * as vscode from 'vscode';
import { guarded, trustedOrExplained } from './commandGuards';
import { graphFromRun } from './planGraph';
import type { PlanPanels } from './planPanels';
import { ClientCommand, ServerCommand, type RunEvent, type RunStatus, type RunSummary } from './protocol';
import type { RunProgressNotifications } from './runProgress';
import { eventsText, RunsModel, type ArtifactKind, type ItemView } from './runsModel';
import type { CrewServer } from './server';
import type { VirtualDocuments } from './virtualDocuments';
import { resume } from './workflowCommands';

export const RUNS_VIEW_ID = 'crew.runs';
/** How often the elapsed times of running tasks are redrawn. */
const TICK_MS = 1000;
/** `crew.events` pages of this size, up to the cap (a run's log keeps its newest events anyway). */
const EVENTS_PAGE = 500;
const EVENTS_CAP = 5000;

type RunsNode = { runId: string; taskId?: string };

export class RunsView implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly model = new RunsModel();
  private readonly changes = new vscode.EventEmitter<RunsNode | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  private listed: Promise<void> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  readonly onDidChangeTreeData = this.changes.event;

  constructor(
    private readonly server: CrewServer,
    private readonly progress: RunProgressNotifications,
    private readonly documents: VirtualDocuments,
    private readonly plans: PlanPanels,
  ) {
    this.disposables.push(
      vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true }),
      server.onRunUpdate((update) => {
        if (!this.model.applyUpdate(update, Date.now())) void this.refresh();
        this.redraw();
      }),
      server.onDidChangeState((status) => {
        if (status.state === 'running') void this.refresh();
      }),
      ...this.registerCommands(),
    );
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const view = this.itemView(node);
    if (!view) return new vscode.TreeItem(node.taskId ?? node.runId);
    const item = new vscode.TreeItem(view.label, view.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = view.id;
    item.description = view.description;
    item.tooltip = view.tooltip;
    item.contextValue = view.contextValue;
    item.iconPath = new vscode.ThemeIcon(view.icon.id, view.icon.color ? new vscode.ThemeColor(view.icon.color) : undefined);
    return item;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!this.server.isRunning()) return [];
    if (!node) {
      await (this.listed ??= this.fetchRuns());
      return this.model.runs().map((view) => ({ runId: view.id.slice('run:'.length) }));
    }
    if (node.taskId) return [];
    if (!this.model.tasks(node.runId, Date.now())) await this.fetchRun(node.runId);
    return (this.model.tasks(node.runId, Date.now()) ?? []).map((view) => ({ runId: node.runId, taskId: view.label }));
  }

  /** Fetches the run list again (and redraws). */
  refresh(): Promise<void> {
    this.listed = this.fetchRuns();
    return this.listed.then(() => this.redraw());
  }

  private itemView(node: RunsNode): ItemView | undefined {
    if (!node.taskId) return this.model.runs().find((view) => view.id === `run:${node.runId}`);
    return this.model.tasks(node.runId, Date.now())?.find((view) => view.label === node.taskId);
  }

  private async fetchRuns(): Promise<void> {
    try {
      const { runs } = await this.server.executeCommand<{ runs: RunSummary[] }>(ServerCommand.status, {});
      this.model.setRuns(runs);
    } catch {
      // the server stopped meanwhile: the view refreshes when it runs again
    }
  }

  private async fetchRun(runId: string): Promise<void> {
    this.model.setRunDetail(await this.server.executeCommand<RunStatus>(ServerCommand.status, { runId }));
  }

  /** Redraws the tree; while a task runs, again every second so its elapsed time moves. */
  private redraw(): void {
    this.changes.fire(undefined);
    if (this.model.hasRunningTasks() && !this.ticker) {
      this.ticker = setInterval(() => {
        this.changes.fire(undefined);
        if (!this.model.hasRunningTasks()) this.stopTicker();
      }, TICK_MS);
    }
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private async openArtifact(node: RunsNode | undefined, kind: ArtifactKind): Promise<void> {
    if (!node?.taskId) return;
    if (!this.model.artifactPath(node.runId, node.taskId, kind)) await this.fetchRun(node.runId);
    const file = this.model.artifactPath(node.runId, node.taskId, kind);
    if (!file) throw new Error(`the artifacts folder of run ${node.runId} is unknown`);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    } catch {
      throw new Error(`task ${node.taskId} has no ${kind} yet (${file})`);
    }
  }

  private async openEvents(node: RunsNode | undefined): Promise<void> {
    if (!node) return;
    const events: RunEvent[] = [];
    let total = 0;
    let sinceSeq = 0;
    while (events.length < EVENTS_CAP) {
      const page = await this.server.executeCommand<{ events: RunEvent[]; nextSeq: number; total: number }>(
        ServerCommand.events, { runId: node.runId, sinceSeq, limit: EVENTS_PAGE });
      total = page.total;
      events.push(...page.events);
      if (!page.events.length || events.length >= page.total || page.nextSeq <= sinceSeq) break;
      sinceSeq = page.nextSeq;
    }
    await this.documents.show(`events ${node.runId}.log`, eventsText(node.runId, events, total));
  }

  private registerCommands(): vscode.Disposable[] {
    const cancel = guarded('Cancel Run', async (node?: RunsNode) => {
      if (!node) return;
      const result = await this.server.executeCommand<{ status?: string }>(ServerCommand.cancel, { runId: node.runId, reason: 'cancelled from VS Code' });
      void vscode.window.showInformationMessage(`Crew: run ${node.runId} ${result.status ?? 'cancelled'}.`);
      await this.refresh();
    });
    const resumeRun = guarded('Resume Run', async (node?: RunsNode) => {
      if (!node || !(await trustedOrExplained())) return;
      await resume(this.server, this.progress, node.runId);
      await this.refresh();
    });
    const retryTask = guarded('Retry Task', async (node?: RunsNode) => {
      if (!node?.taskId || !(await trustedOrExplained())) return;
      const { requeuedTaskIds } = await this.server.executeCommand<{ requeuedTaskIds: string[] }>(ServerCommand.retry, { runId: node.runId, taskId: node.taskId });
      this.progress.expect(node.runId, `Crew: retry ${node.taskId} of ${node.runId}`);
      void vscode.window.showInformationMessage(`Crew: ${requeuedTaskIds.join(', ') || node.taskId} queued again.`);
      await this.refresh();
    });
    const showGraph = guarded('Show Run Graph', async (node?: RunsNode) => {
      if (!node) return;
      const run = await this.server.executeCommand<RunStatus>(ServerCommand.status, { runId: node.runId });
      this.plans.show(`run:${node.runId}`, graphFromRun(run), false);
    });
    return [
      vscode.commands.registerCommand(ClientCommand.runsShowGraph, showGraph),
      vscode.commands.registerCommand(ClientCommand.runsRefresh, guarded('Refresh', () => this.refresh())),
      vscode.commands.registerCommand(ClientCommand.runsCancel, cancel),
      vscode.commands.registerCommand(ClientCommand.runsResume, resumeRun),
      vscode.commands.registerCommand(ClientCommand.runsRetryTask, retryTask),
      vscode.commands.registerCommand(ClientCommand.runsOpenResult, guarded('Open Result', (node?: RunsNode) => this.openArtifact(node, 'result'))),
      vscode.commands.registerCommand(ClientCommand.runsOpenPrompt, guarded('Open Prompt', (node?: RunsNode) => this.openArtifact(node, 'prompt'))),
      vscode.commands.registerCommand(ClientCommand.runsOpenEvents, guarded('Open Events', (node?: RunsNode) => this.openEvents(node))),
    ];
  }

  dispose(): void {
    this.stopTicker();
    this.disposables.forEach((disposable) => disposable.dispose());
    this.changes.dispose();
  }
}
