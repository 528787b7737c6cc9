import type { Risk } from '@commandcenter/protocol/client';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { RiskBadge } from '../../ui/status.js';
import type { NodeDoc } from './model.js';

/** What a card shows; the builder reuses the object while none of it changes (no re-render). */
export type CardData = {
  node: NodeDoc;
  /** Effective risk of the action; null when it is not registered, undefined while loading. */
  risk: Risk | null | undefined;
  errors: number;
  warnings: number;
};
export type CardNode = Node<CardData, 'card'>;

function needsApproval(node: NodeDoc, risk: Risk | null | undefined): boolean {
  if (node.approval === 'required') return true;
  if (node.approval === 'auto') return false;
  return risk === 'high' || risk === 'critical';
}

/**
 * A node on the canvas: id, agent.action, risk and badges for what changes how it runs
 * (approval, retry, when, forEach), and a red marker with the count of its problems.
 */
export const NodeCard = memo(function NodeCard({ data, selected }: NodeProps<CardNode>) {
  const { node, risk, errors, warnings } = data;
  const attempts = node.retry?.attempts;
  return (
    <div
      className={`bf-card${selected ? ' selected' : ''}${errors ? ' has-problems' : ''}`}
      data-testid={`builder-node-${node.id}`}
      data-problems={errors}
    >
      <Handle type="target" position={Position.Left} className="bf-handle" />
      <div className="bf-card-head">
        <strong className="bf-card-id">{node.id}</strong>
        {errors > 0 ? (
          <span
            className="bf-card-errors"
            data-testid={`builder-node-problems-${node.id}`}
            title={`${errors} problem${errors > 1 ? 's' : ''}`}
          >
            <span aria-hidden="true">!</span> {errors}
            <span className="visually-hidden"> problem{errors > 1 ? 's' : ''}</span>
          </span>
        ) : warnings > 0 ? (
          <span
            className="bf-card-warnings"
            title={`${warnings} warning${warnings > 1 ? 's' : ''}`}
          >
            {warnings}
            <span className="visually-hidden"> warning{warnings > 1 ? 's' : ''}</span>
          </span>
        ) : null}
      </div>
      <div className="bf-card-action">
        {node.agent}.{node.action}
      </div>
      <div className="bf-card-badges">
        {risk ? (
          <RiskBadge risk={risk} />
        ) : risk === null ? (
          <span className="bf-chip bf-chip-bad">unknown action</span>
        ) : null}
        {needsApproval(node, risk) && <span className="bf-chip">approval</span>}
        {typeof attempts === 'number' && attempts > 1 && (
          <span className="bf-chip">retry ×{attempts}</span>
        )}
        {node.when !== undefined && <span className="bf-chip">when</span>}
        {node.forEach !== undefined && <span className="bf-chip">forEach</span>}
        {node.onFailure === 'continue' && <span className="bf-chip">continue on failure</span>}
      </div>
      <Handle type="source" position={Position.Right} className="bf-handle" />
    </div>
  );
});

/** Module-level: React Flow re-creates every node when `nodeTypes` changes identity. */
export const nodeTypes = { card: NodeCard };
