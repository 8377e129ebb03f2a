import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noWorkflowMessage, refusedPlanMarkdown, workflowPicks } from '../src/plans';
import type { PlanAnswer, PlannedTask } from '../src/protocol';

const task = (id: string, role: string, wave: number, extra: Partial<PlannedTask> = {}): PlannedTask => ({ id, role, agent: role, dependsOn: [], wave, ...extra });

const defaultPlan: PlanAnswer = {
  ok: true, team: 'default', workflow: 'default', goal: 'Write docs', concurrency: 2,
  tasks: [
    task('01_explore', 'explorer', 1, { output: 'exploration.md' }),
    task('02_plan', 'planner', 2, { dependsOn: ['explore'], output: 'plan.md' }),
    task('03_review', 'reviewer', 2, { agent: 'critic', dependsOn: ['explore'], reads: ['exploration.md'], verify: true }),
  ],
  waves: [['01_explore'], ['02_plan', '03_review']],
  warnings: [],
};
const refused: PlanAnswer = { ok: false, error: "Step 'write' uses role 'writer', which team 'default' does not define." };

test('the workflow pick lists only the workflows the team can run, with the size of their plan', () => {
  const picks = workflowPicks([{ name: 'default', scope: 'builtin' }, { name: 'research', scope: 'project' }], [defaultPlan, refused]);
  assert.deepEqual(picks, [{ label: 'default', description: 'builtin · 3 tasks in 2 waves', detail: undefined, workflow: 'default' }]);
});

test('when the team runs no workflow the message says why the first was refused', () => {
  assert.equal(noWorkflowMessage('default', [refused]), `team default can run none of the workflows (${refused.ok ? '' : refused.error})`);
  assert.equal(noWorkflowMessage('default', []), 'team default can run none of the workflows');
});

test('a refused plan shows the reason and the diagnostics', () => {
  const text = refusedPlanMarkdown({ ok: false, error: 'bad roles', diagnostics: [{ code: 'CREW301', message: 'role writer unknown', path: '/ws/research.workflow.md' }] });
  assert.equal(text, '# Plan refused\n\nbad roles\n- CREW301: role writer unknown (/ws/research.workflow.md)\n');
});
