import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { contentSecurityPolicy, newNonce, webviewHtml } from '../src/webviewHtml';

const clientDir = path.resolve(__dirname, '..', '..');
const page = {
  title: 'Plan: <default> / "docs"',
  view: 'plan' as const,
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'n0nce',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/plan.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css',
};

test('the webview policy denies everything but the extension\'s own styles and images and the one script with the nonce', () => {
  const policy = contentSecurityPolicy(page.cspSource, page.nonce);
  const directives = Object.fromEntries(policy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  assert.deepEqual(directives, {
    'default-src': "'none'",
    'style-src': page.cspSource,
    'img-src': page.cspSource,
    'font-src': page.cspSource,
    'script-src': "'nonce-n0nce'",
  });
  assert.doesNotMatch(policy, /unsafe|https?:\/\/(?!file\+)|\*/);
});

test('the page loads only the bundled script (with the nonce) and the stylesheet, and escapes its title', () => {
  const html = webviewHtml(page);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; /);
  assert.deepEqual([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]), [`<script nonce="n0nce" src="${page.scriptUri}">`]);
  assert.deepEqual([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]), [page.styleUri, page.scriptUri]);
  assert.match(html, /<title>Plan: &lt;default&gt; \/ &quot;docs&quot;<\/title>/);
  assert.doesNotMatch(html, /style="/);
});

test('each page gets a fresh, unguessable nonce', () => {
  const nonces = new Set(Array.from({ length: 50 }, newNonce));
  assert.equal(nonces.size, 50);
  for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
});

test('the package carries the webview scripts and their stylesheet', () => {
  const ignore = fs.readFileSync(path.join(clientDir, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!dist/webview/*.js'), 'dist/webview/*.js is packaged');
  assert.ok(ignore.includes('!media/**'), 'media/ is packaged');
  assert.ok(fs.existsSync(path.join(clientDir, 'media', 'webview.css')));
  const bundle = JSON.parse(fs.readFileSync(path.join(clientDir, 'package.json'), 'utf8')).scripts['bundle:webviews'];
  for (const view of ['plan', 'metrics']) assert.ok(bundle.includes(`src/webview/${view}.ts`), view);
});
