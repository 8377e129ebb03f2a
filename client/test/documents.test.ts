import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOCUMENT_SELECTOR } from '../src/documents';

test('team, workflow, agent and skill files keep the markdown language id and are selected by pattern', () => {
  const markdown = DOCUMENT_SELECTOR.filter((filter) => filter.language === 'markdown').map((filter) => filter.pattern);
  assert.deepEqual(markdown, ['**/*.team.md', '**/*.workflow.md', '**/agents/*.md', '**/SKILL.md']);
});

test('only files on disk are selected, and the config files as json', () => {
  assert.ok(DOCUMENT_SELECTOR.every((filter) => filter.scheme === 'file'));
  const json = DOCUMENT_SELECTOR.filter((filter) => filter.language === 'json').map((filter) => filter.pattern);
  assert.ok(json.includes('**/.crew/config.json'));
});
