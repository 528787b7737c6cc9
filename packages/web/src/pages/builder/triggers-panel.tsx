import type { WorkflowTriggerDocument } from '@commandcenter/protocol/client';
import { useCallback, useContext, useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useProject } from '../../app/session.js';
import { Field, type FieldScope } from './field.js';
import { optional, SelectField, TemplateField, TextField } from './fields.js';
import { setKey, type Doc } from './model.js';
import { SuggestionsContext } from './template-input.js';

type Update = (fn: (doc: Doc) => Doc, group?: string) => void;
type Kind = 'manual' | 'cron' | 'webhook' | 'event' | 'alert' | 'action';

const kinds: { kind: Kind; label: string; hint: string }[] = [
  { kind: 'manual', label: 'Manual', hint: 'Started from the UI, the API or the CLI.' },
  { kind: 'cron', label: 'Schedule (cron)', hint: 'Runs on a schedule, with an empty input.' },
  {
    kind: 'webhook',
    label: 'Webhook',
    hint: 'A signed POST to /hooks/<project>/<name> starts a run with its body as input.',
  },
  {
    kind: 'event',
    label: 'Event',
    hint: 'A message on the event bus whose subject matches the pattern.',
  },
  { kind: 'alert', label: 'Alert', hint: 'An Alertmanager notification whose labels all match.' },
  {
    kind: 'action',
    label: 'UI action',
    hint: 'A named action that operators run from the API or the UI.',
  },
];

function kindOf(t: WorkflowTriggerDocument): Kind | undefined {
  return kinds.find((k) => t && typeof t === 'object' && k.kind in t)?.kind;
}

function fresh(kind: Kind, doc: Doc): WorkflowTriggerDocument {
  const name = doc.name || 'incoming';
  switch (kind) {
    case 'manual':
      return { manual: {} };
    case 'cron':
      return { cron: '0 3 * * *' };
    case 'webhook':
      return { webhook: name };
    case 'event':
      return { event: 'workflow.run.failed' };
    case 'alert':
      return { alert: {} };
    case 'action':
      return { action: name };
  }
}

let zones: string[] | undefined;
/** IANA time zones the browser knows, for the cron trigger's suggestions. */
function timeZones(): string[] {
  zones ??=
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  return zones;
}

/**
 * The workflow's triggers (docs/triggers.md): add, edit and remove manual, cron (with time zone),
 * webhook, event (subject and when), alert and action triggers.
 */
