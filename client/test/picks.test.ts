import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  doctorLines,
  goalProblem,
  resumableRunPicks,
  runArguments,
  runPicks,
  runWorkflowArguments,
  runStatusMarkdown,
  teamPicks,
  teamsFromServer,
  teamsFromSymbols,
  validationSummary,
  workflowsFromSymbols,
} from '../src/picks';
import type { Recommendation } from '../src/protocol';

const symbol = (name: string, file: string, scope: string) => ({ name, containerName: scope, location: { uri: `file:///ws/${file}` } });

test('teams come from the workspace symbols of .team.md files, the project one winning over the builtin', () => {
  const teams = teamsFromSymbols([
    symbol('review', 'teams/review.team.md', 'builtin'),
    symbol('explorer', 'agents/explorer.md', 'builtin'),
    symbol('default', 'teams/default.team.md', 'builtin'),
    symbol('review', '.crew/teams/review.team.md', 'project'),
    symbol('default', 'workflows/default.workflow.md', 'builtin'),
  ]);
  assert.deepEqual(teams, [{ name: 'default', scope: 'builtin' }, { name: 'review', scope: 'project' }]);
});

test('the recommended team for the goal comes first, labelled with its name, with the reason', () => {
  const recommendation: Recommendation = { team: 'research', workflow: 'research', score: 4, reason: "`research` matches triggers 'investigate'", alternatives: [] };
  const picks = teamPicks([{ name: 'default', scope: 'builtin' }, { name: 'research', scope: 'builtin' }], recommendation);
  assert.deepEqual(picks.map((p) => p.label), ['research', 'default']);
  assert.equal(picks[0].description, 'recommended · builtin');
  assert.equal(picks[0].detail, "`research` matches triggers 'investigate'");
  assert.equal(picks[1].description, 'builtin');
});

test('teams listed by the server carry their description, shown under the name; the recommended one adds why', () => {
  const teams = teamsFromServer({ teams: [
    { name: 'default', description: 'General-purpose team', scope: 'builtin', path: '/ext/teams/default.team.md', defaultWorkflow: 'default' },
    { name: 'docs', description: '', scope: 'project', path: '/ws/.crew/teams/docs.team.md', defaultWorkflow: 'docs' },
  ] });
  assert.deepEqual(teams, [{ name: 'default', scope: 'builtin', description: 'General-purpose team' }, { name: 'docs', scope: 'project', description: '' }]);
  const recommendation: Recommendation = { team: 'default', workflow: 'default', score: 0, reason: 'nothing in the goal matches', alternatives: [] };
  const picks = teamPicks(teams, recommendation);
  assert.deepEqual(picks.map((p) => [p.label, p.description, p.detail]), [
    ['default', 'recommended · builtin', 'General-purpose team — nothing in the goal matches'],
    ['docs', 'project', undefined],
  ]);
});

test('without a recommendation the teams keep their order', () => {
  const picks = teamPicks([{ name: 'a', scope: 'project' }, { name: 'b', scope: 'user' }]);
  assert.deepEqual(picks.map((p) => [p.label, p.team]), [['a', 'a'], ['b', 'b']]);
});

test('a run is sent with the team and the trimmed goal; an empty goal is refused before sending', () => {
  assert.deepEqual(runArguments('default', '  Write docs \n'), { team: 'default', goal: 'Write docs' });
  assert.throws(() => runArguments('default', '   '), /needs a goal/);
  assert.equal(goalProblem(' '), 'Describe what the team should do.');
  assert.equal(goalProblem('Write docs'), undefined);
});

test('run picks show team/workflow and status, the goal and progress; cancel offers active runs only', () => {
  const runs = [
    { runId: 'r1', team: 'default', workflow: 'default', goal: 'Docs', status: 'running', active: true, progress: { total: 4, done: 1, running: 1, percentage: 25, message: 'Phase 2/4 execute: 25% (1/4)' } },
    { runId: 'r0', team: 'default', workflow: 'default', goal: 'Old', status: 'completed', active: false },
  ];
  assert.deepEqual(runPicks(runs), [
    { label: 'r1', description: 'default/default · running', detail: 'Docs — Phase 2/4 execute: 25% (1/4)', runId: 'r1' },
    { label: 'r0', description: 'default/default · completed', detail: 'Old', runId: 'r0' },
  ]);
  assert.deepEqual(runPicks(runs, true).map((p) => p.runId), ['r1']);
});

test('the validation summary counts files and problems by severity', () => {
  assert.equal(validationSummary({ files: 3, severity: { error: 0, warning: 0, information: 0, hint: 0 } }), 'Crew: 3 files checked, no problems.');
  assert.equal(
    validationSummary({ files: 1, severity: { error: 2, warning: 1, information: 1, hint: 0 } }),
    'Crew: 1 file checked: 2 errors, 1 warning, 1 information.',
  );
});

test('doctor lines mark each check', () => {
  const lines = doctorLines({ ok: false, version: '0.1.0', python: '3.11.2', checks: [
    { name: 'roots', ok: true, detail: '/ws/.crew' },
    { name: 'worker command', ok: false, detail: 'my-agent not found' },
  ] });
  assert.deepEqual(lines, [
    'crew-lsp doctor: some checks failed (crew-lsp 0.1.0, Python 3.11.2)',
    '  ✓ roots: /ws/.crew',
    '  ✗ worker command: my-agent not found',
  ]);
});

test('a run status document lists the tasks in a table, escaping what would break it', () => {
  const text = runStatusMarkdown({
    runId: 'r1', status: 'failed',
    manifest: { team: 'default', workflow: 'default', goal: 'Docs' },
    tasks: [{ id: '01_explore', role: 'explorer', status: 'failed', heartbeatLevel: null, error: 'exit 1 | bad\nthing' }],
  });
  assert.match(text, /^# Run r1\n/);
  assert.match(text, /- \*\*Team \/ workflow:\*\* default \/ default/);
  assert.match(text, /\| 01_explore \| explorer \| failed: exit 1 \\\| bad thing \| {2}\|/);
});

test('workflows come from the .workflow.md symbols, one per name', () => {
  const workflows = workflowsFromSymbols([
    symbol('default', 'teams/default.team.md', 'builtin'),
    symbol('research', 'workflows/research.workflow.md', 'builtin'),
    symbol('research', '.crew/workflows/research.workflow.md', 'project'),
    symbol('default', 'workflows/default.workflow.md', 'builtin'),
  ]);
  assert.deepEqual(workflows, [{ name: 'default', scope: 'builtin' }, { name: 'research', scope: 'project' }]);
});

test('a workflow run is sent with the team, the workflow and the trimmed goal', () => {
  assert.deepEqual(runWorkflowArguments('research', 'research', ' Compare caches '), { team: 'research', workflow: 'research', goal: 'Compare caches' });
  assert.throws(() => runWorkflowArguments('research', 'research', ''), /needs a goal/);
});

test('resume offers the interrupted, failed and cancelled runs that are not active', () => {
  const runs = [
    { runId: 'live', status: 'running', active: true },
    { runId: 'crashed', status: 'running', active: false, interrupted: true },
    { runId: 'failed', status: 'failed', active: false },
    { runId: 'stopped', status: 'cancelled', active: false },
    { runId: 'done', status: 'completed', active: false },
    { runId: 'blocked', status: 'blocked', active: false },
  ];
  assert.deepEqual(resumableRunPicks(runs).map((pick) => pick.runId), ['crashed', 'failed', 'stopped']);
});
