// The Python interpreter that runs the bundled crew-lsp: `crew.server.python`, else the Python
// extension's active interpreter when that extension is installed, else `python3`; its version is
// checked (3.11 or newer) so a wrong interpreter gives a clear message rather than a crashed server.

import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { PYTHON_VERSION_SCRIPT, pythonProblem } from './launch';

const PYTHON_EXTENSION_ID = 'ms-python.python';

/** The part of the Python extension's API used here (see @vscode/python-extension). */
interface PythonEnvironmentsApi {
  environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(path: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

async function pythonExtensionApi(): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonEnvironmentsApi>(PYTHON_EXTENSION_ID);
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments ? api : undefined;
  } catch {
    return undefined;
  }
}

async function activeInterpreter(): Promise<string | undefined> {
  const api = await pythonExtensionApi();
  if (!api) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(folder));
  return environment?.executable.uri?.fsPath;
}

/** Calls `listener` when the Python extension's active interpreter changes (when it is installed). */
export async function onDidChangeInterpreter(listener: () => void): Promise<vscode.Disposable | undefined> {
  const api = await pythonExtensionApi();
  return api?.environments.onDidChangeActiveEnvironmentPath(() => listener());
}

function runVersionScript(interpreter: string): Promise<string | Error> {
  return new Promise((resolve) => {
    execFile(interpreter, ['-c', PYTHON_VERSION_SCRIPT], { timeout: 15_000 }, (error, stdout) => {
      resolve(error ? error : stdout);
    });
  });
}

export type InterpreterChoice = { interpreter: string; source: string } | { problem: string };

/**
 * `useActiveInterpreter` is false in an untrusted workspace: the Python extension's choice may be a
 * virtual environment inside the workspace, a program the workspace chose.
 */
export async function resolveInterpreter(configured: string, useActiveInterpreter: boolean): Promise<InterpreterChoice> {
  let interpreter = configured;
  let source = 'crew.server.python';
  if (!interpreter && useActiveInterpreter) {
    interpreter = (await activeInterpreter()) ?? '';
    source = 'the Python extension';
  }
  if (!interpreter) {
    interpreter = 'python3';
    source = 'the PATH';
  }
  const problem = pythonProblem(interpreter, await runVersionScript(interpreter));
  return problem ? { problem } : { interpreter, source };
}
