// "Run Workflow…" and "Preview Plan…": which workflows a team can run (the server's `crew.plan`
// refuses the others) and a plan as a Markdown document of waves of tasks. Pure, unit-tested.

import type { PlanAnswer, PlannedTask } from './protocol';
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

function taskLine(task: PlannedTask): string {
  const parts = [`**${task.id}** — ${task.role}`];
  if (task.agent && task.agent !== task.role) parts[0] += ` (agent ${task.agent})`;
  if (task.dependsOn.length) parts.push(`after ${task.dependsOn.join(', ')}`);
  if (task.reads?.length) parts.push(`reads ${task.reads.join(', ')}`);
  if (task.output) parts.push(`writes ${task.output}`);
  if (task.model) parts.push(`model ${task.model}`);
  if (task.verify) parts.push('verifies');
  return `- ${parts.join(' · ')}`;
}

/** A plan as Markdown: a heading per wave (tasks of a wave may run at the same time). */
export function planMarkdown(plan: PlanAnswer): string {
  if (!plan.ok) {
    const lines = ['# Plan refused', '', plan.error];
    for (const diagnostic of plan.diagnostics ?? []) {
      lines.push(`- ${diagnostic.code ? `${diagnostic.code}: ` : ''}${diagnostic.message}${diagnostic.path ? ` (${diagnostic.path})` : ''}`);
    }
    return lines.join('\n') + '\n';
  }
  const byId = new Map(plan.tasks.map((task) => [task.id, task]));
  const lines = [
    `# Plan: ${plan.team} / ${plan.workflow}`,
    '',
    `- **Goal:** ${plan.goal}`,
    `- **Size:** ${plural(plan.tasks.length, 'task')} in ${plural(plan.waves.length, 'wave')}, at most ${plan.concurrency} at a time`,
  ];
  plan.waves.forEach((wave, index) => {
    lines.push('', `## Wave ${index + 1}`, '');
    for (const id of wave) {
      const task = byId.get(id);
      lines.push(task ? taskLine(task) : `- **${id}**`);
    }
  });
  if (plan.warnings.length) lines.push('', '## Warnings', '', ...plan.warnings.map((warning) => `- ${warning}`));
  return lines.join('\n') + '\n';
}
