// "Run Workflow…" and "Preview Plan…": which workflows a team can run (the server's `crew.plan`
// refuses the others), and why a plan was refused (an accepted plan is drawn by the plan webview).
// Pure, unit-tested.

import type { PlanAnswer } from './protocol';
import type { TeamChoice } from './picks';

export interface WorkflowPick {
  label: string;
  description: string;
  detail?: string;
  workflow: string;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The workflows whose plan the server accepted for the team, with the size of that plan. */
export function workflowPicks(workflows: readonly TeamChoice[], plans: readonly PlanAnswer[]): WorkflowPick[] {
  const picks: WorkflowPick[] = [];
  workflows.forEach((workflow, index) => {
    const plan = plans[index];
    if (!plan?.ok) return;
    const size = `${plural(plan.tasks.length, 'task')} in ${plural(plan.waves.length, 'wave')}`;
    picks.push({
      label: workflow.name,
      description: [workflow.scope, size].filter(Boolean).join(' · '),
      detail: plan.warnings.length ? plan.warnings.join(' ') : undefined,
      workflow: workflow.name,
    });
  });
  return picks;
}

/** The message when the team runs none of the workflows: the first refusal says why. */
export function noWorkflowMessage(team: string, plans: readonly PlanAnswer[]): string {
  const refusal = plans.find((plan) => !plan.ok);
  const why = refusal && !refusal.ok ? ` (${refusal.error})` : '';
  return `team ${team} can run none of the workflows${why}`;
}

/** Why the server refused a plan, as Markdown: the reason and the diagnostics behind it. */
export function refusedPlanMarkdown(plan: Extract<PlanAnswer, { ok: false }>): string {
  const lines = ['# Plan refused', '', plan.error];
  for (const diagnostic of plan.diagnostics ?? []) {
    lines.push(`- ${diagnostic.code ? `${diagnostic.code}: ` : ''}${diagnostic.message}${diagnostic.path ? ` (${diagnostic.path})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
