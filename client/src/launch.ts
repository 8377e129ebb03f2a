// How the server process is started: an installed `crew-lsp` executable (`crew.server.path`), or
// the crew-lsp package bundled with the extension (`bundled/libs`) run by a Python interpreter.

import * as path from 'node:path';

export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Prints `major.minor.micro` of the interpreter that runs it. */
export const PYTHON_VERSION_SCRIPT = 'import sys; print("%d.%d.%d" % sys.version_info[:3])';

export interface ServerLaunch {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
}

export interface LaunchInput {
  /** `crew.server.path`: an installed crew-lsp executable; wins over the interpreter. */
  serverPath?: string;
  /** The resolved Python interpreter. */
  python?: string;
  /** `bundled/libs` of the extension, when the package carries it. */
  bundledLibs?: string;
  env: Record<string, string | undefined>;
}

export function buildServerLaunch(input: LaunchInput): ServerLaunch {
  const serverPath = expandHome(input.serverPath?.trim() ?? '', input.env.HOME);
  if (serverPath) {
    return { command: serverPath, args: ['serve'], env: { ...input.env } };
  }
  if (!input.python) {
    throw new Error('no Python interpreter to run crew-lsp with');
  }
  const env: Record<string, string | undefined> = { ...input.env, PYTHONUTF8: '1' };
  if (input.bundledLibs) {
    // the bundled copy comes first, so an older crew-lsp installed in the interpreter is not used
    env.PYTHONPATH = [input.bundledLibs, input.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  }
  // -P: the current folder (perhaps an untrusted workspace) is not put on sys.path
  return { command: input.python, args: ['-P', '-m', 'crew_lsp', 'serve'], env };
}

/** `~/bin/crew-lsp` → `<home>/bin/crew-lsp`: settings are written by hand, shells expand `~`, VS Code does not. */
export function expandHome(file: string, home: string | undefined): string {
  if (!home || !(file === '~' || file.startsWith('~/'))) return file;
  return path.join(home, file.slice(1));
}

/** `[major, minor, micro]` from the output of `PYTHON_VERSION_SCRIPT`, or undefined. */
export function parsePythonVersion(output: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\s*$/.exec(output.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function isSupportedPython(version: readonly number[]): boolean {
  const [major, minor] = version;
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

/** The message shown when an interpreter cannot run crew-lsp; `undefined` when it can. */
export function pythonProblem(interpreter: string, output: string | Error): string | undefined {
  const needed = `Python ${MIN_PYTHON.join('.')} or newer`;
  if (output instanceof Error) {
    return `crew-lsp needs ${needed}, and "${interpreter}" could not be run (${output.message}). ` +
      'Set crew.server.python to a Python 3.11+ interpreter, or crew.server.path to an installed crew-lsp.';
  }
  const version = parsePythonVersion(output);
  if (!version) {
    return `crew-lsp needs ${needed}; "${interpreter}" did not report its version (it printed "${output.trim().slice(0, 80)}").`;
  }
  if (!isSupportedPython(version)) {
    return `crew-lsp needs ${needed}; "${interpreter}" is Python ${version.join('.')}. ` +
      'Set crew.server.python to a newer interpreter, or crew.server.path to an installed crew-lsp.';
  }
  return undefined;
}