export function TriggersPanel({
  doc,
  update,
  scope,
}: {
  doc: Doc;
  update: Update;
  scope: FieldScope;
}) {
  const triggers = Array.isArray(doc.triggers) ? doc.triggers : [];
  const [adding, setAdding] = useState<Kind>('manual');
  const addId = useId();
  const setTriggers = (
    fn: (ts: WorkflowTriggerDocument[]) => WorkflowTriggerDocument[],
    group?: string,
  ) =>
    update((d) => {
      const next = fn(Array.isArray(d.triggers) ? d.triggers : []);
      return setKey(d, 'triggers', next.length ? next : undefined);
    }, group);
  const setOne = (i: number, key: keyof WorkflowTriggerDocument, value: unknown) =>
    setTriggers(
      (ts) => ts.map((t, j) => (j === i ? setKey(t, key, value) : t)),
      `trigger.${i}.${key}`,
    );

  // A trigger's `when` reads the event and the run input it would start, nothing else.
  const workflowSuggestions = useContext(SuggestionsContext);
  const suggestions = useCallback(
    () => [
      { value: 'event', detail: 'what fired the trigger (body, headers, payload…)' },
      ...workflowSuggestions().filter((s) => s.value === 'input' || s.value.startsWith('input.')),
    ],
    [workflowSuggestions],
  );
  return (
    <SuggestionsContext.Provider value={suggestions}>
      <section className="bf-section" aria-labelledby="bf-triggers">
        <h3 id="bf-triggers">Triggers</h3>
        {triggers.length === 0 && (
          <p className="muted">
            No trigger: runs start only from the API. Add a manual trigger to run it from the UI and
            the CLI.
          </p>
        )}
        <ol className="bf-triggers">
          {triggers.map((t, i) => {
            const kind = kindOf(t);
            const info = kinds.find((k) => k.kind === kind);
            return (
              <li key={i} className="bf-trigger">
                <div className="bf-panel-title">
                  <strong>{info?.label ?? 'Unknown trigger'}</strong>
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={`Remove trigger ${i + 1} (${info?.label ?? 'unknown'})`}
                    onClick={() => setTriggers((ts) => ts.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                </div>
                {info && <p className="field-hint">{info.hint}</p>}
                <TriggerFields trigger={t} index={i} kind={kind} scope={scope} setOne={setOne} />
              </li>
            );
          })}
        </ol>
        <div className="row">
          <label htmlFor={addId} className="visually-hidden">
            Kind of trigger to add
          </label>
          <select id={addId} value={adding} onChange={(e) => setAdding(e.target.value as Kind)}>
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setTriggers((ts) => [...ts, fresh(adding, doc)])}
          >
            Add trigger
          </button>
        </div>
        <p className="field-hint">
          State, history and webhook secrets of saved triggers are on the{' '}
          <Link to="/triggers">Triggers</Link> page.
        </p>
      </section>
    </SuggestionsContext.Provider>
  );
}

function TriggerFields({
  trigger,
  index,
  kind,
  scope,
  setOne,
}: {
  trigger: WorkflowTriggerDocument;
  index: number;
  kind: Kind | undefined;
  scope: FieldScope;
  setOne: (i: number, key: keyof WorkflowTriggerDocument, value: unknown) => void;
}) {
  const project = useProject();
  const base = `triggers[${index}]`;
  const text = (
    key: keyof WorkflowTriggerDocument,
    name: string,
    opts: { placeholder?: string; hint?: string } = {},
  ) => (
    <TextField
      scope={scope}
      path={`${base}.${key}`}
      name={name}
      hint={opts.hint}
      placeholder={opts.placeholder}
      value={typeof trigger[key] === 'string' ? trigger[key] : ''}
      onChange={(v) => setOne(index, key, v)}
    />
  );
  const when = (hint: string) => (
    <TemplateField
      scope={scope}
      path={`${base}.when`}
      name="Only when"
      hint={hint}
      value={trigger.when}
      placeholder="{{ event.… }}"
      onChange={(v) => setOne(index, 'when', v)}
    />
  );
  const labels = useMemo(
    () =>
      Object.entries(trigger.alert ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    [trigger.alert],
  );
  switch (kind) {
    case 'cron':
      return (
        <>
          {text('cron', 'Schedule', {
            placeholder: '0 3 * * *',
            hint: 'minute hour day month weekday (or 6 fields, seconds first; @daily…).',
          })}
          <TextField
            scope={scope}
            path={`${base}.timezone`}
            name="Time zone"
            hint="Default UTC."
            placeholder="UTC"
            suggestions={timeZones()}
            value={trigger.timezone}
            onChange={(v) => setOne(index, 'timezone', optional(v))}
          />
          <SelectField
            scope={scope}
            path={`${base}.catchUp`}
            name="Missed ticks"
            value={trigger.catchUp}
            options={[
              ['', 'run once for the latest (default)'],
              ['skip', 'skip them'],
            ]}
            onChange={(v) => setOne(index, 'catchUp', v)}
          />
        </>
      );
    case 'webhook':
      return (
        <>
          {text('webhook', 'Name', {
            hint: `Deliveries go to POST /hooks/${project}/${trigger.webhook || '<name>'}.`,
          })}
          <SelectField
            scope={scope}
            path={`${base}.auth`}
            name="Authentication"
            value={trigger.auth}
            options={[
              ['', 'HMAC signature (default)'],
              ['token', 'API token (operator)'],
            ]}
            onChange={(v) => setOne(index, 'auth', v)}
          />
          {when('JSONata over event (body, headers) and input; false records "filtered".')}
        </>
      );
    case 'event':
      return (
        <>
          {text('event', 'Subject pattern', {
            placeholder: 'audit.*.fail',
            hint: '* matches one token, > the rest.',
          })}
          {when('JSONata over event (the message payload).')}
        </>
      );
    case 'alert':
      return (
        <>
          <Field
            scope={scope}
            path={`${base}.alert`}
            name="Labels"
            hint="One name=value per line; all must match."
          >
            {(p) => (
              <textarea
                id={p.id}
                rows={2}
                defaultValue={labels}
                key={labels}
                placeholder="alertname=HighErrorRate"
                aria-describedby={p.describedBy}
                aria-invalid={p.invalid || undefined}
                onBlur={(e) => {
                  const entries = e.target.value
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean)
                    .map((l) => {
                      const eq = l.indexOf('=');
                      return eq < 0 ? [l, ''] : [l.slice(0, eq).trim(), l.slice(eq + 1).trim()];
                    });
                  setOne(index, 'alert', Object.fromEntries(entries));
                }}
              />
            )}
          </Field>
          {when('JSONata over event (the alert group).')}
        </>
      );
    case 'action':
      return text('action', 'Action name', { hint: 'Bound workflows run when the action is run.' });
    case 'manual':
      return null;
    default:
      return <p className="field-error">This trigger has no known kind; fix it in the YAML tab.</p>;
  }
}
