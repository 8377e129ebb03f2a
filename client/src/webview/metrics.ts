// The metrics webview's script (bundled for the browser): draws each chart of the metrics view the
// extension sends as an inline SVG bar chart (`.crew-metrics-chart`), and redraws when a new
// snapshot arrives. Built with DOM calls only (the CSP allows no inline styles or HTML strings).

import type { ChartModel, MetricsView } from '../metricsModel';
import type { ToWebview } from '../webviewMessages';
import { element, postReady, svgElement } from './dom';

const WIDTH = 640;
const LABEL_WIDTH = 170;
const TEXT_WIDTH = 230;
const BAR_AREA = WIDTH - LABEL_WIDTH - TEXT_WIDTH;
const ROW = 26;
const BAR = 16;

function text(x: number, y: number, content: string, className: string, anchor: 'start' | 'end' = 'start'): SVGTextElement {
  const label = svgElement('text', className);
  label.setAttribute('x', String(x));
  label.setAttribute('y', String(y));
  label.setAttribute('text-anchor', anchor);
  label.textContent = content;
  return label;
}

function barChart(chart: ChartModel): SVGSVGElement {
  const height = chart.bars.length * ROW + 4;
  const svg = svgElement('svg', 'crew-bars');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  svg.setAttribute('width', String(WIDTH));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', chart.title);
  chart.bars.forEach((bar, index) => {
    const top = index * ROW + 4;
    const middle = top + BAR / 2;
    const row = svgElement('g', 'crew-bar');
    row.dataset.tone = bar.tone;
    row.append(text(LABEL_WIDTH - 8, middle, bar.label, 'crew-bar-label', 'end'));
    const track = svgElement('rect', 'crew-bar-track');
    track.setAttribute('x', String(LABEL_WIDTH));
    track.setAttribute('y', String(top));
    track.setAttribute('width', String(BAR_AREA));
    track.setAttribute('height', String(BAR));
    const fill = svgElement('rect', 'crew-bar-fill');
    fill.setAttribute('x', String(LABEL_WIDTH));
    fill.setAttribute('y', String(top));
    fill.setAttribute('width', ((bar.value / chart.max) * BAR_AREA).toFixed(1));
    fill.setAttribute('height', String(BAR));
    row.append(track, fill);
    if (bar.marker !== undefined) {
      const x = (LABEL_WIDTH + (bar.marker / chart.max) * BAR_AREA).toFixed(1);
      const tick = svgElement('line', 'crew-bar-marker');
      tick.setAttribute('x1', x);
      tick.setAttribute('x2', x);
      tick.setAttribute('y1', String(top - 2));
      tick.setAttribute('y2', String(top + BAR + 2));
      row.append(tick);
    }
    row.append(text(LABEL_WIDTH + BAR_AREA + 8, middle, bar.text, 'crew-bar-text'));
    const title = svgElement('title');
    title.textContent = `${bar.label}: ${bar.text}`;
    row.append(title);
    svg.append(row);
  });
  return svg;
}

function chartSection(chart: ChartModel): HTMLElement {
  const section = element('section', 'crew-metrics-chart');
  section.dataset.chartId = chart.id;
  section.append(element('h2', '', chart.title), element('p', 'crew-muted', chart.caption));
  section.append(chart.bars.length ? barChart(chart) : element('p', 'crew-empty', chart.empty));
  return section;
}

function draw(view: MetricsView): void {
  const root = document.getElementById('crew-root');
  if (!root) return;
  const head = element('header', 'crew-header');
  const runs = view.activeRuns ? `${view.activeRuns} run${view.activeRuns === 1 ? '' : 's'} active: refreshing` : 'no run active';
  const takenAt = new Date(view.takenAt).toLocaleTimeString();
  head.append(element('h1', '', 'Crew metrics'), element('p', 'crew-muted', `Snapshot of ${takenAt} — ${runs}`));
  root.replaceChildren(head, ...view.charts.map(chartSection));
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  if (event.data.type === 'metrics') draw(event.data.view);
});
postReady();
