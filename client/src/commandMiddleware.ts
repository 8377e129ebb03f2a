// Command middleware for the server's own `crew.*` commands, which vscode-languageclient runs for
// the code lenses: "Run team" / "Run with <team>" ask for the goal first (and, like the palette,
// explain why nothing runs in an untrusted workspace), the run they start gets its progress
// notification and end message, and "Preview plan" opens the plan graph (the answer would
// otherwise go nowhere).

import type { ExecuteCommandSignature } from 'vscode-languageclient';
import { trustedOrExplained } from './commandGuards';
import { graphFromPlan } from './planGraph';
import type { PlanPanels } from './planPanels';
import { refusedPlanMarkdown } from './plans';
import type { PlanAnswer } from './protocol';
import type { RunProgressNotifications } from './runProgress';
import { lensNeedsGoal, startedRun } from './serverCommandHooks';
import type { VirtualDocuments } from './virtualDocuments';
import { askGoal } from './workflowCommands';

export type CommandMiddleware = (command: string, args: unknown[], next: ExecuteCommandSignature) => Promise<unknown>;

const STARTS_PROGRAMS = new Set(['crew.run', 'crew.resume', 'crew.retry', 'crew.recover']);

export function commandMiddleware(progress: RunProgressNotifications, plans: PlanPanels, documents: VirtualDocuments): CommandMiddleware {
  return async (command, args, next) => {
    if (STARTS_PROGRAMS.has(command) && !(await trustedOrExplained())) return undefined;
    if (lensNeedsGoal(command, args)) {
      const goal = await askGoal('Crew: Run Team');
      if (goal === undefined) return undefined;
      args = [{ ...(args[0] as object), goal: goal.trim() }];
    }
    const result: unknown = await next(command, args);
    const started = startedRun(command, args, result);
    if (started) progress.expect(started.runId, started.title);
    if (command === 'crew.plan' && result && typeof result === 'object' && 'ok' in result) {
      const plan = result as PlanAnswer;
      if (plan.ok) plans.show(`plan:${plan.team}/${plan.workflow}`, graphFromPlan(plan), true);
      else await documents.show('plan refused.md', refusedPlanMarkdown(plan));
    }
    return result;
  };
}
