// Opening one of the extension's webviews: scripts on, resources only from the extension's own
// `dist/webview` and `media` folders, the strict CSP shell of webviewHtml.ts, and a `ready` handshake
// (the script asks for its content whenever it loads, so nothing is posted into the void).

import * as vscode from 'vscode';
import type { FromWebview, ToWebview } from './webviewMessages';
import { newNonce, webviewHtml, type WebviewPage } from './webviewHtml';

export interface CrewWebview {
  panel: vscode.WebviewPanel;
  post(message: ToWebview): void;
}

export function openCrewWebview(
  extensionUri: vscode.Uri,
  viewType: string,
  title: string,
  view: WebviewPage['view'],
  onReady: (webview: CrewWebview) => void,
): CrewWebview {
  const scripts = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [scripts, media],
  });
  const webview = panel.webview;
  const crewWebview: CrewWebview = {
    panel,
    post: (message) => void webview.postMessage(message),
  };
  webview.onDidReceiveMessage((message: FromWebview) => {
    if (message?.type === 'ready') onReady(crewWebview);
  });
  webview.html = webviewHtml({
    title,
    view,
    cspSource: webview.cspSource,
    nonce: newNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(scripts, `${view}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.css')).toString(),
  });
  return crewWebview;
}
