import assert from 'node:assert/strict';
import { test } from 'node:test';
import { piCrewStatusView, serverStatusView } from '../src/serverStatus';

test('a starting server is busy', () => {
  assert.deepEqual(serverStatusView({ state: 'starting' }), { text: 'crew-lsp', detail: 'starting…', busy: true, severity: 'information' });
});

test('a running server shows the files indexed and the problem counts', () => {
  const view = serverStatusView({ state: 'running', counts: { files: 12, severity: { error: 1, warning: 3, information: 0, hint: 0 } } });
  assert.equal(view.detail, '12 files indexed, 1 error, 3 warnings');
  assert.equal(view.severity, 'warning');
  assert.equal(view.busy, false);
});

test('a running server whose workspace has no errors is informational', () => {
  const view = serverStatusView({ state: 'running', counts: { files: 1, severity: { error: 0, warning: 0, information: 2, hint: 0 } } });
  assert.equal(view.detail, '1 file indexed, 0 errors, 0 warnings');
  assert.equal(view.severity, 'information');
});

test('a failed server says why', () => {
  const view = serverStatusView({ state: 'failed', problem: 'crew-lsp needs Python 3.11 or newer' });
  assert.equal(view.text, 'crew-lsp failed');
  assert.equal(view.detail, 'crew-lsp needs Python 3.11 or newer');
  assert.equal(view.severity, 'error');
});

const newest = {
  folder: '/ws/app', version: '0.10.1', source: 'newest known',
  why: 'no setting and no pi-crew package entry in the project\'s or the user\'s pi settings',
  summary: 'pi-crew 0.10.1 (newest known: no setting and no pi-crew package entry in the project\'s or the user\'s pi settings)',
};
const pinned = {
  folder: '/ws/legacy', version: '0.2.0', source: 'project .pi/settings.json',
  why: '.pi/settings.json lists `npm:pi-crew@0.2.0`',
  summary: 'pi-crew 0.2.0 (project .pi/settings.json: .pi/settings.json lists `npm:pi-crew@0.2.0`)',
};

test('the pi-crew version the workspace is read as shows with why, and its summary on hover', () => {
  assert.deepEqual(piCrewStatusView([newest]), { text: 'pi-crew 0.10.1', detail: newest.why, tooltip: newest.summary });
});

test('with folders read as different versions, the version of the active document\'s folder shows', () => {
  assert.deepEqual(piCrewStatusView([newest, pinned], '/ws/legacy/.crew/teams/a.team.md'),
    { text: 'pi-crew 0.2.0', detail: pinned.why, tooltip: pinned.summary });
  assert.equal(piCrewStatusView([newest, pinned], '/ws/app/agents/x.md')?.text, 'pi-crew 0.10.1');
  assert.equal(piCrewStatusView([newest, pinned], '/ws/app-two/agents/x.md')?.text, 'pi-crew 0.10.1, 0.2.0',
    'a folder is a whole path segment, not a prefix of the name');
});

test('without an active document in one of them, every folder\'s version shows', () => {
  assert.deepEqual(piCrewStatusView([newest, pinned]), {
    text: 'pi-crew 0.10.1, 0.2.0',
    detail: 'app: 0.10.1, legacy: 0.2.0',
    tooltip: `app: ${newest.summary}\nlegacy: ${pinned.summary}`,
  });
});

test('folders read as the same version show it once', () => {
  const view = piCrewStatusView([newest, { ...newest, folder: '/ws/other' }]);
  assert.equal(view?.text, 'pi-crew 0.10.1');
  assert.equal(view?.detail, newest.why);
});

test('a server that does not say the version shows none', () => {
  assert.equal(piCrewStatusView(undefined), undefined);
  assert.equal(piCrewStatusView([]), undefined);
});

test('a version without a reason says only the version', () => {
  assert.deepEqual(piCrewStatusView([{ folder: '/ws', version: '0.9.0', source: '', why: '', summary: '' }]),
    { text: 'pi-crew 0.9.0', detail: '', tooltip: 'pi-crew 0.9.0' });
});
