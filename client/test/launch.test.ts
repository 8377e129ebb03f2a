import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildServerLaunch, expandHome, parsePythonVersion, pythonProblem } from '../src/launch';

test('an installed crew-lsp executable runs `serve` and wins over the interpreter', () => {
  const launch = buildServerLaunch({ serverPath: '/opt/crew/bin/crew-lsp', python: '/usr/bin/python3', env: { PATH: '/bin' } });
  assert.deepEqual(launch, { command: '/opt/crew/bin/crew-lsp', args: ['serve'], env: { PATH: '/bin' } });
});

test('a server path starting with ~ is in the home folder', () => {
  assert.equal(buildServerLaunch({ serverPath: '~/.local/bin/crew-lsp', env: { HOME: '/home/ada' } }).command, '/home/ada/.local/bin/crew-lsp');
  assert.equal(expandHome('~other/crew-lsp', '/home/ada'), '~other/crew-lsp');
});

test('the bundled server runs as a module, with the bundled libraries first on PYTHONPATH', () => {
  const launch = buildServerLaunch({ python: '/usr/bin/python3', bundledLibs: '/ext/bundled/libs', env: { PYTHONPATH: '/site' } });
  assert.equal(launch.command, '/usr/bin/python3');
  assert.deepEqual(launch.args, ['-P', '-m', 'crew_lsp', 'serve']);
  assert.equal(launch.env.PYTHONPATH, ['/ext/bundled/libs', '/site'].join(path.delimiter));
});

test('without bundled libraries the interpreter uses its own installed crew-lsp', () => {
  const launch = buildServerLaunch({ python: 'python3', env: {} });
  assert.equal(launch.env.PYTHONPATH, undefined);
});

test('the interpreter must report a version of 3.11 or newer', () => {
  assert.deepEqual(parsePythonVersion('3.12.4\n'), [3, 12, 4]);
  assert.equal(parsePythonVersion('Python 3.12'), undefined);
  assert.equal(pythonProblem('python3', '3.11.0\n'), undefined);
  assert.equal(pythonProblem('python3', '4.0.0\n'), undefined);
  assert.match(pythonProblem('/usr/bin/python3', '3.10.12\n') ?? '', /needs Python 3\.11 or newer; "\/usr\/bin\/python3" is Python 3\.10\.12/);
  assert.match(pythonProblem('python3', 'hello') ?? '', /did not report its version/);
});

test('an interpreter that cannot be run gets a message naming it and the settings to change', () => {
  const problem = pythonProblem('/nowhere/python', new Error('spawn /nowhere/python ENOENT')) ?? '';
  assert.match(problem, /"\/nowhere\/python" could not be run \(spawn \/nowhere\/python ENOENT\)/);
  assert.match(problem, /crew\.server\.python/);
  assert.match(problem, /crew\.server\.path/);
});

test('no interpreter and no server path is an error, not a spawn of undefined', () => {
  assert.throws(() => buildServerLaunch({ env: {} }), /no Python interpreter/);
});
