import type { AgentManifest, AgentTestLog, AgentTestResult } from '@commandcenter/protocol/client';
import { isCCError } from '@commandcenter/protocol/client';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useClient } from '../../api/client.js';
import { parseJsonInput } from '../../api/json-input.js';
import { Dialog, FormActions } from '../../ui/dialog.js';
import { formatDuration } from '../../ui/format.js';
import { JsonView } from '../../ui/json-view.js';
import { RiskBadge } from '../../ui/status.js';
import { useToast } from '../../ui/toast.js';
import { Field } from '../../ui/form-field.js';
import { exampleInput } from './schema-props.js';

const logText = (l: AgentTestLog) => (typeof l === 'string' ? l : l.line);

/**
 * Runs one action of the agent once, outside any workflow (`POST /agents/{name}/test`): pick the
 * action, edit the JSON input (prefilled from the input schema), see output or error, logs and
 * duration. The action really runs — a risky one does what it says.
 */
export function TestActionDialog({
  open,
  manifest,
  initialAction,
  onClose,
}: {
  open: boolean;
  manifest: AgentManifest;
  initialAction?: string;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={`Test ${manifest.name}`} onClose={onClose}>
      {open && <TestForm manifest={manifest} initialAction={initialAction} onClose={onClose} />}
    </Dialog>
  );
}

function TestForm({
  manifest,
  initialAction,
  onClose,
}: {
  manifest: AgentManifest;
  initialAction?: string;
  onClose: () => void;
}) {
  const client = useClient();
  const toast = useToast();
  const names = Object.keys(manifest.actions);
  const [action, setAction] = useState(initialAction ?? names[0] ?? '');
  const inputFor = (a: string) => JSON.stringify(exampleInput(manifest.actions[a]?.input), null, 2);
  const [text, setText] = useState(() => inputFor(action));
  const [parseError, setParseError] = useState<string | null>(null);
  const test = useMutation({
    mutationFn: (input: unknown) =>
      client.testAgent(manifest.name, { action, input, version: manifest.version }),
    onError: (err) => toast.error(err, 'The test did not run'),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = parseJsonInput(text);
    setParseError(input.ok ? null : input.error);
    if (input.ok) test.mutate(input.value);
  };
  const spec = manifest.actions[action];
  const invalid = isCCError(test.error) ? test.error.problems : [];
  return (
    <form onSubmit={submit} className="agent-test">
      <div className="agent-test-row">
        <label className="field">
          <span>Action</span>
          <select
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              setText(inputFor(e.target.value));
              test.reset();
            }}
          >
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span className="muted agent-test-version">
          version <span className="mono">{manifest.version}</span> · risk{' '}
          <RiskBadge risk={spec?.risk ?? manifest.risk} />
        </span>
      </div>
      {spec?.description && <p className="muted agent-test-desc">{spec.description}</p>}
      <Field
        label="Input (JSON)"
        error={
          parseError ??
          (invalid.length
            ? invalid.map((p, i) => (
                <span key={i} className="agent-test-problem">
                  {p.path ? <code>{p.path}</code> : null} {p.message}
                </span>
              ))
            : undefined)
        }
      >
        {(control) => (
          <textarea
            {...control}
            rows={7}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
          />
        )}
      </Field>
      {(spec?.risk ?? manifest.risk) !== 'low' && (
        <p className="field-hint">
          This really runs the action, without an approval: test risky actions on harmless targets.
        </p>
      )}
      {test.data && <TestResult result={test.data} />}
      <FormActions
        onCancel={onClose}
        cancelLabel="Close"
        submitLabel="Run test"
        busyLabel="Running…"
        busy={test.isPending}
        disabled={!action}
      />
    </form>
  );
}

function TestResult({ result: r }: { result: AgentTestResult }) {
  return (
    <section className="agent-test-result" aria-label="Test result" aria-live="polite">
      <div className="row">
        <span className={`badge ${r.ok ? 'badge-ok' : 'badge-bad'}`}>
          <span className="badge-dot" aria-hidden="true" />
          {r.ok ? 'Succeeded' : 'Failed'}
        </span>
        <span className="muted">in {formatDuration(r.durationMs)}</span>
      </div>
      {r.ok ? (
        <>
          <h3>Output</h3>
          <JsonView value={r.output} label="Test output" maxHeight={200} />
        </>
      ) : (
        r.error && (
          <div className="agent-test-error">
            <h3>Error</h3>
            <p>
              <code>{r.error.code}</code> {r.error.message}
            </p>
            {r.error.details && (
              <JsonView value={r.error.details} label="Error details" maxHeight={160} />
            )}
          </div>
        )
      )}
      <h3>Logs</h3>
      {r.logs.length ? (
        <pre role="log" aria-label="Test logs" className="agent-test-logs" tabIndex={0}>
          {r.logs.map(logText).join('\n')}
        </pre>
      ) : (
        <p className="muted">The action wrote no log line.</p>
      )}
    </section>
  );
}
