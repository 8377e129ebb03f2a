// What the commands that change files — the export to other agent tools and the AGENTS.md guidance —
// offer and report. The server builds each change as a WorkspaceEdit and asks VS Code to apply it
// (with a preview); its answer says whether the edit was applied, and an export lists the fields the
// target cannot hold (docs/editor.md, Commands).

import * as path from 'node:path';

export type ExportTarget = 'claude' | 'cursor' | 'codex';

export interface ExportTargetPick {
  label: string;
  detail: string;
  target: ExportTarget;
}

export const EXPORT_TARGETS: readonly ExportTargetPick[] = [
  { label: 'Claude Code', target: 'claude', detail: 'subagents, slash commands and skills under .claude/' },
  { label: 'Cursor', target: 'cursor', detail: 'rules under .cursor/rules/' },
  { label: 'Codex', target: 'codex', detail: 'a block in the guidance section of AGENTS.md' },
];

/** `crew.export` of every project agent, team, workflow and skill. */
export function exportArguments(target: ExportTarget): { target: ExportTarget } {
  return { target };
}

/** `{edit, applied}`: `edit` is null when the files already hold the text. */
interface EditAnswer {
  edit: unknown;
  applied: boolean;
}

export interface ExportAnswer extends EditAnswer {
  files: string[];
  dropped: { path: string; field: string; reason: string }[];
}

export interface GuidanceAnswer extends EditAnswer {
  path: string;
}

export interface Report {
  severity: 'information' | 'warning';
  message: string;
  /** lines for the Crew output */
  details: string[];
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function exportReport(targetName: string, answer: ExportAnswer): Report {
  const files = count(answer.files.length, 'file');
  if (answer.edit === null) return { severity: 'information', message: `Crew: the ${targetName} files are up to date (${files}).`, details: [] };
  if (!answer.applied) return { severity: 'information', message: `Crew: the export to ${targetName} was not applied.`, details: [] };
  const details = answer.dropped.map((d) => `export to ${targetName} dropped ${d.path}: ${d.field} — ${d.reason}`);
  if (!details.length) return { severity: 'information', message: `Crew: exported to ${targetName}: ${files}.`, details };
  const dropped = `${count(details.length, 'field')} could not be carried over (listed in the Crew output)`;
  return { severity: 'warning', message: `Crew: exported to ${targetName}: ${files}; ${dropped}.`, details };
}

export function guidanceReport(action: 'update' | 'remove', answer: GuidanceAnswer): Report {
  const file = path.basename(answer.path);
  const message = answer.edit === null
    ? (action === 'update' ? `${file} already holds the crew guidance` : `${file} holds no crew guidance`)
    : !answer.applied
      ? `the change to ${file} was not applied`
      : action === 'update' ? `updated the crew guidance in ${file}` : `removed the crew guidance from ${file}`;
  return { severity: 'information', message: `Crew: ${message}.`, details: [] };
}
