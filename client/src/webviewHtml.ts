// The HTML shell of the extension's webviews (plan graph, metrics). Everything they show is drawn
// by one bundled script of the extension, allowed by a nonce; nothing remote is loaded. Pure, so
// the Content-Security-Policy is unit-tested.

import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  title: string;
  /** `webview.cspSource`: the origin of the extension's own files as the webview sees them. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(...)` of the bundled script and the stylesheet. */
  scriptUri: string;
  styleUri: string;
  /** The `data-view` of the body: which view the script draws. */
  view: 'plan' | 'metrics';
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** `default-src 'none'`: only the extension's stylesheet and images, and the one script with the nonce. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webviewHtml(page: WebviewPage): string {
  const attr = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(page.cspSource, page.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(page.styleUri)}">
<title>${attr(page.title)}</title>
</head>
<body data-view="${page.view}">
<main id="crew-root" aria-live="polite"><p class="crew-muted">Loading…</p></main>
<script nonce="${attr(page.nonce)}" src="${attr(page.scriptUri)}"></script>
</body>
</html>
`;
}
