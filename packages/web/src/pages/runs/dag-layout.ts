import dagre from '@dagrejs/dagre';

/** Size of a node card on the run graph (the layout and the node component agree on it). */
export const NODE_WIDTH = 188;
export const NODE_HEIGHT = 58;
/** Space fitView leaves around the graph, as a fraction of the view. */
export const FIT_PADDING = 0.12;

export type Positions = Record<string, { x: number; y: number }>;
export type Direction = 'LR' | 'TB';

export interface DagLayout {
  positions: Positions;
  direction: Direction;
  /** Height the graph needs in a view `width` wide (between the given bounds). */
  height: number;
}

interface LayoutNode {
  id: string;
  dependsOn: string[];
}

function dagreLayout(nodes: LayoutNode[], direction: Direction): Positions {
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: direction,
    nodesep: direction === 'LR' ? 18 : 24,
    ranksep: 48,
    marginx: 0,
    marginy: 0,
  });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const n of nodes) {
    for (const d of n.dependsOn) if (ids.has(d)) g.setEdge(d, n.id);
  }
  dagre.layout(g);
  const out: Positions = {};
  for (const n of nodes) {
    const p = g.node(n.id);
    // dagre gives centres; the graph component places nodes by their top-left corner.
    out[n.id] = { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 };
  }
  return out;
}

function extent(p: Positions): { w: number; h: number } {
  const xs = Object.values(p).map((q) => q.x);
  const ys = Object.values(p).map((q) => q.y);
  if (xs.length === 0) return { w: NODE_WIDTH, h: NODE_HEIGHT };
  return {
    w: Math.max(...xs) - Math.min(...xs) + NODE_WIDTH,
    h: Math.max(...ys) - Math.min(...ys) + NODE_HEIGHT,
  };
}

/** The zoom at which a graph of size `e` fits the view (never above 1: text stays its size). */
function fitZoom(e: { w: number; h: number }, width: number, maxHeight: number): number {
  const room = 1 - 2 * FIT_PADDING;
  return Math.min(1, (width * room) / e.w, (maxHeight * room) / e.h);
}

/**
 * Where each node goes. The positions saved by the builder (`ui.positions`) when they cover every
 * node, so the run looks like the workflow its author drew; otherwise a layered layout (dagre),
 * left to right or top to bottom — whichever shows the graph larger in the view, so a short
 * chain is not shrunk to unreadable cards and a wide fan-out still fits. The view then takes the
 * height the graph needs, within bounds.
 */
export function layoutDag(
  nodes: LayoutNode[],
  saved: Positions | undefined,
  view: { width: number; minHeight: number; maxHeight: number },
): DagLayout {
  const candidates: { positions: Positions; direction: Direction }[] =
    saved && nodes.length > 0 && nodes.every((n) => saved[n.id])
      ? [{ positions: saved, direction: savedDirection(nodes, saved) }]
      : (['LR', 'TB'] as const).map((direction) => ({
          positions: dagreLayout(nodes, direction),
          direction,
        }));
  let best = candidates[0]!;
  let bestZoom = -1;
  for (const c of candidates) {
    const z = fitZoom(extent(c.positions), view.width, view.maxHeight);
    if (z > bestZoom + 0.02) {
      best = c;
      bestZoom = z;
    }
  }
  const e = extent(best.positions);
  const height = Math.round(e.h * bestZoom + view.maxHeight * 2 * FIT_PADDING);
  return { ...best, height: Math.max(view.minHeight, Math.min(view.maxHeight, height)) };
}

/** Saved layouts flow the way most of their edges go. */
function savedDirection(nodes: LayoutNode[], p: Positions): Direction {
  let across = 0;
  let down = 0;
  for (const n of nodes) {
    for (const d of n.dependsOn) {
      if (!p[d]) continue;
      across += Math.abs(p[n.id]!.x - p[d].x);
      down += Math.abs(p[n.id]!.y - p[d].y);
    }
  }
  return down > across ? 'TB' : 'LR';
}
