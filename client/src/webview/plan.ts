// The plan webview's script (bundled for the browser): draws the task graph the extension sends —
// one `.crew-task-node` per task (`data-task-id`, `data-status`), a column per wave, an arrow per
// dependency — and recolours the nodes as the run's statuses arrive. A graph wider than the webview
// is shrunk to its width (down to MIN_ZOOM, then it scrolls from the first wave), and again as the
// webview is resized; a button switches between that and the actual size. Everything is built with
// DOM calls: no HTML strings, no inline styles (the CSP allows neither).

import type { PlanGraph } from '../planGraph';
import { fitZoom, layoutGraph, type PlacedNode, type Point } from '../planLayout';
import type { ToWebview } from '../webviewMessages';
import { element, postReady, svgElement } from './dom';

/** Room above the nodes for the wave labels. */
const LABEL_ROW = 28;

let nodesById = new Map<string, HTMLElement>();

/** What the zoom applies to: the drawn graph, its unscaled size, and the box that reserves its scaled size. */
interface Zoomable {
  scroller: HTMLElement;
  frame: HTMLElement;
  canvas: HTMLElement;
  width: number;
  height: number;
  button: HTMLButtonElement;
}
let zoomable: Zoomable | undefined;
let fitToWidth = true;

function applyZoom(): void {
  if (!zoomable) return;
  const { scroller, frame, canvas, width, height, button } = zoomable;
  const zoom = fitToWidth ? fitZoom(width, scroller.clientWidth) : 1;
  canvas.style.transform = zoom === 1 ? '' : `scale(${zoom})`;
  frame.style.width = `${Math.ceil(width * zoom)}px`;
  frame.style.height = `${Math.ceil(height * zoom)}px`;
  button.textContent = fitToWidth ? `Actual size (now ${Math.round(zoom * 100)} %)` : 'Fit to width';
  button.hidden = fitToWidth && width <= scroller.clientWidth; // nothing to switch: it fits at its size
}

function pathOf(points: readonly Point[]): string {
  return points.map((point, index) => `${index ? 'L' : 'M'}${point.x.toFixed(1)} ${(point.y + LABEL_ROW).toFixed(1)}`).join(' ');
}

function header(graph: PlanGraph): HTMLElement {
  const head = element('header', 'crew-header');
  head.append(element('h1', '', graph.title), element('p', 'crew-muted', graph.subtitle));
  const run = element('p', 'crew-run-status');
  run.id = 'crew-run-status';
  head.append(run);
  return head;
}

function nodeElement(node: PlanGraph['nodes'][number], placed: PlacedNode): HTMLElement {
  const box = element('div', 'crew-task-node');
  box.dataset.taskId = node.id;
  box.dataset.status = node.status;
  box.style.left = `${placed.x}px`;
  box.style.top = `${placed.y + LABEL_ROW}px`;
  box.style.width = `${placed.width}px`;
  box.style.height = `${placed.height}px`;
  box.tabIndex = 0;
  const role = node.agent ? `${node.role} (agent ${node.agent})` : node.role;
  const line = element('span', 'crew-task-line');
  line.append(element('span', 'crew-task-role', role), ' · ', element('span', 'crew-task-status', node.status));
  box.append(element('span', 'crew-task-id', node.id), line);
  box.title = [`${node.id} — ${role}`, `wave ${node.wave}`, ...node.details].join('\n');
  return box;
}

function draw(graph: PlanGraph): void {
  const root = document.getElementById('crew-root');
  if (!root) return;
  const layout = layoutGraph(graph);
  const canvas = element('div', 'crew-graph');
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height + LABEL_ROW}px`;

  const svg = svgElement('svg', 'crew-edges');
  svg.setAttribute('width', String(layout.width));
  svg.setAttribute('height', String(layout.height + LABEL_ROW));
  const defs = svgElement('defs');
  const marker = svgElement('marker');
  for (const [name, value] of Object.entries({ id: 'crew-arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' })) {
    marker.setAttribute(name, value);
  }
  const head = svgElement('path', 'crew-arrow-head');
  head.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
  marker.append(head);
  defs.append(marker);
  svg.append(defs);
  for (const edge of layout.edges) {
    const line = svgElement('path', 'crew-edge');
    line.setAttribute('d', pathOf(edge.points));
    line.setAttribute('marker-end', 'url(#crew-arrow)');
    line.dataset.from = edge.from;
    line.dataset.to = edge.to;
    svg.append(line);
  }
  canvas.append(svg);

  for (const column of layout.columns) {
    const label = element('span', 'crew-wave-label', `Wave ${column.wave}`);
    label.style.left = `${column.x}px`;
    canvas.append(label);
  }
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  nodesById = new Map();
  for (const placed of layout.nodes) {
    const node = byId.get(placed.id);
    if (!node) continue;
    const box = nodeElement(node, placed);
    nodesById.set(node.id, box);
    canvas.append(box);
  }

  const parts: HTMLElement[] = [header(graph), legend()];
  if (graph.warnings.length) {
    const warnings = element('ul', 'crew-warnings');
    for (const warning of graph.warnings) warnings.append(element('li', '', warning));
    parts.push(warnings);
  }
  const button = element('button', 'crew-zoom');
  button.type = 'button';
  button.addEventListener('click', () => {
    fitToWidth = !fitToWidth;
    applyZoom();
  });
  parts.push(button);
  const scroller = element('div', 'crew-scroller');
  const frame = element('div', 'crew-graph-frame');
  frame.append(canvas);
  scroller.append(frame);
  parts.push(scroller);
  root.replaceChildren(...parts);
  zoomable = { scroller, frame, canvas, width: layout.width, height: layout.height + LABEL_ROW, button };
  applyZoom();
  showRun(graph.runId, graph.runStatus);
}

function legend(): HTMLElement {
  const list = element('div', 'crew-legend');
  for (const status of ['planned', 'queued', 'running', 'completed', 'failed', 'cancelled', 'skipped', 'blocked']) {
    const item = element('span', 'crew-legend-item', status);
    item.dataset.status = status;
    list.append(item);
  }
  return list;
}

function showRun(runId: string | undefined, status: string | undefined): void {
  const line = document.getElementById('crew-run-status');
  if (!line) return;
  line.textContent = runId ? `Run ${runId}: ${status ?? ''}` : 'Not running: the colours follow a run of this plan once one starts.';
  if (status) line.dataset.status = status;
}

function recolour(statuses: Record<string, string>): void {
  for (const [id, status] of Object.entries(statuses)) {
    const box = nodesById.get(id);
    if (!box || box.dataset.status === status) continue;
    box.dataset.status = status;
    const label = box.querySelector('.crew-task-status');
    if (label) label.textContent = status;
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message.type === 'graph') draw(message.graph);
  else if (message.type === 'statuses') {
    recolour(message.statuses);
    showRun(message.runId, message.runStatus);
  }
});
window.addEventListener('resize', applyZoom);
postReady();
