// Entry points only: build the pieces, start the server, and dispose everything on deactivate.

import * as vscode from 'vscode';
import { commandMiddleware } from './commandMiddleware';
import { openRunStatus, registerCommands } from './commands';
import { registerFileCommands } from './fileCommands';
import { needsRestart } from './initOptions';
import { ServerLanguageStatus } from './languageStatus';
import { MetricsPanel } from './metricsPanel';
import { PlanPanels } from './planPanels';
import { onDidChangeInterpreter } from './python';
import { RunEndMessages } from './runEnd';
import { RunProgressNotifications } from './runProgress';
import { CrewServer } from './server';
import { readServerSettings } from './settings';
import { RunsView } from './runsView';
import { RunsStatusBar } from './statusBar';
import { VirtualDocuments } from './virtualDocuments';
import { registerWorkflowCommands } from './workflowCommands';

let server: CrewServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Crew', { log: true });
  server = new CrewServer(context, output);
  const crew = server;
  const statusBar = new RunsStatusBar();
  const progress = new RunProgressNotifications(crew);
  const documents = new VirtualDocuments();
  const plans = new PlanPanels(context.extensionUri, crew);
  const metrics = new MetricsPanel(context.extensionUri, crew);
  context.subscriptions.push(
    output,
    statusBar,
    progress,
    new RunEndMessages(progress, (runId) => openRunStatus(crew, runId)),
    documents,
    plans,
    metrics,
    new RunsView(crew, progress, documents, plans),
    new ServerLanguageStatus(crew),
    crew.onHealth((health) => statusBar.update(health)),
    crew.onDidChangeState((status) => {
      if (status.state !== 'running') progress.closeAll();
    }),
    ...registerCommands(crew, progress, output),
    ...registerFileCommands(crew, output),
    ...registerWorkflowCommands(crew, progress, { documents, plans, metrics }, output),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((section) => event.affectsConfiguration(section))) void crew.restart();
    }),
    // the server learns the workspace is trusted at start (initializationOptions.trustedWorkspace)
    vscode.workspace.onDidGrantWorkspaceTrust(() => void crew.restart()),
  );
  const interpreterWatch = await onDidChangeInterpreter(() => {
    const settings = readServerSettings();
    if (!settings.python && !settings.serverPath) void crew.restart();
  });
  if (interpreterWatch) context.subscriptions.push(interpreterWatch);
  crew.commandMiddleware = commandMiddleware(progress, plans, documents);
  await activateMarkdownFeatures(output);
  await crew.restart();
}

/**
 * VS Code cancels a code-action request when the set of code-action providers changes meanwhile, and
 * the built-in Markdown extension registers its providers only once the first Markdown file opens: the
 * first Ctrl+. on a crew file then often said "No code actions available". Activated first, its
 * providers are in place before any crew file is opened (it would be activated by that file anyway).
 */
async function activateMarkdownFeatures(output: vscode.LogOutputChannel): Promise<void> {
  try {
    await vscode.extensions.getExtension('vscode.markdown-language-features')?.activate();
  } catch (error) {
    output.warn(`the built-in Markdown extension did not activate: ${String(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  await server?.dispose();
  server = undefined;
}
