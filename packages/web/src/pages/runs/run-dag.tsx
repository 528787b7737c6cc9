import {
  Controls,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeChange,
  type NodeProps,
  useReactFlow,
  useStore,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type RefObject,
} from 'react';
import { useTheme } from '../../app/theme.js';
import { statusLabels } from '../../ui/status.js';
import {
  FIT_PADDING,
  layoutDag,
  NODE_HEIGHT,
  NODE_WIDTH,
  type Direction,
  type Positions,
} from './dag-layout.js';
import type { NodeView } from './step-model.js';

interface StepNodeData extends Record<string, unknown> {
  view: NodeView;
  direction: Direction;
}
type StepNode = Node<StepNodeData, 'step'>;

/** One node card: id, live status, agent.action (or the error once it failed), forEach count. */
const StepNodeCard = memo(function StepNodeCard({ data, selected }: NodeProps<StepNode>) {
  const v = data.view;
  const error = v.step?.error;
  const [into, out] =
    data.direction === 'LR' ? [Position.Left, Position.Right] : [Position.Top, Position.Bottom];
  return (
    <div
      className={`run-node${selected ? ' is-selected' : ''}`}
      data-testid={`run-node-${v.id}`}
      data-status={v.status}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT }}
    >
      <Handle type="target" position={into} isConnectable={false} className="run-node-handle" />
      <div className="run-node-top">
        <span className="run-node-dot" aria-hidden="true" />
        <strong className="run-node-id">{v.id}</strong>
        {v.items && (
          <span className="run-node-items" title={`${v.items.done} of ${v.items.total} items done`}>
            {v.items.done}/{v.items.total} items
          </span>
        )}
      </div>
      {error && v.status !== 'succeeded' ? (
        <div className="run-node-sub run-node-error" title={`${error.code}: ${error.message}`}>
          {error.message}
        </div>
      ) : (
        <div className="run-node-sub">
          {v.retrying ? 'Retrying · ' : `${statusLabels[v.status] ?? v.status} · `}
          {v.agent}.{v.action}
        </div>
      )}
      <Handle type="source" position={out} isConnectable={false} className="run-node-handle" />
    </div>
  );
});

const nodeTypes = { step: StepNodeCard };

function nodeLabel(v: NodeView): string {
  const items = v.items ? `, ${v.items.done} of ${v.items.total} items done` : '';
  const error = v.step?.error && v.status !== 'succeeded' ? `, error: ${v.step.error.message}` : '';
  return `Step ${v.id} (${v.agent}.${v.action}): ${statusLabels[v.status] ?? v.status}${items}${error}`;
}

/** What a node card shows: a node whose signature did not change keeps its object (no re-render). */
const signature = (v: NodeView, selected: boolean) =>
  [
    v.status,
    v.retrying,
    v.items?.done,
    v.items?.total,
    v.step?.error?.message,
    v.agent,
    v.action,
    selected,
  ].join('|');

/** The graph view's height bounds (px); within them it takes what the layout needs. */
const MIN_HEIGHT = 200;
const MAX_HEIGHT = 420;

/** The element's width, rounded to 40 px steps so that small resizes do not re-layout. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(40, Math.round(el.clientWidth / 40) * 40));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** Fits the graph in view again when its layout or the view's size changes (not on mount). */
function Refit({ token }: { token: string }) {
  const { fitView } = useReactFlow();
  const last = useRef(token);
  useEffect(() => {
    if (last.current === token) return;
    last.current = token;
    // After the container has its new size (xyflow measures it on resize).
    const frame = requestAnimationFrame(() => void fitView({ padding: FIT_PADDING, maxZoom: 1 }));
    return () => cancelAnimationFrame(frame);
  }, [token, fitView]);
  return null;
}

/** Below this zoom, node cards are too small to read: they turn into blocks of their colour. */
const FAR_ZOOM = 0.45;

