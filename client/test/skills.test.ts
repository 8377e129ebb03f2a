import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSkillArguments, SKILL_TEMPLATES, skillNameProblem, skillTemplatePicks } from '../src/skills';

test('a skill name is lower-case words joined by single hyphens, at most 64 characters', () => {
  for (const good of ['review', 'code-review', 'a1-b2-c3', 'x'.repeat(64)]) assert.equal(skillNameProblem(good), undefined, good);
  assert.equal(skillNameProblem(''), 'Name the skill.');
  assert.equal(skillNameProblem('x'.repeat(65)), 'At most 64 characters (this one has 65).');
  for (const bad of ['Code-Review', 'code--review', '-review', 'review-', 'code review', 'code_review', '../etc']) {
    assert.equal(skillNameProblem(bad), 'Lower-case letters and digits, words joined by single hyphens (e.g. code-review).', bad);
  }
});

test('the templates offered are the five skill templates and a blank skill, in that order', () => {
  assert.deepEqual(SKILL_TEMPLATES.map((t) => t.id), ['code-review', 'testing', 'security-audit', 'refactor', 'documentation', 'blank']);
  const picks = skillTemplatePicks();
  assert.deepEqual(picks.map((p) => p.label), SKILL_TEMPLATES.map((t) => t.id));
  assert.ok(picks.every((p) => p.description.length > 0));
});

test('crew.newSkill is sent the name and the template; a blank skill names no template', () => {
  assert.deepEqual(newSkillArguments('code-review', 'code-review'), { name: 'code-review', template: 'code-review' });
  assert.deepEqual(newSkillArguments('notes', 'blank'), { name: 'notes' });
});
