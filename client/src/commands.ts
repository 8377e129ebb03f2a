// The palette commands (category "Crew"). They prompt with QuickPick/InputBox and call the server's
// `crew.*` commands; their own ids are `crew.client.*`, since vscode-languageclient registers the
// server's ids itself.

import * as vscode from 'vscode';
import { guarded, trustedOrExplained } from './commandGuards';
import {
  doctorLines,
  goalProblem,
  runArguments,
  runPicks,
  runStatusMarkdown,
  teamPicks,
  validationSummary,
} from './picks';
import {
  ClientCommand,
  ServerCommand,
  type DoctorReport,
  type Recommendation,
  type RunStatus,
  type RunSummary,
  type ValidationCounts,
} from './protocol';
import type { RunProgressNotifications } from './runProgress';
import type { CrewServer } from './server';
import { newSkillArguments, skillNameProblem, skillTemplatePicks } from './skills';
import { listTeams } from './workflowCommands';

/** A run's status (tasks, roles, status, heartbeat) as a Markdown document: "Show Run Status" and
 * the "Show Summary" of a run's end message. */
export async function openRunStatus(server: CrewServer, runId: string): Promise<void> {
  const status = await server.executeCommand<RunStatus>(ServerCommand.status, { runId });
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: runStatusMarkdown(status) });
  await vscode.window.showTextDocument(document, { preview: true });
}

export function registerCommands(
  server: CrewServer,
  progress: RunProgressNotifications,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const runTeam = guarded('Run Team', async () => {
    if (!(await trustedOrExplained())) return;
    const goal = await vscode.window.showInputBox({
      title: 'Crew: Run Team',
      prompt: 'What should the team do?',
      placeHolder: 'e.g. Write a getting-started page for the greeting module',
      ignoreFocusOut: true,
      validateInput: goalProblem,
    });
    if (goal === undefined) return;
    const [recommendation, teams] = await Promise.all([
      server.executeCommand<Recommendation>(ServerCommand.recommend, { goal }),
      listTeams(server),
    ]);
    const picks = teamPicks(teams, recommendation);
    if (!picks.length) throw new Error('no team is defined');
    const pick = await vscode.window.showQuickPick(picks, {
      title: 'Crew: Run Team',
      placeHolder: 'Team to run',
      matchOnDescription: true,
      ignoreFocusOut: true,
    });
    if (!pick) return;
    const { runId } = await server.executeCommand<{ runId: string }>(ServerCommand.run, runArguments(pick.team, goal));
    progress.expect(runId, `Crew: ${pick.team} — ${goal.trim()}`);
    output.info(`run ${runId} started: team ${pick.team}`);
  });

  const pickRun = async (title: string, onlyActive: boolean): Promise<string | undefined> => {
    const { runs } = await server.executeCommand<{ runs: RunSummary[] }>(ServerCommand.status, {});
    const picks = runPicks(runs, onlyActive);
    if (!picks.length) {
      void vscode.window.showInformationMessage(onlyActive ? 'Crew: no run is active.' : 'Crew: no run yet.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(picks, { title, placeHolder: 'Run', matchOnDetail: true }))?.runId;
  };

  const cancelRun = guarded('Cancel Run', async () => {
    const runId = await pickRun('Crew: Cancel Run', true);
    if (!runId) return;
    const result = await server.executeCommand<{ status?: string }>(ServerCommand.cancel, { runId, reason: 'cancelled from VS Code' });
    void vscode.window.showInformationMessage(`Crew: run ${runId} ${result.status ?? 'cancelled'}.`);
  });

  const showRunStatus = guarded('Show Run Status', async () => {
    const runId = await pickRun('Crew: Show Run Status', false);
    if (runId) await openRunStatus(server, runId);
  });

  const newSkill = guarded('New Skill', async () => {
    if (!(await trustedOrExplained('creating a skill writes into the workspace, so it is disabled in an untrusted workspace'))) return;
    if (!server.offersCommand(ServerCommand.newSkill)) {
      throw new Error(`this crew-lsp has no ${ServerCommand.newSkill} command: update it, or clear crew.server.path to use the bundled one`);
    }
    const title = 'Crew: New Skill';
    const name = await vscode.window.showInputBox({
      title,
      prompt: 'Name of the skill: its folder under skills/ and its name in teams and workflows',
      placeHolder: 'e.g. code-review',
      ignoreFocusOut: true,
      validateInput: skillNameProblem,
    });
    if (name === undefined) return;
    const template = await vscode.window.showQuickPick(skillTemplatePicks(), { title, placeHolder: 'Start from a template', ignoreFocusOut: true });
    if (!template) return;
    const { uri } = await server.executeCommand<{ uri: string }>(ServerCommand.newSkill, newSkillArguments(name, template.label));
    await vscode.window.showTextDocument(vscode.Uri.parse(uri));
  });

  const validateWorkspace = guarded('Validate Workspace', async () => {
    const counts = await server.executeCommand<ValidationCounts>(ServerCommand.validateWorkspace);
    const showProblems = 'Show Problems';
    const hasProblems = counts.severity.error + counts.severity.warning > 0;
    const show = hasProblems ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const choice = await show(validationSummary(counts), ...(hasProblems ? [showProblems] : []));
    if (choice === showProblems) await vscode.commands.executeCommand('workbench.actions.view.problems');
  });

  const doctor = guarded('Doctor', async () => {
    const report = await server.executeCommand<DoctorReport>(ServerCommand.doctor);
    const lines = doctorLines(report);
    lines.forEach((line) => output.info(line));
    output.show(true);
    const show = report.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`Crew: ${lines[0]} (details in the Crew output).`);
  });

  return [
    vscode.commands.registerCommand(ClientCommand.runTeam, runTeam),
    vscode.commands.registerCommand(ClientCommand.cancelRun, cancelRun),
    vscode.commands.registerCommand(ClientCommand.showRunStatus, showRunStatus),
    vscode.commands.registerCommand(ClientCommand.newSkill, newSkill),
    vscode.commands.registerCommand(ClientCommand.validateWorkspace, validateWorkspace),
    vscode.commands.registerCommand(ClientCommand.doctor, doctor),
    vscode.commands.registerCommand(ClientCommand.restartServer, () => server.restart()),
    vscode.commands.registerCommand(ClientCommand.showOutput, () => output.show()),
  ];
}
