// The `crew` section the server reads through `workspace/configuration` and
// `workspace/didChangeConfiguration`. VS Code merges the folder's `.vscode/settings.json` into it, so
// the server drops from it every setting that chooses a program, opens a port or sends data elsewhere
// (and warns that it did). Those settings reach the server in `initializationOptions`, read from the
// user's settings only (settings.ts), and a change to them restarts the server; the client leaves them
// out of the section, so the server never sees — and never warns about — their workspace copies,
// defaults included.

/** Under `crew`; the server takes them from `initializationOptions` only (docs/editor.md, Settings). */
export const START_ONLY_SETTINGS = [
  'server.python',
  'server.path',
  'worker.runtime',
  'worker.command',
  'worker.passEnv',
  'metrics.serve',
  'otlp.enabled',
  'otlp.endpoint',
  'otlp.headers',
  'trustedWorkspace',
] as const;

const SECTION = 'crew';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `value` without the setting at `path` (split at its dots), nor the groups it leaves empty. */
function without(value: unknown, path: readonly string[]): unknown {
  if (!isObject(value) || !Object.hasOwn(value, path[0])) return value;
  const [key, ...rest] = path;
  const copy = { ...value };
  delete copy[key];
  if (rest.length) {
    const inner = without(value[key], rest);
    if (!isObject(inner) || Object.keys(inner).length) copy[key] = inner;
  }
  return copy;
}

/** The `crew` section without the start-only settings; the section given is left as it is. */
export function withoutProgramSettings(section: unknown): unknown {
  return START_ONLY_SETTINGS.reduce((rest, setting) => without(rest, setting.split('.')), section);
}

/**
 * One answer of `workspace/configuration` for the item's `section` (absent: the whole configuration)
 * without the start-only settings it holds; an answer that is one of them is withheld (null).
 */
export function configurationAnswer(section: string | null | undefined, answer: unknown): unknown {
  const asked = section ? section.split('.') : [];
  let result = answer;
  for (const setting of START_ONLY_SETTINGS) {
    const full = [SECTION, ...setting.split('.')];
    const common = Math.min(asked.length, full.length);
    if (asked.slice(0, common).some((part, i) => part !== full[i])) continue;
    if (asked.length >= full.length) return null;
    result = without(result, full.slice(asked.length));
  }
  return result;
}
