// The language status items of crew-lsp: is the server up, how much it indexed, how many problems;
// and the pi-crew version the files are read as.

import * as path from 'node:path';
import type { PiCrewVersion, ValidationCounts } from './protocol';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface ServerStatusInput {
  state: ServerState;
  /** The last `crew.validateWorkspace` answer, once there is one. */
  counts?: ValidationCounts;
  /** Why the server is not running, when it failed. */
  problem?: string;
}

export interface ServerStatusView {
  text: string;
  detail: string;
  busy: boolean;
  severity: 'information' | 'warning' | 'error';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function serverStatusView(input: ServerStatusInput): ServerStatusView {
  switch (input.state) {
    case 'starting':
      return { text: 'crew-lsp', detail: 'starting…', busy: true, severity: 'information' };
    case 'stopped':
      return { text: 'crew-lsp stopped', detail: 'run "Crew: Restart Server"', busy: false, severity: 'warning' };
    case 'failed':
      return { text: 'crew-lsp failed', detail: input.problem ?? 'see the Crew output', busy: false, severity: 'error' };
    case 'running': {
      if (!input.counts) return { text: 'crew-lsp', detail: 'indexing…', busy: true, severity: 'information' };
      const { files, severity } = input.counts;
      const detail = `${plural(files, 'file')} indexed, ${plural(severity.error, 'error')}, ${plural(severity.warning, 'warning')}`;
      return { text: 'crew-lsp', detail, busy: false, severity: severity.error > 0 ? 'warning' : 'information' };
    }
  }
}

export interface PiCrewStatusView {
  text: string;
  /** why this version (beside the text in the language status hover) */
  detail: string;
  /** the server's one-line summary per folder (the tooltip of the item's command) */
  tooltip: string;
}

function contains(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The pi-crew version of the folder holding `documentPath` (the active editor's file), else of every
 * folder; undefined when the server does not say (an older crew-lsp).
 */
export function piCrewStatusView(versions: readonly PiCrewVersion[] | undefined, documentPath?: string): PiCrewStatusView | undefined {
  if (!versions?.length) return undefined;
  const holding = documentPath ? versions.filter((entry) => contains(entry.folder, documentPath)) : [];
  // nested folders: the innermost one reads the file
  const shown = holding.length ? [holding.reduce((a, b) => (b.folder.length > a.folder.length ? b : a))] : versions;
  const distinct = [...new Set(shown.map((entry) => entry.version))];
  const summaryOf = (entry: PiCrewVersion) => entry.summary || `pi-crew ${entry.version}`;
  if (distinct.length === 1) {
    return { text: `pi-crew ${distinct[0]}`, detail: shown[0].why, tooltip: summaryOf(shown[0]) };
  }
  const name = (entry: PiCrewVersion) => path.basename(entry.folder);
  return {
    text: `pi-crew ${distinct.join(', ')}`,
    detail: shown.map((entry) => `${name(entry)}: ${entry.version}`).join(', '),
    tooltip: shown.map((entry) => `${name(entry)}: ${summaryOf(entry)}`).join('\n'),
  };
}
