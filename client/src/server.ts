// Starts and restarts the one LanguageClient of the extension. Restarts are serialised and the old
// client is disposed before a new one starts, so its commands and providers are unregistered first
// (otherwise VS Code reports "command 'crew.run' already exists").

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  WorkspaceSymbolRequest,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { CommandMiddleware } from './commandMiddleware';
import { CrewNotificationsFeature } from './crewFeature';
import { DOCUMENT_SELECTOR } from './documents';
import { buildServerLaunch, type ServerLaunch } from './launch';
import { Notification, type Health, type Metric, type RunUpdate } from './protocol';
import { resolveInterpreter } from './python';
import type { WorkspaceSymbolLike } from './picks';
import type { ServerStatusInput } from './serverStatus';
import { readInitializationOptions, readServerSettings, readWorkspaceSection } from './settings';
import { configurationAnswer } from './workspaceSection';

const STOP_TIMEOUT_MS = 2000;

export class CrewServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly stateEmitter = new vscode.EventEmitter<ServerStatusInput>();
  private readonly healthEmitter = new vscode.EventEmitter<Health>();
  private readonly runUpdateEmitter = new vscode.EventEmitter<RunUpdate>();
  private readonly metricsEmitter = new vscode.EventEmitter<Metric[]>();

  readonly onDidChangeState = this.stateEmitter.event;
  readonly onHealth = this.healthEmitter.event;
  readonly onRunUpdate = this.runUpdateEmitter.event;
  /** `crew/metrics`: a snapshot every 2 seconds while runs are active. */
  readonly onMetrics = this.metricsEmitter.event;

  /** Wraps the server's own commands when vscode-languageclient runs them (the code lenses). */
  commandMiddleware: CommandMiddleware | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Starts the server, or stops the running one and starts a new one. */
  restart(): Promise<void> {
    this.queue = this.queue.then(() => this.replaceClient()).catch((error: unknown) => {
      this.output.error(`crew-lsp could not start: ${String(error)}`);
      this.stateEmitter.fire({ state: 'failed', problem: String(error) });
    });
    return this.queue;
  }

  /** `workspace/executeCommand` of a server command with its one argument object. */
  async executeCommand<T>(command: string, args: object = {}): Promise<T> {
    const client = this.runningClient();
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] })) as T;
  }

  async workspaceSymbols(query = ''): Promise<WorkspaceSymbolLike[]> {
    const client = this.runningClient();
    const symbols = await client.sendRequest(WorkspaceSymbolRequest.type, { query });
    return (symbols ?? []) as WorkspaceSymbolLike[];
  }

  /** Whether the running server offers a command (an older crew-lsp, from `crew.server.path`, may not). */
  offersCommand(command: string): boolean {
    return this.runningClient().initializeResult?.capabilities.executeCommandProvider?.commands.includes(command) ?? false;
  }

  isRunning(): boolean {
    return this.client?.isRunning() ?? false;
  }

  async dispose(): Promise<void> {
    this.queue = this.queue.then(() => this.stopClient());
    await this.queue;
    this.stateEmitter.dispose();
    this.healthEmitter.dispose();
    this.runUpdateEmitter.dispose();
    this.metricsEmitter.dispose();
  }

  private runningClient(): LanguageClient {
    if (!this.client?.isRunning()) {
      throw new Error('crew-lsp is not running: see "Crew: Show Output", then run "Crew: Restart Server".');
    }
    return this.client;
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.dispose(STOP_TIMEOUT_MS).catch((error: unknown) => this.output.warn(`stopping crew-lsp: ${String(error)}`));
      this.stateEmitter.fire({ state: 'stopped' });
    }
  }

  private async launch(): Promise<ServerLaunch | string> {
    const settings = readServerSettings();
    const env = { ...process.env };
    if (settings.serverPath) {
      return buildServerLaunch({ serverPath: settings.serverPath, env });
    }
    const choice = await resolveInterpreter(settings.python, vscode.workspace.isTrusted);
    if ('problem' in choice) return choice.problem;
    this.output.info(`crew-lsp runs with ${choice.interpreter} (from ${choice.source})`);
    const libs = this.context.asAbsolutePath('bundled/libs');
    return buildServerLaunch({ python: choice.interpreter, bundledLibs: fs.existsSync(libs) ? libs : undefined, env });
  }

  private async replaceClient(): Promise<void> {
    await this.stopClient();
    this.stateEmitter.fire({ state: 'starting' });
    const launch = await this.launch();
    if (typeof launch === 'string') {
      this.output.error(launch);
      this.stateEmitter.fire({ state: 'failed', problem: launch });
      void vscode.window.showErrorMessage(`Crew: ${launch}`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'crew.server');
      });
      return;
    }
    const serverOptions: ServerOptions = { command: launch.command, args: launch.args, options: { env: launch.env } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: readInitializationOptions(),
      // the server reads the `crew` section (pulled, and pushed on every change) without the settings
      // that choose a program: those come in initializationOptions, and changing them restarts it
      synchronize: { configurationSection: 'crew' },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            return Array.isArray(answers) ? answers.map((answer, i) => configurationAnswer(params.items[i]?.section, answer)) : answers;
          },
          didChangeConfiguration: () =>
            client.sendNotification(DidChangeConfigurationNotification.type, { settings: { crew: readWorkspaceSection() } }),
        },
        executeCommand: (command, args, next) => (this.commandMiddleware ? this.commandMiddleware(command, args, next) : next(command, args)),
      },
    };
    // the id `crew` makes vscode-languageclient honour the `crew.trace.server` setting
    const client = new LanguageClient('crew', 'crew-lsp', serverOptions, clientOptions);
    client.registerFeature(new CrewNotificationsFeature());
    client.onNotification(Notification.health, (health: Health) => this.healthEmitter.fire(health));
    client.onNotification(Notification.runUpdate, (update: RunUpdate) => this.runUpdateEmitter.fire(update));
    client.onNotification(Notification.metrics, ({ metrics }: { metrics: Metric[] }) => this.metricsEmitter.fire(metrics));
    client.onDidChangeState((change) => {
      if (this.client !== client) return;
      if (change.newState === State.Running) this.stateEmitter.fire({ state: 'running' });
      if (change.newState === State.Stopped) this.stateEmitter.fire({ state: 'stopped' });
    });
    this.client = client;
    this.output.info(`starting crew-lsp: ${launch.command} ${launch.args.join(' ')}`);
    await client.start();
  }
}
