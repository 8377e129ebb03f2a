// "Crew: Export to Claude Code / Cursor / Codex…", "Crew: Update AGENTS.md Guidance" and "Crew: Remove
// AGENTS.md Guidance". The server builds the change and sends it back as a WorkspaceEdit, which VS Code
// previews before applying; these commands only ask and report. They run no program, so they work in
// an untrusted workspace too (the edit preview is the safeguard).

import * as vscode from 'vscode';
import { guarded } from './commandGuards';
import { exportArguments, exportReport, EXPORT_TARGETS, guidanceReport, type ExportAnswer, type GuidanceAnswer, type Report } from './fileEdits';
import { ClientCommand, ServerCommand } from './protocol';
import type { CrewServer } from './server';

export function registerFileCommands(server: CrewServer, output: vscode.LogOutputChannel): vscode.Disposable[] {
  const offered = (command: string) => {
    if (!server.offersCommand(command)) {
      throw new Error(`this crew-lsp has no ${command} command: update it, or clear crew.server.path to use the bundled one`);
    }
  };

  const show = async (report: Report) => {
    report.details.forEach((line) => output.warn(line));
    const showOutput = 'Show Output';
    const items = report.details.length ? [showOutput] : [];
    const say = report.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    if ((await say(report.message, ...items)) === showOutput) output.show(true);
  };

  const exportTo = guarded('Export', async () => {
    offered(ServerCommand.export);
    const pick = await vscode.window.showQuickPick(EXPORT_TARGETS, {
      title: 'Crew: Export',
      placeHolder: 'Tool to export the project\'s agents, teams, workflows and skills to',
      matchOnDetail: true,
    });
    if (!pick) return;
    const answer = await server.executeCommand<ExportAnswer>(ServerCommand.export, exportArguments(pick.target));
    await show(exportReport(pick.label, answer));
  });

  const guidance = (action: 'update' | 'remove', command: string) => guarded(action === 'update' ? 'Update Guidance' : 'Remove Guidance', async () => {
    offered(command);
    await show(guidanceReport(action, await server.executeCommand<GuidanceAnswer>(command, {})));
  });

  return [
    vscode.commands.registerCommand(ClientCommand.export, exportTo),
    vscode.commands.registerCommand(ClientCommand.guidanceUpdate, guidance('update', ServerCommand.guidanceUpdate)),
    vscode.commands.registerCommand(ClientCommand.guidanceRemove, guidance('remove', ServerCommand.guidanceRemove)),
  ];
}
