import { useCallback } from 'react';
import type { ActionMeta } from './catalog.js';
import { Field, type FieldScope } from './field.js';
import { JsonField } from './json-field.js';
import { setKey, updateNode, type Doc, type NodeDoc } from './model.js';
import { TemplateInput } from './template-input.js';

type Update = (fn: (doc: Doc) => Doc, group?: string) => void;

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
  const text = (v: unknown) =>
    v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  const orUndefined = (v: string) => (v.trim() === '' ? undefined : v);
  const num = (v: string) => (v.trim() === '' ? undefined : /^\d+$/.test(v.trim()) ? Number(v) : v);

  return (
    <section aria-labelledby={`bf-settings-${id}`} className="bf-section">
      <h3 id={`bf-settings-${id}`}>Settings</h3>
      <Field
        scope={scope}
        path="when"
        name="Run only when"
        hint="A {{ }} condition; the node is skipped when it is false."
      >
        {(p) => (
          <TemplateInput
            id={p.id}
            value={text(node.when)}
            describedBy={p.describedBy}
            invalid={p.invalid}
            placeholder="{{ nodes.scan.output.critical > 0 }}"
            onChange={(v) => setField('when', orUndefined(v))}
          />
        )}
      </Field>
      <Field
        scope={scope}
        path="forEach"
        name="For each"
        hint="A {{ }} list: the node runs once per item, which templates read as item."
      >
        {(p) =>
          Array.isArray(node.forEach) ? (
            <JsonField
              id={p.id}
              value={node.forEach}
              rows={2}
              describedBy={p.describedBy}
              invalid={p.invalid}
              onChange={(v) => setField('forEach', v)}
            />
          ) : (
            <TemplateInput
              id={p.id}
              value={text(node.forEach)}
              describedBy={p.describedBy}
              invalid={p.invalid}
              placeholder="{{ nodes.scan.output.files }}"
              onChange={(v) => setField('forEach', orUndefined(v))}
            />
          )
        }
      </Field>
      <div className="bf-grid-2">
        <Field scope={scope} path="retry.attempts" name="Attempts" hint="1 = no retry.">
          {(p) => (
            <input
              id={p.id}
              inputMode="numeric"
              value={text(retry.attempts)}
              placeholder="1"
              aria-describedby={p.describedBy}
              aria-invalid={p.invalid || undefined}
              onChange={(e) => setRetry('attempts', num(e.target.value))}
            />
          )}
        </Field>
        <Field scope={scope} path="retry.backoff" name="Backoff" hint="Default: exponential.">
          {(p) => (
            <select
              id={p.id}
              value={retry.backoff ?? ''}
              aria-describedby={p.describedBy}
              onChange={(e) => setRetry('backoff', e.target.value || undefined)}
            >
              <option value="">default</option>
              <option value="exponential">exponential</option>
              <option value="linear">linear</option>
              <option value="fixed">fixed</option>
            </select>
          )}
        </Field>
        <DurationField
          scope={scope}
          path="retry.delay"
          name="Retry delay"
          placeholder="1s"
          value={retry.delay}
          onChange={(v) => setRetry('delay', v)}
        />
        <DurationField
          scope={scope}
          path="retry.maxDelay"
          name="Max delay"
          placeholder="1m"
          value={retry.maxDelay}
          onChange={(v) => setRetry('maxDelay', v)}
        />
        <DurationField
          scope={scope}
          path="timeout"
          name="Timeout"
          placeholder="e.g. 5m"
          value={node.timeout}
          onChange={(v) => setField('timeout', v)}
        />
        <DurationField
          scope={scope}
          path="approvalTimeout"
          name="Approval expiry"
          placeholder="e.g. 1d"
          value={node.approvalTimeout}
          onChange={(v) => setField('approvalTimeout', v)}
        />
      </div>
      <Field scope={scope} path="onFailure" name="On failure">
        {(p) => (
          <select
            id={p.id}
            value={node.onFailure ?? ''}
            aria-describedby={p.describedBy}
            onChange={(e) => setField('onFailure', e.target.value || undefined)}
          >
            <option value="">fail the run (default)</option>
            <option value="continue">continue (dependants still run)</option>
          </select>
        )}
      </Field>
      <Field scope={scope} path="approval" name="Approval">
        {(p) => (
          <select
            id={p.id}
            value={node.approval ?? ''}
            aria-describedby={p.describedBy}
            onChange={(e) => setField('approval', e.target.value || undefined)}
          >
            <option value="">
              from risk
              {meta
                ? ` (${meta.risk === 'high' || meta.risk === 'critical' ? 'needs approval' : 'no approval'})`
                : ''}
            </option>
            <option value="required">always required</option>
            <option value="auto">auto (if the policy allows)</option>
          </select>
        )}
      </Field>
      <Field scope={scope} path="description" name="Description">
        {(p) => (
          <textarea
            id={p.id}
            rows={2}
            value={node.description ?? ''}
            aria-describedby={p.describedBy}
            onChange={(e) => setField('description', e.target.value || undefined)}
          />
        )}
      </Field>
    </section>
  );
}

function DurationField({
  scope,
  path,
  name,
  placeholder,
  value,
  onChange,
}: {
  scope: FieldScope;
  path: string;
  name: string;
  placeholder: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
}) {
  return (
    <Field scope={scope} path={path} name={name}>
      {(p) => (
        <input
          id={p.id}
          value={value ?? ''}
          placeholder={placeholder}
          aria-describedby={p.describedBy}
          aria-invalid={p.invalid || undefined}
          onChange={(e) => onChange(e.target.value.trim() === '' ? undefined : e.target.value)}
        />
      )}
    </Field>
  );
}
