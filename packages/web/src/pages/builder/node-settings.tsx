import { useCallback } from 'react';
import type { ActionMeta } from './catalog.js';
import type { FieldScope } from './field.js';
import {
  count,
  JsonValueField,
  optional,
  SelectField,
  TemplateField,
  TextAreaField,
  TextField,
} from './fields.js';
import { setKey, updateNode, type Doc, type NodeDoc } from './model.js';

type Update = (fn: (doc: Doc) => Doc, group?: string) => void;

const forEachHint = 'A {{ }} list: the node runs once per item, which templates read as item.';

/** Sets (or, with undefined, removes) one key of a node; typing in one field is one undo step. */
export function useSetNodeField(update: Update, id: string) {
  return useCallback(
    (key: keyof NodeDoc & string, value: unknown) =>
      update((d) => updateNode(d, id, (n) => setKey(n, key, value)), `${id}.${key}`),
    [update, id],
  );
}

/**
 * How a node runs: `when`, `forEach`, retry (attempts, backoff, delay, max delay), timeout,
 * approval (and its expiry), `onFailure`, and a description. Empty fields are left out of the
 * document, so the defaults apply.
 */
export function NodeSettings({
  node,
  meta,
  scope,
  update,
}: {
  node: NodeDoc;
  meta: ActionMeta | undefined;
  scope: FieldScope;
  update: Update;
}) {
  const id = node.id;
  const setField = useSetNodeField(update, id);
  const retry = (node.retry && typeof node.retry === 'object' ? node.retry : {}) as NonNullable<
    NodeDoc['retry']
  >;
  const setRetry = (key: keyof typeof retry, value: unknown) =>
    update(
      (d) =>
        updateNode(d, id, (n) => {
          const next = setKey({ ...(n.retry ?? {}) }, key, value);
          return setKey(n, 'retry', Object.keys(next).length ? next : undefined);
        }),
      `${id}.retry.${key}`,
    );
  const risky = meta?.risk === 'high' || meta?.risk === 'critical';

  return (
    <section aria-labelledby={`bf-settings-${id}`} className="bf-section">
      <h3 id={`bf-settings-${id}`}>Settings</h3>
      <TemplateField
        scope={scope}
        path="when"
        name="Run only when"
        hint="A {{ }} condition; the node is skipped when it is false."
        value={node.when}
        placeholder="{{ nodes.scan.output.critical > 0 }}"
        onChange={(v) => setField('when', v)}
      />
      {Array.isArray(node.forEach) ? (
        <JsonValueField
          scope={scope}
          path="forEach"
          name="For each"
          hint={forEachHint}
          value={node.forEach}
          rows={2}
          onChange={(v) => setField('forEach', v)}
        />
      ) : (
        <TemplateField
          scope={scope}
          path="forEach"
          name="For each"
          hint={forEachHint}
          value={node.forEach}
          placeholder="{{ nodes.scan.output.files }}"
          onChange={(v) => setField('forEach', v)}
        />
      )}
      <div className="bf-grid-2">
        <TextField
          scope={scope}
          path="retry.attempts"
          name="Attempts"
          hint="1 = no retry."
          numeric
          value={retry.attempts}
          placeholder="1"
          onChange={(v) => setRetry('attempts', count(v))}
        />
        <SelectField
          scope={scope}
          path="retry.backoff"
          name="Backoff"
          hint="Default: exponential."
          value={retry.backoff}
          options={[
            ['', 'default'],
            ['exponential', 'exponential'],
            ['linear', 'linear'],
            ['fixed', 'fixed'],
          ]}
          onChange={(v) => setRetry('backoff', v)}
        />
        <TextField
          scope={scope}
          path="retry.delay"
          name="Retry delay"
          placeholder="1s"
          value={retry.delay}
          onChange={(v) => setRetry('delay', optional(v))}
        />
        <TextField
          scope={scope}
          path="retry.maxDelay"
          name="Max delay"
          placeholder="1m"
          value={retry.maxDelay}
          onChange={(v) => setRetry('maxDelay', optional(v))}
        />
        <TextField
          scope={scope}
          path="timeout"
          name="Timeout"
          placeholder="e.g. 5m"
          value={node.timeout}
          onChange={(v) => setField('timeout', optional(v))}
        />
        <TextField
          scope={scope}
          path="approvalTimeout"
          name="Approval expiry"
          placeholder="e.g. 1d"
          value={node.approvalTimeout}
          onChange={(v) => setField('approvalTimeout', optional(v))}
        />
      </div>
      <SelectField
        scope={scope}
        path="onFailure"
        name="On failure"
        value={node.onFailure}
        options={[
          ['', 'fail the run (default)'],
          ['continue', 'continue (dependants still run)'],
        ]}
        onChange={(v) => setField('onFailure', v)}
      />
      <SelectField
        scope={scope}
        path="approval"
        name="Approval"
        value={node.approval}
        options={[
          ['', meta ? `from risk (${risky ? 'needs approval' : 'no approval'})` : 'from risk'],
          ['required', 'always required'],
          ['auto', 'auto (if the policy allows)'],
        ]}
        onChange={(v) => setField('approval', v)}
      />
      <TextAreaField
        scope={scope}
        path="description"
        name="Description"
        value={node.description}
        onChange={(v) => setField('description', v)}
      />
    </section>
  );
}
