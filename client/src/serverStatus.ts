// The language status item of crew-lsp: is the server up, how much it indexed, how many problems.

import type { ValidationCounts } from './protocol';

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
