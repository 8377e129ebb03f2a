// The plan graph webviews: one per plan (team/workflow) or run, revealed again when asked twice.
// A graph that follows a run recolours its nodes as that run's `crew/runUpdate`s arrive; a plan's
// graph starts following a run of the same tasks once one is going.

import type * as vscode from 'vscode';
import { applyUpdate, statusesFromUpdate, updateMatchesPlan, type PlanGraph } from './planGraph';
import { isTerminalStatus, type RunUpdate } from './protocol';
import type { CrewServer } from './server';
import { openCrewWebview, type CrewWebview } from './webviewPanel';

export const PLAN_VIEW_TYPE = 'crew.planGraph';

interface OpenGraph {
  webview: CrewWebview;
  graph: PlanGraph;
  /** A plan's graph may adopt a run; a run's graph keeps to its run. */
  adopts: boolean;
}

export class PlanPanels implements vscode.Disposable {
  private readonly open = new Map<string, OpenGraph>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    server: CrewServer,
  ) {
    this.subscription = server.onRunUpdate((update) => this.onRunUpdate(update));
  }

  /** Shows the graph of a plan (`adopts`: it may follow a run of its tasks) or of a run. */
  show(key: string, graph: PlanGraph, adopts: boolean): void {
    const known = this.open.get(key);
    if (known) {
      known.graph = graph;
      known.adopts = adopts;
      known.webview.post({ type: 'graph', graph });
      known.webview.panel.reveal();
      return;
    }
    const entry: OpenGraph = {
      graph,
      adopts,
      webview: openCrewWebview(this.extensionUri, PLAN_VIEW_TYPE, graph.title, 'plan', (webview) => webview.post({ type: 'graph', graph: entry.graph })),
    };
    this.open.set(key, entry);
    entry.webview.panel.onDidDispose(() => {
      if (this.open.get(key) === entry) this.open.delete(key);
    });
  }

  private onRunUpdate(update: RunUpdate): void {
    for (const entry of this.open.values()) {
      const follows = entry.graph.runId === update.runId;
      const followedEnded = !entry.graph.runId || isTerminalStatus(entry.graph.runStatus ?? '');
      if (!follows && !(entry.adopts && followedEnded && updateMatchesPlan(entry.graph, update))) continue;
      entry.graph = applyUpdate(entry.graph, update);
      entry.webview.post({ type: 'statuses', statuses: statusesFromUpdate(entry.graph, update), runId: update.runId, runStatus: update.status });
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const entry of this.open.values()) entry.webview.panel.dispose();
    this.open.clear();
  }
}
