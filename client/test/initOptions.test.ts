import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInitializationOptions, needsRestart } from '../src/initOptions';

test('unset settings are left out so the server defaults and config files apply', () => {
  assert.deepEqual(buildInitializationOptions({}, true), {
    diagnostics: { severity: {} },
    worker: {},
    metrics: {},
    trustedWorkspace: true,
  });
});

test('the settings arrive in the shape of the crew settings section', () => {
  const options = buildInitializationOptions(
    {
      diagnosticsDelayMs: 0,
      diagnosticsSeverity: { CREW314: 'off' },
      workerRuntime: 'command',
      workerCommand: ['my-agent', '--quiet'],
      workerPassEnv: ['OPENAI_API_KEY'],
      metricsServe: '9464',
    },
    true,
  );
  assert.deepEqual(options, {
    diagnostics: { delayMs: 0, severity: { CREW314: 'off' } },
    worker: { runtime: 'command', command: ['my-agent', '--quiet'], passEnv: ['OPENAI_API_KEY'] },
    metrics: { serve: '9464' },
    trustedWorkspace: true,
  });
});

test('an untrusted workspace is told to the server', () => {
  assert.equal(buildInitializationOptions({}, false).trustedWorkspace, false);
});

test('blank and null program settings count as unset', () => {
  const options = buildInitializationOptions({ workerRuntime: null, workerCommand: '  ', workerPassEnv: [], metricsServe: null }, true);
  assert.deepEqual(options.worker, {});
  assert.deepEqual(options.metrics, {});
});

test('settings read only at start restart the server; the others do not', () => {
  assert.equal(needsRestart((section) => section === 'crew.server.python'), true);
  assert.equal(needsRestart((section) => section === 'crew.worker.command'), true);
  assert.equal(needsRestart((section) => section === 'crew.diagnostics.severity'), false);
  assert.equal(needsRestart((section) => section === 'crew.trace.server'), false);
});

test('the pi-crew version setting is passed on, and left out at auto so the server detects it', () => {
  assert.equal(buildInitializationOptions({ piCrewVersion: '0.2.0' }, true).piCrewVersion, '0.2.0');
  assert.equal(buildInitializationOptions({ piCrewVersion: ' 0.10 ' }, true).piCrewVersion, '0.10');
  assert.equal('piCrewVersion' in buildInitializationOptions({ piCrewVersion: 'auto' }, true), false);
  assert.equal('piCrewVersion' in buildInitializationOptions({ piCrewVersion: '' }, true), false);
});
