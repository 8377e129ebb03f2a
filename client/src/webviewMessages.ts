// The messages between the extension and its webviews. A webview asks for its content once its
// script runs (`ready`, again after VS Code reloads a hidden webview); the extension answers with
// the whole content, then sends only what changes.

import type { MetricsView } from './metricsModel';
import type { PlanGraph } from './planGraph';

export type ToWebview =
  | { type: 'graph'; graph: PlanGraph }
  /** New statuses of some tasks of the graph shown, and of the run it follows. */
  | { type: 'statuses'; statuses: Record<string, string>; runId: string; runStatus: string }
  | { type: 'metrics'; view: MetricsView };

export type FromWebview = { type: 'ready' };
