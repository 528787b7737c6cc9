import {
  Background,
  Controls,
  getViewportForBounds,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type ReactFlowInstance,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  memo,
  useCallback,
  useMemo,
  useRef,
  useState,
  type Dispatch,
  type DragEvent,
  type SetStateAction,
} from 'react';
import { useTheme } from '../../app/theme.js';
import type { Catalog } from './catalog.js';
import { cardSize } from './layout.js';
import { canvasNodes, depsOf, type Doc, type Position } from './model.js';
import { nodeTypes, type CardData, type CardNode } from './node-card.js';
import type { LocatedProblems } from './problems.js';

export type Selection =
  { kind: 'node'; id: string } | { kind: 'edge'; source: string; target: string } | null;

/** The MIME type palette items carry when dragged onto the canvas (`agent.action`). */
export const actionMime = 'application/x-cc-action';

const edgeId = (source: string, target: string) => `${source}->${target}`;

interface Props {
  doc: Doc;
  catalog: Catalog;
  problems: LocatedProblems;
  /** Where every node is drawn: saved positions, else the automatic layout. */
  positions: Record<string, Position>;
  selection: Selection;
  onSelect: Dispatch<SetStateAction<Selection>>;
  onAddAction: (key: string, at: Position) => void;
  onConnect: (source: string, target: string) => void;
  /** Nodes moved (dragged, or with the arrow keys) to these positions. */
  onMoved: (moved: Record<string, Position>) => void;
}

type Cached = { key: unknown[]; node: CardNode };

const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The graph: node cards and `dependsOn` edges drawn with React Flow from the document. Node
 * objects are cached by what they show, so an edit re-renders only the card it changes (a
 * 200-node workflow stays smooth while typing); a drag moves a local overlay and commits the
 * final position to `ui.positions` once, as one undo step.
 */
