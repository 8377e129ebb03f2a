// "Crew: New Skill…": the skill name rule, the templates offered and the `crew.newSkill` arguments.
// Pure, unit-tested; the command itself is in commands.ts.

/** What pi-crew accepts as a skill name (it is also the skill's folder, `skills/<name>/SKILL.md`). */
const SKILL_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const MAX_SKILL_NAME = 64;

export const BLANK_TEMPLATE = 'blank';

export const SKILL_TEMPLATES = [
  { id: 'code-review', description: 'review a change: correctness, risks, tests, readability' },
  { id: 'testing', description: 'write and run tests for a change' },
  { id: 'security-audit', description: 'look for vulnerabilities and unsafe handling of input and secrets' },
  { id: 'refactor', description: 'restructure code without changing what it does' },
  { id: 'documentation', description: 'write or update documentation' },
  { id: BLANK_TEMPLATE, description: 'a name and a description to fill in' },
] as const;

export type SkillTemplate = (typeof SKILL_TEMPLATES)[number]['id'];

/** The input box's error for a name, or undefined when it can be sent. */
export function skillNameProblem(name: string): string | undefined {
  if (!name) return 'Name the skill.';
  if (name.length > MAX_SKILL_NAME) return `At most ${MAX_SKILL_NAME} characters (this one has ${name.length}).`;
  if (!SKILL_NAME.test(name)) return 'Lower-case letters and digits, words joined by single hyphens (e.g. code-review).';
  return undefined;
}

export function skillTemplatePicks(): { label: SkillTemplate; description: string }[] {
  return SKILL_TEMPLATES.map((template) => ({ label: template.id, description: template.description }));
}

/** `crew.newSkill` arguments: a blank skill is one without a template. */
export function newSkillArguments(name: string, template: SkillTemplate): { name: string; template?: string } {
  return template === BLANK_TEMPLATE ? { name } : { name, template };
}
