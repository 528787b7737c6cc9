/**
 * Automatic layout (dagre, left to right): where nodes without a saved position go, and what
 * "Tidy up" writes for all of them.
 */
import { Graph, layout } from '@dagrejs/dagre';
import { canvasNodes, depsOf, type Doc, type Position } from './model.js';

/** The size node cards are laid out with (builder.css gives the cards this width). */
export const cardSize = { width: 208, height: 84 };

/** Top-left positions of every canvas node, laid out from its dependencies. */
export function autoLayout(doc: Doc): Record<string, Position> {
  const nodes = canvasNodes(doc);
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: cardSize.width, height: cardSize.height });
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes)
    for (const d of depsOf(n)) if (ids.has(d) && d !== n.id) g.setEdge(d, n.id);
  layout(g);
  const out: Record<string, Position> = {};
  for (const n of nodes) {
    const p = g.node(n.id);
    out[n.id] = {
      x: Math.round(p.x - cardSize.width / 2),
      y: Math.round(p.y - cardSize.height / 2),
    };
  }
  return out;
}

/** A spot that overlaps no card: right of the rightmost one, level with the top one. */
export function freeSpot(positions: Iterable<Position>): Position {
  let maxX = -Infinity;
  let minY = Infinity;
  for (const p of positions) {
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
  }
  if (maxX === -Infinity) return { x: 40, y: 40 };
  return { x: maxX + cardSize.width + 56, y: minY };
}
