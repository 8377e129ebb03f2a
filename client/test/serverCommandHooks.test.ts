import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lensNeedsGoal, startedRun } from '../src/serverCommandHooks';

test('a code lens run without a goal asks for one; a run with a goal, or not from a lens, does not', () => {
  assert.equal(lensNeedsGoal('crew.run', [{ team: 'default', fromLens: true }]), true);
  assert.equal(lensNeedsGoal('crew.run', [{ team: 'default', fromLens: true, goal: 'Docs' }]), false);
  assert.equal(lensNeedsGoal('crew.run', [{ team: 'default', goal: 'Docs' }]), false);
  assert.equal(lensNeedsGoal('crew.plan', [{ team: 'default', fromLens: true }]), false, 'a preview needs no goal of its own');
  assert.equal(lensNeedsGoal('crew.run', []), false);
});

test('a server command that starts or continues a run names it, with a title for its notifications', () => {
  assert.deepEqual(startedRun('crew.run', [{ team: 'default', workflow: 'review', goal: 'Check the docs' }], { runId: 'r1' }),
    { runId: 'r1', title: 'Crew: default/review — Check the docs' });
  assert.deepEqual(startedRun('crew.run', [{ team: 'default', fromLens: true }], { runId: 'r2' }), { runId: 'r2', title: 'Crew: default' });
  assert.deepEqual(startedRun('crew.resume', [{ runId: 'r3' }], { runId: 'r3', requeuedTaskIds: [] }), { runId: 'r3', title: 'Crew: resume r3' });
  assert.deepEqual(startedRun('crew.retry', [{ runId: 'r4', taskId: '02_plan' }], { runId: 'r4' }), { runId: 'r4', title: 'Crew: retry r4' });
  assert.equal(startedRun('crew.status', [{ runId: 'r5' }], { runId: 'r5' }), undefined);
  assert.equal(startedRun('crew.run', [{}], undefined), undefined);
  assert.equal(startedRun('crew.recover', [{ runId: 'r6', accept: false }], { recovered: [] }), undefined);
});
