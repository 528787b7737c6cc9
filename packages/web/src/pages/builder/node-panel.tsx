import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { RiskBadge } from '../../ui/status.js';
import type { ActionMeta } from './catalog.js';
import { Field, type FieldScope } from './field.js';
import {
  ancestors,
  canvasNodes,
  depsOf,
  descendants,
  renameNode,
  renameProblem,
  setKey,
  updateNode,
  type Doc,
  type NodeDoc,
} from './model.js';
import { ProblemLinks } from './problems-list.js';
import type { Located } from './problems.js';
import { NodeSettings, useSetNodeField } from './node-settings.js';
import { SchemaForm } from './schema-form.js';

type Update = (fn: (doc: Doc) => Doc, group?: string) => void;

/**
 * The selected node: its id (a rename rewrites the references to it), dependencies, the inputs
 * form generated from the action's schema, and its run settings (retry, timeout, when, forEach,
 * approval, onFailure). Problems the hub found show next to the field they concern.
 */
export const NodePanel = memo(function NodePanel({
  doc,
  node,
  meta,
  loading,
  problems,
  update,
  onRenamed,
  onRemove,
  onFocusProblem,
}: {
  doc: Doc;
  node: NodeDoc;
  meta: ActionMeta | undefined;
  /** The catalog is still loading (an action without meta is not unknown yet). */
  loading: boolean;
  problems: readonly Located[];
  update: Update;
  onRenamed: (id: string) => void;
  onRemove: (id: string) => void;
  onFocusProblem: (l: Located) => void;
}) {
  const id = node.id;
  const scope: FieldScope = { nodeId: id, problems };
  const setField = useSetNodeField(update, id);
  const setInputs = useCallback((v: Record<string, unknown>) => setField('inputs', v), [setField]);
  const upstream = useMemo(() => ancestors(doc, id), [doc, id]);
  const others = canvasNodes(doc).filter((n) => n.id !== id);
  const deps = depsOf(node);
  const toggleDep = (dep: string, on: boolean) =>
    update((d) =>
      updateNode(d, id, (n) => {
        const current = depsOf(n);
        const next = on ? [...current, dep] : current.filter((x) => x !== dep);
        return setKey(n, 'dependsOn', next.length ? next : undefined);
      }),
    );
  // Nodes downstream of this one cannot become its dependencies (a cycle).
  const downstream = useMemo(() => descendants(doc, id), [doc, id]);
  return (
    <div className="bf-panel-body" aria-label={`Node ${id}`} role="region">
      <div className="bf-panel-title">
        <h2>Node</h2>
        <button type="button" className="btn btn-small btn-danger" onClick={() => onRemove(id)}>
          Remove node
        </button>
      </div>
      <RenameField doc={doc} id={id} scope={scope} update={update} onRenamed={onRenamed} />
      <div className="bf-action-info">
        <span className="mono">
          {node.agent}.{node.action}
        </span>
        {meta ? (
          <RiskBadge risk={meta.risk} />
        ) : loading ? null : (
          <span className="field-error">
            This agent or action is not registered in the project.
          </span>
        )}
        {meta?.description && <p className="muted">{meta.description}</p>}
      </div>
      {problems.length > 0 && (
        <div className="bf-node-problems">
          <h3>
            {problems.length} problem{problems.length > 1 ? 's' : ''} in this node
          </h3>
          <ProblemLinks items={problems} onSelect={onFocusProblem} showNode={false} />
        </div>
      )}

      <section aria-label="Dependencies" className="bf-section">
        {others.length === 0 ? (
          <p className="muted">
            Add more nodes to connect them: this node then runs after the ones you tick here.
          </p>
        ) : (
          <Field
            scope={scope}
            path="dependsOn"
            name="Runs after"
            hint="Or connect the handles on the canvas."
          >
            {(p) => (
              <div
                className="bf-checks"
                id={p.id}
                role="group"
                aria-label="Runs after"
                aria-describedby={p.describedBy}
              >
                {others.map((o) => {
                  const checked = deps.includes(o.id);
                  const cycle = !checked && downstream.has(o.id);
                  return (
                    <label
                      key={o.id}
                      title={
                        cycle ? `${o.id} runs after ${id}: this would make a cycle` : undefined
                      }
                    >
                      <input
                        type="checkbox"
                        checked={checked}
                        disabled={cycle}
                        onChange={(e) => toggleDep(o.id, e.target.checked)}
                      />
                      <span className="mono">{o.id}</span>
                    </label>
                  );
                })}
              </div>
            )}
          </Field>
        )}
        {upstream.size > deps.length && (
          <p className="field-hint">
            Templates may read every upstream node: {[...upstream].sort().join(', ')}.
          </p>
        )}
      </section>

      <section aria-labelledby={`bf-inputs-${id}`} className="bf-section">
        <h3 id={`bf-inputs-${id}`}>Inputs</h3>
        <p className="field-hint">
          Type <code>{'{{'}</code> in a field for the values a template can read.
        </p>
        <SchemaForm
          schema={meta?.input}
          value={node.inputs && typeof node.inputs === 'object' ? node.inputs : {}}
          onChange={setInputs}
          nodeId={id}
          problems={problems}
        />
      </section>

      <NodeSettings node={node} meta={meta} scope={scope} update={update} />
    </div>
  );
});

/** The node id: renamed when the field is left or Enter is pressed, if the new id is valid. */
function RenameField({
  doc,
  id,
  scope,
  update,
  onRenamed,
}: {
  doc: Doc;
  id: string;
  scope: FieldScope;
  update: Update;
  onRenamed: (id: string) => void;
}) {
  const [value, setValue] = useState(id);
  useEffect(() => setValue(id), [id]);
  const error = renameProblem(doc, id, value.trim());
  const commit = () => {
    const to = value.trim();
    if (to === id) return;
    if (error) {
      setValue(id);
      return;
    }
    update((d) => renameNode(d, id, to));
    onRenamed(to);
  };
  return (
    <Field
      scope={scope}
      path="id"
      name="Id"
      hint="Templates read this node's output as nodes.<id>.output."
    >
      {(p) => (
        <>
          <input
            id={p.id}
            className="mono"
            value={value}
            aria-describedby={p.describedBy}
            aria-invalid={!!error || p.invalid || undefined}
            onChange={(e) => setValue(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
              if (e.key === 'Escape') setValue(id);
            }}
          />
          {error && <p className="field-error">{error}</p>}
        </>
      )}
    </Field>
  );
}
