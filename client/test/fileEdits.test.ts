import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportArguments, exportReport, EXPORT_TARGETS, guidanceReport } from '../src/fileEdits';

const edit = { documentChanges: [] };

test('the export targets are offered by the names of the tools, and sent by the server\'s ids', () => {
  assert.deepEqual(EXPORT_TARGETS.map((pick) => [pick.label, pick.target]), [['Claude Code', 'claude'], ['Cursor', 'cursor'], ['Codex', 'codex']]);
  for (const pick of EXPORT_TARGETS) assert.ok(pick.detail, `${pick.label} says which files it writes`);
  assert.deepEqual(exportArguments('cursor'), { target: 'cursor' });
});

test('an applied export says how many files it wrote and that nothing was dropped', () => {
  const report = exportReport('Claude Code', { edit, applied: true, files: ['.claude/agents/a.md', '.claude/commands/crew-team-t.md'], dropped: [] });
  assert.deepEqual(report, { severity: 'information', message: 'Crew: exported to Claude Code: 2 files.', details: [] });
});

test('the fields a target cannot hold are counted in the message and listed one per line for the output', () => {
  const report = exportReport('Cursor', {
    edit, applied: true, files: ['.cursor/rules/crew-agent-a.mdc'],
    dropped: [
      { path: 'agents/a.md', field: 'model', reason: 'Cursor rules have no model' },
      { path: 'agents/a.md', field: 'thinking', reason: 'Cursor rules have no thinking level' },
    ],
  });
  assert.equal(report.severity, 'warning');
  assert.equal(report.message, 'Crew: exported to Cursor: 1 file; 2 fields could not be carried over (listed in the Crew output).');
  assert.deepEqual(report.details, [
    'export to Cursor dropped agents/a.md: model — Cursor rules have no model',
    'export to Cursor dropped agents/a.md: thinking — Cursor rules have no thinking level',
  ]);
});

test('an export with nothing to change, or one the user declined in the preview, says so', () => {
  assert.equal(exportReport('Codex', { edit: null, applied: false, files: ['AGENTS.md'], dropped: [] }).message,
    'Crew: the Codex files are up to date (1 file).');
  assert.equal(exportReport('Codex', { edit, applied: false, files: ['AGENTS.md'], dropped: [] }).message,
    'Crew: the export to Codex was not applied.');
});

test('the guidance commands say what became of AGENTS.md', () => {
  assert.equal(guidanceReport('update', { path: '/repo/AGENTS.md', edit, applied: true }).message, 'Crew: updated the crew guidance in AGENTS.md.');
  assert.equal(guidanceReport('update', { path: '/repo/AGENTS.md', edit: null, applied: false }).message, 'Crew: AGENTS.md already holds the crew guidance.');
  assert.equal(guidanceReport('remove', { path: '/repo/AGENTS.md', edit, applied: true }).message, 'Crew: removed the crew guidance from AGENTS.md.');
  assert.equal(guidanceReport('remove', { path: '/repo/AGENTS.md', edit: null, applied: false }).message, 'Crew: AGENTS.md holds no crew guidance.');
  assert.equal(guidanceReport('remove', { path: '/repo/AGENTS.md', edit, applied: false }).message, 'Crew: the change to AGENTS.md was not applied.');
});
