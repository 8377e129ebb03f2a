import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverStatusView } from '../src/serverStatus';

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
