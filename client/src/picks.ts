// Building the palette commands' prompts, server arguments and summaries from server answers.
// Pure, so it is unit-tested without VS Code.

import type { DoctorReport, Recommendation, RunStatus, RunSummary, TeamList, ValidationCounts } from './protocol';

/** A `workspace/symbol` answer entry (LSP `SymbolInformation`), as far as it is read here. */
export interface WorkspaceSymbolLike {
  name: string;
  containerName?: string;
  location: { uri: string };
}

export interface TeamChoice {
  name: string;
  /** builtin, user or project */
  scope: string;
  /** The frontmatter `description`, when the server listed it (`crew.teams`). */
  description?: string;
}

export interface TeamPick {
  label: string;
  description: string;
  detail?: string;
  team: string;
}

export interface RunPick {
  label: string;
  description: string;
  detail: string;
  runId: string;
}

const SCOPE_RANK: Record<string, number> = { project: 0, user: 1, builtin: 2 };

/** The resources among the workspace symbols whose file name ends with `suffix`, one per name: the
 * project's wins over the user's over the builtin. */
function resourcesFromSymbols(symbols: readonly WorkspaceSymbolLike[], suffix: string): TeamChoice[] {
  const byName = new Map<string, TeamChoice>();
  for (const symbol of symbols) {
    if (!symbol.location.uri.endsWith(suffix)) continue;
    const choice = { name: symbol.name, scope: symbol.containerName ?? '' };
    const seen = byName.get(symbol.name);
    if (!seen || (SCOPE_RANK[choice.scope] ?? 3) < (SCOPE_RANK[seen.scope] ?? 3)) byName.set(symbol.name, choice);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Teams among the workspace symbols (`.team.md` files). */
export function teamsFromSymbols(symbols: readonly WorkspaceSymbolLike[]): TeamChoice[] {
  return resourcesFromSymbols(symbols, '.team.md');
}

/** Workflows among the workspace symbols (`.workflow.md` files). */
export function workflowsFromSymbols(symbols: readonly WorkspaceSymbolLike[]): TeamChoice[] {
  return resourcesFromSymbols(symbols, '.workflow.md');
}

/** The teams of a `crew.teams` answer. */
export function teamsFromServer(answer: TeamList): TeamChoice[] {
  return answer.teams.map((team) => ({ name: team.name, scope: team.scope, description: team.description }));
}

/** The team QuickPick: the recommended team for the goal first; each labelled with the team name,
 * its scope beside it and its description under it. */
export function teamPicks(teams: readonly TeamChoice[], recommendation?: Recommendation): TeamPick[] {
  const recommended = recommendation?.team ?? undefined;
  const picks = teams.map((team): TeamPick => ({ label: team.name, description: team.scope, detail: team.description || undefined, team: team.name }));
  const index = picks.findIndex((pick) => pick.team === recommended);
  if (index < 0 || !recommendation) return picks;
  const [best] = picks.splice(index, 1);
  best.description = best.description ? `recommended · ${best.description}` : 'recommended';
  best.detail = [best.detail, recommendation.reason].filter(Boolean).join(' — ');
  return [best, ...picks];
}

/** `crew.run` arguments; an empty goal is a prompt error, not a server round trip. */
export function runArguments(team: string, goal: string): { team: string; goal: string } {
  const trimmed = goal.trim();
  if (!trimmed) throw new Error('a run needs a goal');
  return { team, goal: trimmed };
}

/** `crew.run` arguments of "Run Workflow…": the team runs the chosen workflow. */
export function runWorkflowArguments(team: string, workflow: string, goal: string): { team: string; workflow: string; goal: string } {
  return { ...runArguments(team, goal), workflow };
}

/** An error of the goal input box, or undefined when the goal can be sent. */
export function goalProblem(goal: string): string | undefined {
  return goal.trim() ? undefined : 'Describe what the team should do.';
}

export function runPicks(runs: readonly RunSummary[], onlyActive = false): RunPick[] {
  return runs
    .filter((run) => !onlyActive || run.active)
    .map((run) => ({
      label: run.runId,
      description: [[run.team, run.workflow].filter(Boolean).join('/'), run.status].filter(Boolean).join(' · '),
      detail: [run.goal, run.progress?.message].filter(Boolean).join(' — '),
      runId: run.runId,
    }));
}

/** Runs "Resume Run…" offers: ended without completing (interrupted, failed or cancelled), not active. */
export function resumableRunPicks(runs: readonly RunSummary[]): RunPick[] {
  return runPicks(runs.filter((run) => !run.active && (run.interrupted || ['failed', 'cancelled'].includes(run.status))));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function validationSummary(counts: ValidationCounts): string {
  const { error, warning, information, hint } = counts.severity;
  if (error + warning + information + hint === 0) return `Crew: ${plural(counts.files, 'file')} checked, no problems.`;
  const parts = [plural(error, 'error'), plural(warning, 'warning')];
  if (information) parts.push(`${information} information`);
  if (hint) parts.push(plural(hint, 'hint'));
  return `Crew: ${plural(counts.files, 'file')} checked: ${parts.join(', ')}.`;
}

export function doctorLines(report: DoctorReport): string[] {
  const head = `crew-lsp doctor: ${report.ok ? 'all checks passed' : 'some checks failed'}` +
    (report.version ? ` (crew-lsp ${report.version}${report.python ? `, Python ${report.python}` : ''})` : '');
  return [head, ...report.checks.map((check) => `  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`)];
}

/** A run's status as a Markdown document. */
export function runStatusMarkdown(run: RunStatus): string {
  const manifest = run.manifest ?? {};
  const lines = [`# Run ${run.runId}`, ''];
  lines.push(`- **Status:** ${run.status}${run.interrupted ? ' (interrupted)' : ''}`);
  if (manifest.team || manifest.workflow) lines.push(`- **Team / workflow:** ${manifest.team ?? '?'} / ${manifest.workflow ?? '?'}`);
  if (manifest.goal) lines.push(`- **Goal:** ${manifest.goal}`);
  if (manifest.createdAt) lines.push(`- **Started:** ${manifest.createdAt}`);
  if (run.progress?.message) lines.push(`- **Progress:** ${run.progress.message}`);
  const tasks = run.tasks ?? [];
  if (tasks.length) {
    lines.push('', '| task | role | status | heartbeat |', '|---|---|---|---|');
    for (const task of tasks) {
      const status = task.error ? `${task.status}: ${task.error.replace(/\|/g, '\\|').replace(/\n/g, ' ')}` : task.status;
      lines.push(`| ${task.id} | ${task.role ?? ''} | ${status} | ${task.heartbeatLevel ?? ''} |`);
    }
  }
  return lines.join('\n') + '\n';
}
