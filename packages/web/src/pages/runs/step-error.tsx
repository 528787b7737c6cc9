import type { StepError } from '@commandcenter/protocol/client';
import { JsonView } from '../../ui/json-view.js';

/** A step's (or run's) failure: what happened, its catalogue code, and the details the hub kept. */
export function StepErrorView({ error, label }: { error: StepError; label: string }) {
  const details = error.details && Object.keys(error.details).length > 0 ? error.details : null;
  return (
    <section className="step-error" aria-label={label}>
      <div className="step-error-head">
        <strong>{error.message}</strong>
      </div>
      <div className="step-error-meta muted">
        <code>{error.code}</code> · {error.type}
        {error.retryable ? ' · retryable' : ''}
      </div>
      {details && <JsonView value={details} label={`${label} details`} maxHeight={180} />}
    </section>
  );
}
