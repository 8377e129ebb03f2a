// The metrics webview ("Crew: Show Metrics"): charts of a `crew.metrics` snapshot, redrawn from
// each `crew/metrics` the server sends while runs are active (every 2 seconds, and once after the
// last run ended).

import type * as vscode from 'vscode';
import { metricsView, type MetricsView } from './metricsModel';
import { ServerCommand, type Metric } from './protocol';
import type { CrewServer } from './server';
import { openCrewWebview, type CrewWebview } from './webviewPanel';

export const METRICS_VIEW_TYPE = 'crew.metrics';

export class MetricsPanel implements vscode.Disposable {
  private webview: CrewWebview | undefined;
  private view: MetricsView | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: CrewServer,
  ) {
    this.subscription = server.onMetrics((metrics) => {
      if (this.webview) this.update(metrics);
    });
  }

  /** Opens (or reveals) the panel with a fresh snapshot. */
  async show(): Promise<void> {
    const { metrics } = await this.server.executeCommand<{ metrics: Metric[] }>(ServerCommand.metrics, {});
    if (this.webview) {
      this.update(metrics);
      this.webview.panel.reveal();
      return;
    }
    this.view = metricsView(metrics, new Date());
    const webview = openCrewWebview(this.extensionUri, METRICS_VIEW_TYPE, 'Crew metrics', 'metrics', (opened) => {
      if (this.view) opened.post({ type: 'metrics', view: this.view });
    });
    this.webview = webview;
    webview.panel.onDidDispose(() => {
      if (this.webview === webview) this.webview = undefined;
    });
  }

  private update(metrics: Metric[]): void {
    this.view = metricsView(metrics, new Date());
    this.webview?.post({ type: 'metrics', view: this.view });
  }

  dispose(): void {
    this.subscription.dispose();
    this.webview?.panel.dispose();
  }
}
