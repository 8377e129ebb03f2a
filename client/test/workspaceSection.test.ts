import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configurationAnswer, withoutProgramSettings } from '../src/workspaceSection';

/** The `crew` section as VS Code answers it: every contributed setting, defaults included. */
const crewSection = {
  server: { python: '/usr/bin/python3', path: '' },
  trace: { server: 'off' },
  diagnostics: { severity: { CREW314: 'off' }, delayMs: 200 },
  piCrewVersion: 'auto',
  worker: { runtime: null, command: null, passEnv: [] },
  metrics: { serve: null },
};

/** What the server may read from the workspace: nothing that chooses a program. */
const workspaceView = {
  trace: { server: 'off' },
  diagnostics: { severity: { CREW314: 'off' }, delayMs: 200 },
  piCrewVersion: 'auto',
};

test('the program-choosing settings are left out of the section, even at their defaults', () => {
  assert.deepEqual(withoutProgramSettings(crewSection), workspaceView);
});

test('settings the server takes only from the start options are left out too, wherever a settings file put them', () => {
  const section = { otlp: { enabled: true, endpoint: 'https://collector.example', headers: { auth: 'k' } }, trustedWorkspace: true, roots: ['x'] };
  assert.deepEqual(withoutProgramSettings(section), { roots: ['x'] });
});

test('the section given is not changed', () => {
  const section = structuredClone(crewSection);
  withoutProgramSettings(section);
  assert.deepEqual(section, crewSection);
});

test('a section that is not an object passes as it is', () => {
  assert.equal(withoutProgramSettings(null), null);
  assert.equal(withoutProgramSettings('auto'), 'auto');
});

test('workspace/configuration answers for the crew section leave the program settings out', () => {
  assert.deepEqual(configurationAnswer('crew', crewSection), workspaceView);
});

test('an answer for the whole configuration leaves them out of its crew part only', () => {
  const whole = { editor: { tabSize: 2 }, crew: crewSection };
  assert.deepEqual(configurationAnswer(undefined, whole), { editor: { tabSize: 2 }, crew: workspaceView });
  assert.deepEqual(configurationAnswer(null, whole), { editor: { tabSize: 2 }, crew: workspaceView });
});

test('an answer for a part of the crew section leaves out the program settings under it', () => {
  assert.deepEqual(configurationAnswer('crew.worker', { runtime: 'pi', command: 'x', passEnv: [], extra: 1 }), { extra: 1 });
  assert.deepEqual(configurationAnswer('crew.diagnostics', crewSection.diagnostics), crewSection.diagnostics);
});

test('an answer that is itself a program setting is withheld', () => {
  assert.equal(configurationAnswer('crew.worker.runtime', 'pi'), null);
  assert.equal(configurationAnswer('crew.otlp.headers.auth', 'k'), null);
});

test('other sections pass as they are', () => {
  assert.deepEqual(configurationAnswer('editor', { tabSize: 2 }), { tabSize: 2 });
  assert.deepEqual(configurationAnswer('crewmate', { worker: { runtime: 'pi' } }), { worker: { runtime: 'pi' } });
});
