// Where the plan webview puts each task and how it routes the dependency arrows: dagre lays out the
// graph with one column per wave (left to right), ordering each column to keep crossings few. Pure:
// the webview script runs it, and node tests check it.

import dagre from '@dagrejs/dagre';
import type { PlanGraph } from './planGraph';

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 56;
const COLUMN_GAP = 56;
const ROW_GAP = 24;
const MARGIN = 16;

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  id: string;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RoutedEdge {
  from: string;
  to: string;
  /** From the dependency to the dependent task. */
  points: Point[];
}

export interface WaveColumn {
  wave: number;
  /** Centre of the column. */
  x: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: RoutedEdge[];
  columns: WaveColumn[];
}

/**
 * dagre's `longest-path` ranker puts every sink at rank 0 and each other node as far from the sinks as
 * its longest path: "as late as possible". Waves are "as early as possible" (one after the latest
 * dependency). Laying out the reversed graph (dependent → dependency) from right to left makes the
 * two agree: a task's rank is its depth, so each wave is exactly one column.
 */
export function layoutGraph(graph: Pick<PlanGraph, 'nodes' | 'edges'>): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'RL', ranker: 'longest-path', nodesep: ROW_GAP, ranksep: COLUMN_GAP, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of graph.edges) {
    if (g.hasNode(edge.from) && g.hasNode(edge.to)) g.setEdge(edge.to, edge.from);
  }
  dagre.layout(g);

  const nodes: PlacedNode[] = graph.nodes.map((node) => {
    const placed = g.node(node.id);
    return { id: node.id, x: (placed.x ?? 0) - NODE_WIDTH / 2, y: (placed.y ?? 0) - NODE_HEIGHT / 2, width: NODE_WIDTH, height: NODE_HEIGHT };
  });
  const edges: RoutedEdge[] = graph.edges
    .filter((edge) => g.hasEdge(edge.to, edge.from))
    .map((edge) => ({ from: edge.from, to: edge.to, points: [...(g.edge(edge.to, edge.from).points ?? [])].reverse() }));
  const columnOf = new Map<number, number>();
  for (const node of graph.nodes) columnOf.set(node.wave, g.node(node.id).x ?? 0);
  const columns = [...columnOf.entries()].sort(([a], [b]) => a - b).map(([wave, x]) => ({ wave, x }));
  const size = g.graph();
  return { width: size.width ?? 0, height: size.height ?? 0, nodes, edges, columns };
}

/** The smallest zoom that keeps a task's id and role legible; a wider graph scrolls at this zoom. */
export const MIN_ZOOM = 0.5;

/**
 * The zoom that fits a graph `width` pixels wide into `available` pixels: at most 1 (boxes are never
 * blown up), at least MIN_ZOOM; 1 while the webview has no width yet.
 */
export function fitZoom(width: number, available: number): number {
  if (available <= 0 || width <= available) return 1;
  return Math.max(MIN_ZOOM, available / width);
}