/** Tells the graph whether it is zoomed out past {@link FAR_ZOOM} (renders only on a change). */
function ZoomWatch({ onFar }: { onFar: (far: boolean) => void }) {
  const far = useStore((s) => s.transform[2] < FAR_ZOOM);
  useEffect(() => onFar(far), [far, onFar]);
  return null;
}

/**
 * The run's DAG, read-only: nodes coloured by step status (they change the moment a step event
 * arrives, see useRun), edges from `dependsOn`. Clicking a node — or Enter on a focused one —
 * selects its step.
 */
export function RunDag({
  views,
  saved,
  selected,
  onSelect,
}: {
  views: NodeView[];
  saved: Positions | undefined;
  selected: string | null;
  onSelect: (nodeId: string) => void;
}) {
  const [theme] = useTheme();
  const [far, setFar] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const shape = views.map((v) => `${v.id}<${v.dependsOn.join(',')}`).join(';');
  // The layout depends only on the graph's shape and the view's width, not on statuses.
  const layout = useMemo(
    () =>
      layoutDag(views, saved, {
        width: width || 600,
        minHeight: MIN_HEIGHT,
        maxHeight: MAX_HEIGHT,
      }),
    [shape, saved, width],
  );
  const { positions, direction } = layout;
  const cache = useRef(new Map<string, { sig: string; node: StepNode }>());
  const nodes = useMemo(() => {
    const next = new Map<string, { sig: string; node: StepNode }>();
    const out = views.map((v) => {
      const isSelected = v.id === selected;
      const sig = signature(v, isSelected);
      const old = cache.current.get(v.id);
      const position = positions[v.id] ?? { x: 0, y: 0 };
      const node: StepNode =
        old &&
        old.sig === sig &&
        old.node.position === position &&
        old.node.data.direction === direction
          ? old.node
          : {
              id: v.id,
              type: 'step',
              position,
              data: { view: v, direction },
              selected: isSelected,
              draggable: false,
              connectable: false,
              ariaLabel: nodeLabel(v),
              width: NODE_WIDTH,
              height: NODE_HEIGHT,
            };
      next.set(v.id, { sig, node });
      return node;
    });
    cache.current = next;
    return out;
  }, [views, selected, positions, direction]);
  const runningIds = views
    .filter((v) => v.status === 'running')
    .map((v) => v.id)
    .join(',');
  const edges = useMemo<Edge[]>(() => {
    const running = new Set(runningIds.split(','));
    return views.flatMap((v) =>
      v.dependsOn.map((d) => ({
        id: `${d}->${v.id}`,
        source: d,
        target: v.id,
        animated: running.has(v.id),
        focusable: false,
        selectable: false,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: 'var(--muted)' },
      })),
    );
  }, [shape, runningIds]);
  const onNodesChange = useCallback(
    (changes: NodeChange<StepNode>[]) => {
      for (const c of changes) if (c.type === 'select' && c.selected) onSelect(c.id);
    },
    [onSelect],
  );
  return (
    <div
      className={`run-dag${far ? ' is-far' : ''}`}
      data-testid="run-dag"
      ref={box}
      style={{ height: layout.height }}
    >
      {width > 0 && (
        <ReactFlow<StepNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          colorMode={theme}
          fitView
          fitViewOptions={{ padding: FIT_PADDING, maxZoom: 1 }}
          minZoom={0.05}
          maxZoom={1.5}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesFocusable={false}
          zoomOnDoubleClick={false}
          deleteKeyCode={null}
          selectionKeyCode={null}
          multiSelectionKeyCode={null}
          proOptions={{ hideAttribution: true }}
          aria-label="Run graph"
        >
          <Controls showInteractive={false} position="bottom-left" />
          <ZoomWatch onFar={setFar} />
          <Refit token={`${direction}|${width}|${layout.height}|${shape.length}`} />
        </ReactFlow>
      )}
    </div>
  );
}
