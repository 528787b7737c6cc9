import { memo } from 'react';
import { Field, type FieldScope } from './field.js';
import { JsonField } from './json-field.js';
import { setKey, type Doc } from './model.js';
import { ProblemLinks } from './problems-list.js';
import type { Located } from './problems.js';
import { TemplateInput } from './template-input.js';
import { TriggersPanel } from './triggers-panel.js';

type Update = (fn: (doc: Doc) => Doc, group?: string) => void;

/**
 * Workflow-level settings, shown when no node is selected: name (only before the first save: a
 * saved workflow keeps its name), description, the run input's JSON Schema, timeout, concurrency
 * and the triggers.
 */
export const WorkflowPanel = memo(function WorkflowPanel({
  doc,
  isNew,
  problems,
  update,
  onFocusProblem,
}: {
  doc: Doc;
  isNew: boolean;
  problems: readonly Located[];
  update: Update;
  onFocusProblem: (l: Located) => void;
}) {
  const scope: FieldScope = { nodeId: undefined, problems };
  const set = (key: keyof Doc & string, value: unknown) =>
    update((d) => setKey(d, key, value), `wf.${key}`);
  const concurrency =
    doc.concurrency && typeof doc.concurrency === 'object' ? doc.concurrency : undefined;
  const setConcurrency = (key: 'limit' | 'key', value: unknown) =>
    update((d) => {
      const next = setKey(
        { ...(d.concurrency ?? {}) } as { limit: number; key?: string },
        key,
        value,
      );
      return setKey(d, 'concurrency', Object.keys(next).length ? next : undefined);
    }, `wf.concurrency.${key}`);
  return (
    <div className="bf-panel-body" role="region" aria-label="Workflow settings">
      <div className="bf-panel-title">
        <h2>Workflow</h2>
      </div>
      <p className="field-hint">Select a node on the canvas to configure it.</p>
      {problems.length > 0 && (
        <div className="bf-node-problems">
          <h3>
            {problems.length} workflow problem{problems.length > 1 ? 's' : ''}
          </h3>
          <ProblemLinks items={problems} onSelect={onFocusProblem} showNode={false} />
        </div>
      )}
      <Field
        scope={scope}
        path="name"
        name="Name"
        required
        hint={
          isNew
            ? 'Lowercase letters, digits and dashes; it cannot change after the first save.'
            : 'A saved workflow keeps its name; duplicate it from the list to copy it.'
        }
      >
        {(p) => (
          <input
            id={p.id}
            value={typeof doc.name === 'string' ? doc.name : ''}
            readOnly={!isNew}
            placeholder="e.g. nightly-audit"
            aria-describedby={p.describedBy}
            aria-invalid={p.invalid || undefined}
            aria-required
            onChange={(e) => set('name', e.target.value)}
          />
        )}
      </Field>
      <Field scope={scope} path="description" name="Description">
        {(p) => (
          <textarea
            id={p.id}
            rows={2}
            value={doc.description ?? ''}
            aria-describedby={p.describedBy}
            onChange={(e) => set('description', e.target.value || undefined)}
          />
        )}
      </Field>
      <Field
        scope={scope}
        path="inputs"
        name="Run input schema"
        hint="JSON Schema of the input a run gets (templates read it as input.*); checked when a run starts."
      >
        {(p) => (
          <JsonField
            id={p.id}
            value={doc.inputs}
            rows={4}
            placeholder={
              '{ "type": "object", "properties": { "repo": { "type": "string" } }, "required": ["repo"] }'
            }
            describedBy={p.describedBy}
            invalid={p.invalid}
            onChange={(v) => set('inputs', v)}
          />
        )}
      </Field>
      <div className="bf-grid-2">
        <Field scope={scope} path="timeout" name="Run timeout" hint="e.g. 1h">
          {(p) => (
            <input
              id={p.id}
              value={doc.timeout ?? ''}
              aria-describedby={p.describedBy}
              aria-invalid={p.invalid || undefined}
              onChange={(e) => set('timeout', e.target.value.trim() ? e.target.value : undefined)}
            />
          )}
        </Field>
        <Field
          scope={scope}
          path="concurrency.limit"
          name="Concurrent runs"
          hint="Empty: no limit."
        >
          {(p) => (
            <input
              id={p.id}
              inputMode="numeric"
              value={concurrency?.limit ?? ''}
              aria-describedby={p.describedBy}
              aria-invalid={p.invalid || undefined}
              onChange={(e) => {
                const v = e.target.value.trim();
                setConcurrency('limit', v === '' ? undefined : /^\d+$/.test(v) ? Number(v) : v);
              }}
            />
          )}
        </Field>
      </div>
      {concurrency && (
        <Field
          scope={scope}
          path="concurrency.key"
          name="Concurrency key"
          hint="A {{ }} template: the limit applies per value, e.g. per repository."
        >
          {(p) => (
            <TemplateInput
              id={p.id}
              value={concurrency.key ?? ''}
              describedBy={p.describedBy}
              invalid={p.invalid}
              placeholder="{{ input.repo }}"
              onChange={(v) => setConcurrency('key', v.trim() ? v : undefined)}
            />
          )}
        </Field>
      )}
      <TriggersPanel doc={doc} update={update} scope={scope} />
    </div>
  );
});
