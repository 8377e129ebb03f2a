// What both webview scripts share: building elements without HTML strings, and telling the
// extension the script is ready for its content.

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const SVG_NS = 'http://www.w3.org/2000/svg';

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

export function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, className = ''): SVGElementTagNameMap[K] {
  const made = document.createElementNS(SVG_NS, tag);
  if (className) made.setAttribute('class', className);
  return made;
}

/** Asks for the content: sent at every load (VS Code reloads a webview that was hidden). */
export function postReady(): void {
  acquireVsCodeApi().postMessage({ type: 'ready' });
}
