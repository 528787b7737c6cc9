import type { StepError } from '@commandcenter/protocol';

/**
 * The StepError an attempt's signal was aborted with (the engine aborts with one: timeout,
 * cancellation, shutdown), or a generic cancellation.
 */
export function abortReason(signal: AbortSignal): StepError {
  const r = signal.reason as Partial<StepError> | undefined;
  if (r && typeof r === 'object' && typeof r.code === 'string' && typeof r.type === 'string')
    return r as StepError;
  return {
    type: 'cancelled',
    code: 'CC_E_STEP_CANCELLED',
    retryable: false,
    message: 'the attempt was cancelled',
  };
}
