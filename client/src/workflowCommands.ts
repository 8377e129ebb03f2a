// "Run Workflow…", "Preview Plan…", "Resume Run…" and "Show Metrics": the palette commands built on
// `crew.plan`, `crew.resume` and `crew.metrics`. A plan and the metrics open as webviews; a plan
// the server refuses opens as a document that says why.

import * as vscode from 'vscode';
import { errorMessage, guarded, trustedOrExplained } from './commandGuards';
import {
  goalProblem,
  resumableRunPicks,
  runWorkflowArguments,
  teamPicks,
  teamsFromServer,
  teamsFromSymbols,
  workflowsFromSymbols,
  type TeamChoice,
} from './picks';
import { noWorkflowMessage, refusedPlanMarkdown, workflowPicks } from './plans';
import type { MetricsPanel } from './metricsPanel';
import { followRun, graphFromPlan, type PlanGraph } from './planGraph';
import type { PlanPanels } from './planPanels';
import { ClientCommand, ServerCommand, type PlanAnswer, type RunStatus, type RunSummary, type TeamList } from './protocol';
import type { RunProgressNotifications } from './runProgress';
import type { CrewServer } from './server';
import type { VirtualDocuments } from './virtualDocuments';

interface TeamAndWorkflow {
  team: string;
  workflow: string;
}

/** The teams with their descriptions (`crew.teams`); from the workspace symbols, without
 * descriptions, when the server is an older crew-lsp (`crew.server.path`) without that command. */
export async function listTeams(server: CrewServer): Promise<TeamChoice[]> {
  if (server.offersCommand(ServerCommand.teams)) return teamsFromServer(await server.executeCommand<TeamList>(ServerCommand.teams, {}));
  return teamsFromSymbols(await server.workspaceSymbols());
}

/** A team, then one of the workflows it can run: `crew.plan` (with no goal yet) refuses the others. */
async function pickTeamAndWorkflow(server: CrewServer, title: string): Promise<TeamAndWorkflow | undefined> {
  const [symbols, choices] = await Promise.all([server.workspaceSymbols(), listTeams(server)]);
  const teams = teamPicks(choices);
  if (!teams.length) throw new Error('no team is defined');
  const team = (await vscode.window.showQuickPick(teams, { title, placeHolder: 'Team', matchOnDescription: true, ignoreFocusOut: true }))?.team;
  if (!team) return undefined;
  const workflows = workflowsFromSymbols(symbols);
  const plans = await Promise.all(
    workflows.map((workflow) =>
      server
        .executeCommand<PlanAnswer>(ServerCommand.plan, { team, workflow: workflow.name, fromLens: true })
        .catch((error: unknown): PlanAnswer => ({ ok: false, error: errorMessage(error) })),
    ),
  );
  const picks = workflowPicks(workflows, plans);
  if (!picks.length) throw new Error(noWorkflowMessage(team, plans));
  const pick = await vscode.window.showQuickPick(picks, {
    title,
    placeHolder: `Workflow for team ${team}`,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  return pick && { team, workflow: pick.workflow };
}

export function askGoal(title: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'What should the team do?',
    placeHolder: 'e.g. Write a getting-started page for the greeting module',
    ignoreFocusOut: true,
    validateInput: goalProblem,
  });
}

/** The plan's graph, coloured by the newest active run of the same team and workflow if there is one. */
async function planGraph(server: CrewServer, plan: Extract<PlanAnswer, { ok: true }>): Promise<PlanGraph> {
  const graph = graphFromPlan(plan);
  const { runs } = await server.executeCommand<{ runs: RunSummary[] }>(ServerCommand.status, {});
  const live = runs.find((run) => run.active && run.team === plan.team && run.workflow === plan.workflow);
  if (!live) return graph;
  return followRun(graph, await server.executeCommand<RunStatus>(ServerCommand.status, { runId: live.runId }));
}

export interface WorkflowViews {
  documents: VirtualDocuments;
  plans: PlanPanels;
  metrics: MetricsPanel;
}

export function registerWorkflowCommands(
  server: CrewServer,
  progress: RunProgressNotifications,
  views: WorkflowViews,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const runWorkflow = guarded('Run Workflow', async () => {
    if (!(await trustedOrExplained())) return;
    const title = 'Crew: Run Workflow';
    const choice = await pickTeamAndWorkflow(server, title);
    if (!choice) return;
    const goal = await askGoal(title);
    if (goal === undefined) return;
    const args = runWorkflowArguments(choice.team, choice.workflow, goal);
    const { runId } = await server.executeCommand<{ runId: string }>(ServerCommand.run, args);
    progress.expect(runId, `Crew: ${args.team}/${args.workflow} — ${args.goal}`);
    output.info(`run ${runId} started: team ${args.team}, workflow ${args.workflow}`);
  });

  const previewPlan = guarded('Preview Plan', async () => {
    const title = 'Crew: Preview Plan';
    const choice = await pickTeamAndWorkflow(server, title);
    if (!choice) return;
    const goal = await askGoal(title);
    if (goal === undefined) return;
    const plan = await server.executeCommand<PlanAnswer>(ServerCommand.plan, runWorkflowArguments(choice.team, choice.workflow, goal));
    if (!plan.ok) {
      await views.documents.show(`plan ${choice.team}-${choice.workflow}.md`, refusedPlanMarkdown(plan));
      return;
    }
    views.plans.show(`plan:${plan.team}/${plan.workflow}`, await planGraph(server, plan), true);
  });

  const resumeRun = guarded('Resume Run', async () => {
    if (!(await trustedOrExplained())) return;
    const { runs } = await server.executeCommand<{ runs: RunSummary[] }>(ServerCommand.status, {});
    const picks = resumableRunPicks(runs);
    if (!picks.length) {
      void vscode.window.showInformationMessage('Crew: no interrupted, failed or cancelled run to resume.');
      return;
    }
    const runId = (await vscode.window.showQuickPick(picks, { title: 'Crew: Resume Run', placeHolder: 'Run', matchOnDetail: true }))?.runId;
    if (!runId) return;
    await resume(server, progress, runId);
  });

  const showMetrics = guarded('Show Metrics', () => views.metrics.show());

  return [
    vscode.commands.registerCommand(ClientCommand.runWorkflow, runWorkflow),
    vscode.commands.registerCommand(ClientCommand.previewPlan, previewPlan),
    vscode.commands.registerCommand(ClientCommand.resumeRun, resumeRun),
    vscode.commands.registerCommand(ClientCommand.showMetrics, showMetrics),
  ];
}

/** `crew.resume` of a run, followed by its progress notification (also the Runs view's action). */
export async function resume(server: CrewServer, progress: RunProgressNotifications, runId: string): Promise<void> {
  const { requeuedTaskIds } = await server.executeCommand<{ requeuedTaskIds: string[] }>(ServerCommand.resume, { runId });
  progress.expect(runId, `Crew: resume ${runId}`);
  void vscode.window.showInformationMessage(`Crew: run ${runId} resumed (${requeuedTaskIds.length} task(s) queued again).`);
}
