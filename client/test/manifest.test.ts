// The extension manifest (package.json) is the contract with VS Code: these tests read it as data.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CONFIG_FILE_PATTERNS } from '../src/documents';
import { ClientCommand, ServerCommand } from '../src/protocol';

const clientDir = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(clientDir, 'package.json'), 'utf8'));
const properties: Record<string, { scope?: string }> = manifest.contributes.configuration.properties;

/** The server's command names, from its own list (crew_lsp/server/command_names.py). */
function serverCommandNames(): string[] {
  const source = fs.readFileSync(path.join(clientDir, '..', 'crew_lsp', 'server', 'command_names.py'), 'utf8');
  return [...source.matchAll(/"(crew\.[A-Za-z]+)"/g)].map((m) => m[1]);
}

test('no command of the extension reuses a server command id', () => {
  const server = serverCommandNames();
  assert.ok(server.includes(ServerCommand.run), 'the server list was read');
  for (const { command } of manifest.contributes.commands) {
    assert.ok(!server.includes(command), `${command} is also a server command`);
  }
});

test('every client command is contributed, in the Crew category, and every contributed one is known', () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(contributed, Object.values(ClientCommand).sort());
  for (const command of manifest.contributes.commands) assert.equal(command.category, 'Crew');
});

test('the palette titles read as the product names them', () => {
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'false').map((m: { command: string }) => m.command));
  const titles = manifest.contributes.commands.filter((c: { command: string }) => !hidden.has(c.command)).map((c: { category: string; title: string }) => `${c.category}: ${c.title}`).sort();
  assert.deepEqual(titles, [
    'Crew: Cancel Run…', 'Crew: Doctor', 'Crew: Export to Claude Code / Cursor / Codex…', 'Crew: New Skill…', 'Crew: Preview Plan…',
    'Crew: Remove AGENTS.md Guidance', 'Crew: Restart Server', 'Crew: Resume Run…', 'Crew: Run Team…', 'Crew: Run Workflow…',
    'Crew: Show Metrics', 'Crew: Show Output', 'Crew: Show Run Status', 'Crew: Update AGENTS.md Guidance', 'Crew: Validate Workspace',
  ]);
});

test('settings that choose a program are machine or application scope and restricted in untrusted workspaces', () => {
  const programSettings = ['crew.server.python', 'crew.server.path', 'crew.worker.runtime', 'crew.worker.command', 'crew.worker.passEnv', 'crew.metrics.serve'];
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.deepEqual([...trust.restrictedConfigurations].sort(), [...programSettings].sort());
  for (const name of programSettings) {
    assert.ok(['machine', 'application'].includes(properties[name]?.scope ?? ''), `${name} has scope ${properties[name]?.scope}`);
  }
});

test('every setting of the brief is contributed', () => {
  assert.deepEqual(Object.keys(properties).sort(), [
    'crew.diagnostics.cache', 'crew.diagnostics.delayMs', 'crew.diagnostics.severity', 'crew.metrics.serve', 'crew.piCrewVersion', 'crew.server.path',
    'crew.server.python', 'crew.trace.server', 'crew.worker.command', 'crew.worker.passEnv', 'crew.worker.runtime',
  ]);
});

test('the pi-crew version is auto by default, takes any x.y.z or x.y, and a workspace may set it', () => {
  const setting = manifest.contributes.configuration.properties['crew.piCrewVersion'];
  assert.equal(setting.default, 'auto');
  assert.equal(setting.scope, 'window', 'it chooses no program, so a workspace may set it');
  assert.ok(!manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('crew.piCrewVersion'));
  const pattern = new RegExp(setting.pattern);
  for (const value of ['auto', '0.2.0', '0.10.1', '0.10', '1.2.3']) assert.match(value, pattern);
  for (const value of ['latest', '0.10.x', '', '1']) assert.doesNotMatch(value, pattern);
  assert.deepEqual(setting.examples, ['auto', '0.2.0', '0.10.1']);
});

test('the config files are validated with the config schema, the same files the server reads', () => {
  const [validation] = manifest.contributes.jsonValidation;
  assert.deepEqual(validation.fileMatch, [...CONFIG_FILE_PATTERNS]);
  assert.equal(validation.url, './schemas/config.schema.json');
});

test('the extension activates on the crew roots, so problems in closed files show at once', () => {
  for (const event of ['workspaceContains:.crew/**/*.md', 'workspaceContains:.pi/teams/**/*.md']) {
    assert.ok(manifest.activationEvents.includes(event), event);
  }
});

test('the engine range accepts VS Code 1.100, as does the vscode-languageclient in use', () => {
  assert.equal(manifest.engines.vscode, '^1.100.0');
  const languageClient = JSON.parse(fs.readFileSync(path.join(clientDir, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8'));
  const [, major, minor] = /^\^(\d+)\.(\d+)/.exec(languageClient.engines.vscode) ?? [];
  assert.ok(Number(major) === 1 && Number(minor) <= 100, `vscode-languageclient needs ${languageClient.engines.vscode}`);
});

test('the Runs view has its own activity-bar container, and its item actions stay out of the palette', () => {
  const [container] = manifest.contributes.viewsContainers.activitybar;
  assert.equal(container.title, 'Crew Runs');
  assert.ok(fs.existsSync(path.join(clientDir, container.icon)), container.icon);
  assert.deepEqual(manifest.contributes.views[container.id].map((v: { id: string }) => v.id), ['crew.runs']);
  const hidden = manifest.contributes.menus.commandPalette.map((m: { command: string }) => m.command).sort();
  assert.deepEqual(hidden, Object.values(ClientCommand).filter((id) => id.startsWith('crew.client.runs.')).sort());
  const itemActions = manifest.contributes.menus['view/item/context'].map((m: { command: string }) => m.command);
  for (const action of ['cancel', 'resume', 'retryTask', 'openResult', 'openPrompt', 'openEvents', 'showGraph']) {
    assert.ok(itemActions.includes(`crew.client.runs.${action}`), action);
  }
});

test('the commands that start programs or write into the workspace are disabled in an untrusted one, and only they', () => {
  const gated = manifest.contributes.commands
    .filter((c: { enablement?: string }) => c.enablement === 'isWorkspaceTrusted')
    .map((c: { command: string }) => c.command).sort();
  assert.deepEqual(gated, [
    ClientCommand.newSkill, ClientCommand.resumeRun, ClientCommand.runTeam, ClientCommand.runWorkflow,
    ClientCommand.runsResume, ClientCommand.runsRetryTask,
  ].sort());
});

test('the commands that change files through a previewed edit but run no program work in an untrusted workspace', () => {
  const enablement = Object.fromEntries(manifest.contributes.commands.map((c: { command: string; enablement?: string }) => [c.command, c.enablement]));
  for (const command of [ClientCommand.export, ClientCommand.guidanceUpdate, ClientCommand.guidanceRemove]) {
    assert.ok(command in enablement, `${command} is contributed`);
    assert.equal(enablement[command], undefined, `${command} is enabled whatever the trust`);
  }
});

test('the webviews\' scripts are bundled for the browser from the extension\'s own sources', () => {
  const { scripts } = manifest;
  assert.match(scripts.bundle, /bundle:extension/);
  assert.match(scripts.bundle, /bundle:webviews/);
  assert.match(scripts['bundle:webviews'], /--platform=browser/);
  assert.match(scripts['bundle:webviews'], /--outdir=dist\/webview/);
  assert.ok(manifest.dependencies['@dagrejs/dagre'], 'the layout library is a pinned dependency, bundled');
});
