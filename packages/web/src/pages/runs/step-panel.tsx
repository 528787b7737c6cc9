import type { RunDetail, StepDetail } from '@commandcenter/protocol/client';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { durationBetween, formatDuration, formatTime } from '../../ui/format.js';
import { JsonView } from '../../ui/json-view.js';
import { StatusBadge } from '../../ui/status.js';
import { Tabs } from '../../ui/tabs.js';
import { ApprovalLink } from './approval-link.js';
import { AttemptsTable } from './attempts-table.js';
import { LogView } from './log-view.js';
import { linesOfStep, type LogSnapshot } from './run-logs.js';
import { StepErrorView } from './step-error.js';
import { itemSteps } from './step-model.js';

type Tab = 'input' | 'output' | 'attempts';

/**
 * The selected step: status, agent and action, times, error, approval, forEach items, its
 * resolved input, output and attempts, and its logs streaming live. Without a selection: the
 * run's input, output and error, and the whole run's log.
 */
export function StepPanel({
  run,
  selected,
  onSelect,
  logs,
  now,
  onRetryLogs,
}: {
  run: RunDetail;
  selected: string | null;
  onSelect: (key: string) => void;
  logs: LogSnapshot;
  now: number;
  onRetryLogs: () => void;
}) {
  const step = selected ? run.steps.find((s) => s.key === selected) : undefined;
  const lines = useMemo(
    () => (step ? linesOfStep(logs.lines, step.key) : logs.lines),
    [logs.lines, step],
  );
  const logStatus = <LogStatus logs={logs} onRetry={onRetryLogs} />;
  if (!step) {
    return (
      <section className="step-panel card" aria-label="Run details">
        <h2>Run details</h2>
        <p className="muted">
          Select a step in the graph or the timeline to see its resolved input, output, attempts and
          logs.
        </p>
        {run.error && <StepErrorView error={run.error} label="Run error" />}
        <h3>Run input</h3>
        <JsonView value={run.input} label="Run input" maxHeight={180} />
        <h3 className="step-panel-gap">Run output</h3>
        <JsonView value={run.output} label="Run output" maxHeight={180} />
        <div className="step-panel-logs-head">
          <h3>Logs</h3>
          {logStatus}
        </div>
        <LogView lines={lines} nodeId="the run" emptyText="No step has written a log line yet." />
      </section>
    );
  }
  return (
    <section className="step-panel card" aria-labelledby="step-panel-title">
      <div className="step-panel-head">
        <h2 id="step-panel-title">
          Step <span className="mono">{step.key}</span>
        </h2>
        <StatusBadge status={step.status} />
      </div>
      <StepProps run={run} step={step} now={now} onSelect={onSelect} />
      {step.error && <StepErrorView error={step.error} label={`Error of ${step.key}`} />}
      <ItemsList run={run} step={step} onSelect={onSelect} />
      <StepTabs step={step} now={now} />
      <div className="step-panel-logs-head">
        <h3>Logs</h3>
        {logStatus}
      </div>
      <LogView
        key={step.key}
        lines={lines}
        nodeId={step.nodeId}
        emptyText={
          step.attempts.length
            ? 'This step wrote no log line yet.'
            : 'The step has not started yet.'
        }
      />
    </section>
  );
}

function StepProps({
  run,
  step,
  now,
  onSelect,
}: {
  run: RunDetail;
  step: StepDetail;
  now: number;
  onSelect: (key: string) => void;
}) {
  const version = step.agent ? run.agentVersions[step.agent] : undefined;
  return (
    <dl className="props step-props">
      <dt>Action</dt>
      <dd>
        {step.agent ? (
          <>
            <Link to={`/agents/${encodeURIComponent(step.agent)}`}>{step.agent}</Link>.{step.action}
            {version && <span className="muted"> · v{version}</span>}
          </>
        ) : (
          '—'
        )}
      </dd>
      {step.parentKey !== null && (
        <>
          <dt>Item</dt>
          <dd>
            #{step.itemIndex} of{' '}
            <button type="button" className="link-btn" onClick={() => onSelect(step.parentKey!)}>
              {step.parentKey}
            </button>
          </dd>
        </>
      )}
      <dt>Attempt</dt>
      <dd>
        {step.attempt} of {step.maxAttempts}
      </dd>
      <dt>Started</dt>
      <dd>{formatTime(step.startedAt)}</dd>
      <dt>Duration</dt>
      <dd>
        {formatDuration(step.durationMs ?? durationBetween(step.startedAt, step.finishedAt, now))}
      </dd>
      {step.approval && (
        <>
          <dt>Approval</dt>
          <dd>
            <ApprovalLink runId={run.id} stepKey={step.key} />
          </dd>
        </>
      )}
    </dl>
  );
}

function ItemsList({
  run,
  step,
  onSelect,
}: {
  run: RunDetail;
  step: StepDetail;
  onSelect: (key: string) => void;
}) {
  const items = itemSteps(run, step.key);
  if (items.length === 0) return null;
  return (
    <details className="step-items" open={items.length <= 12}>
      <summary>
        {items.length} forEach {items.length === 1 ? 'item' : 'items'}
      </summary>
      <ul>
        {items.map((i) => (
          <li key={i.key}>
            <button type="button" className="link-btn" onClick={() => onSelect(i.key)}>
              {i.key}
            </button>
            <StatusBadge status={i.status} />
            <span className="muted">{formatDuration(i.durationMs)}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function StepTabs({ step, now }: { step: StepDetail; now: number }) {
  const [tab, setTab] = useState<Tab>('input');
  const lastInput = step.input ?? step.attempts.at(-1)?.input ?? null;
  return (
    <div className="step-tabs">
      <Tabs
        label={`Details of ${step.key}`}
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'input', label: 'Resolved input' },
          { id: 'output', label: 'Output' },
          { id: 'attempts', label: `Attempts (${step.attempts.length})` },
        ]}
      >
        {tab === 'input' &&
          (lastInput === null ? (
            <p className="muted">
              Resolved when the step starts (templates filled in, secrets hidden).
            </p>
          ) : (
            <JsonView value={lastInput} label={`Resolved input of ${step.key}`} maxHeight={220} />
          ))}
        {tab === 'output' &&
          (step.output === null ? (
            <p className="muted">
              {step.status === 'succeeded' ? 'The step returned no output.' : 'No output yet.'}
            </p>
          ) : (
            <JsonView value={step.output} label={`Output of ${step.key}`} maxHeight={220} />
          ))}
        {tab === 'attempts' && <AttemptsTable attempts={step.attempts} now={now} />}
      </Tabs>
    </div>
  );
}

function LogStatus({ logs, onRetry }: { logs: LogSnapshot; onRetry: () => void }) {
  if (logs.state === 'error') {
    return (
      <span className="row logs-state">
        <span className="badge badge-bad">Log stream lost</span>
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Reconnect
        </button>
      </span>
    );
  }
  const label = { connecting: 'Connecting…', live: 'Streaming live', ended: 'Complete' }[
    logs.state
  ];
  return <span className={`muted logs-state logs-${logs.state}`}>{label}</span>;
}