export const Canvas = memo(function Canvas(props: Props) {
  const { doc, catalog, problems, positions, selection, onSelect, onMoved, onAddAction } = props;
  const connectNodes = props.onConnect;
  const [theme] = useTheme();
  const flow = useReactFlow();
  const [dragging, setDragging] = useState<Record<string, Position>>({});
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const cache = useRef(new Map<string, Cached>());
  const selectedNode = selection?.kind === 'node' ? selection.id : undefined;
  const list = useMemo(() => canvasNodes(doc), [doc]);
  // Show the whole graph when the canvas opens (each time the tab shows it), computed from the
  // positions and the card size, so it does not wait for the cards to be measured. A canvas that
  // opens empty keeps its scale while nodes are dropped on it (this runs once per opening).
  const box = useRef<HTMLDivElement>(null);
  const onInit = useCallback(
    (instance: ReactFlowInstance<CardNode, Edge>) => {
      const el = box.current;
      const all = Object.values(positions);
      if (!el || all.length === 0) return;
      const x = Math.min(...all.map((p) => p.x));
      const y = Math.min(...all.map((p) => p.y));
      const bounds = {
        x,
        y,
        width: Math.max(...all.map((p) => p.x)) + cardSize.width - x,
        height: Math.max(...all.map((p) => p.y)) + cardSize.height - y,
      };
      void instance.setViewport(
        getViewportForBounds(bounds, el.clientWidth, el.clientHeight, 0.15, 1, 0.1),
      );
    },
    [positions],
  );

  const nodes = useMemo(() => {
    const next = new Map<string, Cached>();
    const out = list.map((n) => {
      const pos = dragging[n.id] ?? positions[n.id] ?? { x: 0, y: 0 };
      // undefined while the catalog loads, null when the action is not registered
      const risk = catalog.isPending
        ? undefined
        : (catalog.byKey.get(`${n.agent}.${n.action}`)?.risk ?? null);
      const mine = problems.byNode.get(n.id) ?? [];
      const errors = mine.filter((l) => l.severity === 'error').length;
      const size = measured[n.id];
      const key = [
        n,
        pos.x,
        pos.y,
        risk,
        errors,
        mine.length - errors,
        n.id === selectedNode,
        size,
        n.id in dragging,
      ];
      const prev = cache.current.get(n.id);
      if (prev && same(prev.key, key)) {
        next.set(n.id, prev);
        return prev.node;
      }
      const data: CardData = { node: n, risk, errors, warnings: mine.length - errors };
      const node: CardNode = {
        id: n.id,
        type: 'card',
        position: pos,
        data,
        selected: n.id === selectedNode,
        dragging: n.id in dragging,
        ariaLabel: `Node ${n.id}: ${n.agent}.${n.action}${errors ? `, ${errors} problem${errors > 1 ? 's' : ''}` : ''}`,
        ...(size ? { measured: size } : {}),
      };
      next.set(n.id, { key, node });
      return node;
    });
    cache.current = next;
    return out;
  }, [list, positions, dragging, catalog, problems, selectedNode, measured]);

  // Edges are cached by id and selection too: an edit elsewhere redraws none of them.
  const edgeCache = useRef(new Map<string, Edge>());
  const edges = useMemo<Edge[]>(() => {
    const ids = new Set(list.map((n) => n.id));
    const sel = selection?.kind === 'edge' ? edgeId(selection.source, selection.target) : undefined;
    const next = new Map<string, Edge>();
    for (const n of list) {
      for (const d of depsOf(n)) {
        const id = edgeId(d, n.id);
        if (!ids.has(d) || next.has(id)) continue;
        const prev = edgeCache.current.get(id);
        next.set(
          id,
          prev && prev.selected === (id === sel)
            ? prev
            : {
                id,
                source: d,
                target: n.id,
                selected: id === sel,
                markerEnd: { type: MarkerType.ArrowClosed },
                ariaLabel: `${n.id} depends on ${d}`,
              },
        );
      }
    }
    edgeCache.current = next;
    return [...next.values()];
  }, [list, selection]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CardNode>[]) => {
      const sizes: Record<string, { width: number; height: number }> = {};
      const drags: Record<string, Position> = {};
      const moved: Record<string, Position> = {};
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) sizes[c.id] = c.dimensions;
        else if (c.type === 'position' && c.position) {
          if (c.dragging) drags[c.id] = c.position;
          else moved[c.id] = c.position;
        } else if (c.type === 'select') {
          if (c.selected) onSelect({ kind: 'node', id: c.id });
          else onSelect((s) => (s?.kind === 'node' && s.id === c.id ? null : s));
        }
      }
      if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
      if (Object.keys(drags).length) setDragging((d) => ({ ...d, ...drags }));
      // A drag ends (and an arrow key moves a node) with `dragging: false`: one commit.
      if (Object.keys(moved).length) {
        onMoved(moved);
        setDragging((d) => {
          const rest = { ...d };
          for (const id of Object.keys(moved)) delete rest[id];
          return rest;
        });
      }
    },
    [onSelect, onMoved],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      for (const c of changes) {
        if (c.type !== 'select') continue;
        const [source, target] = c.id.split('->') as [string, string];
        if (c.selected) onSelect({ kind: 'edge', source, target });
        else
          onSelect((s) => (s?.kind === 'edge' && edgeId(s.source, s.target) === c.id ? null : s));
      }
    },
    [onSelect],
  );

  const onConnect = useCallback(
    (c: Connection) => connectNodes(c.source, c.target),
    [connectNodes],
  );

  const onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes(actionMime)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    const key = e.dataTransfer.getData(actionMime);
    if (!key) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    onAddAction(key, { x: p.x - cardSize.width / 2, y: p.y - cardSize.height / 2 });
  };

  return (
    <div className="bf-canvas" ref={box} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<CardNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onInit={onInit}
        onPaneClick={() => onSelect(null)}
        isValidConnection={(c) => c.source !== c.target}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        colorMode={theme}
        minZoom={0.15}
        maxZoom={1.5}
        onlyRenderVisibleElements={nodes.length > 80}
        ariaLabelConfig={{
          'node.a11yDescription.default':
            'Press Enter or Space to select the node and edit it in the panel; arrow keys move it.',
        }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
        {nodes.length > 12 && (
          <MiniMap pannable zoomable ariaLabel="Overview of the workflow graph" />
        )}
      </ReactFlow>
      {nodes.length === 0 && (
        <div className="bf-canvas-empty">
          <strong>Drag an action from the palette onto the canvas</strong>
          <span>
            Or focus an action in the palette and press Enter. Then connect a node's right handle to
            another node's left handle: the second one runs after the first.
          </span>
        </div>
      )}
    </div>
  );
});
