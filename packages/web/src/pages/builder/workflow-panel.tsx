import { memo } from 'react';
import type { FieldScope } from './field.js';
import {
  count,
  JsonValueField,
  optional,
  TemplateField,
  TextAreaField,
  TextField,
} from './fields.js';
import { setKey, type Doc } from './model.js';
import { ProblemLinks } from './problems-list.js';
import type { Located } from './problems.js';
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
      <TextField
        scope={scope}
        path="name"
        name="Name"
        required
        hint={
          isNew
            ? 'Lowercase letters, digits and dashes; it cannot change after the first save.'
            : 'A saved workflow keeps its name; duplicate it from the list to copy it.'
        }
        value={doc.name}
        readOnly={!isNew}
        placeholder="e.g. nightly-audit"
        onChange={(v) => set('name', v)}
      />
      <TextAreaField
        scope={scope}
        path="description"
        name="Description"
        value={doc.description}
        onChange={(v) => set('description', v)}
      />
      <JsonValueField
        scope={scope}
        path="inputs"
        name="Run input schema"
        hint="JSON Schema of the input a run gets (templates read it as input.*); checked when a run starts."
        value={doc.inputs}
        rows={4}
        placeholder={
          '{ "type": "object", "properties": { "repo": { "type": "string" } }, "required": ["repo"] }'
        }
        onChange={(v) => set('inputs', v)}
      />
      <div className="bf-grid-2">
        <TextField
          scope={scope}
          path="timeout"
          name="Run timeout"
          hint="e.g. 1h"
          value={doc.timeout}
          onChange={(v) => set('timeout', optional(v))}
        />
        <TextField
          scope={scope}
          path="concurrency.limit"
          name="Concurrent runs"
          hint="Empty: no limit."
          numeric
          value={concurrency?.limit}
          onChange={(v) => setConcurrency('limit', count(v))}
        />
      </div>
      {concurrency && (
        <TemplateField
          scope={scope}
          path="concurrency.key"
          name="Concurrency key"
          hint="A {{ }} template: the limit applies per value, e.g. per repository."
          value={concurrency.key}
          placeholder="{{ input.repo }}"
          onChange={(v) => setConcurrency('key', v)}
        />
      )}
      <TriggersPanel doc={doc} update={update} scope={scope} />
    </div>
  );
});
