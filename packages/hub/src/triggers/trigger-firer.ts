import { evaluateCondition, isCCError, type Problem } from '@commandcenter/protocol';
import type { Engine } from '../engine/engine.js';
import type { TriggerRow, TriggerStore } from './trigger-store.js';

/** What starting a run from a trigger needs. */
export interface FireRequest {
  /** The run input (validated against the workflow's `inputs` schema). */
  input?: unknown;
  /**
   * Makes firing idempotent: the same key never creates a second run of the workflow (a cron
   * tick, a webhook delivery id, a NATS message id, an alert notification).
   */
  idempotencyKey: string;
  /** Where the firing came from (tick, delivery, subject…): kept in the history and the run. */
  source: Record<string, unknown>;
  /** The event templates and `when` read as `event` (the NATS event, the alert group…). */
  event?: unknown;
}

/** How one firing ended; every one is recorded in the trigger's history. */
export type FireResult =
  | { outcome: 'fired' | 'duplicate'; runId: string }
  | {
      outcome: 'skipped' | 'filtered' | 'rejected';
      reason: string;
      code?: string;
      /** Why the run could not be created, with paths (input failing the `inputs` schema). */
      problems?: Problem[];
    };

/** Longest chain of runs started by other runs' events (a workflow triggering itself stops). */
export const MAX_TRIGGER_DEPTH = 8;

/**
 * Starts the run of a trigger, once per idempotency key: skipped while the trigger is paused,
 * filtered when its `when` is false, rejected (with the reason) when the run cannot be created —
 * input failing the workflow's schema, an archived workflow — and recorded in every case.
 */
export class TriggerFirer {
  constructor(
    private readonly engine: Engine,
    private readonly triggers: TriggerStore,
  ) {}

  async fire(t: TriggerRow, req: FireRequest): Promise<FireResult> {
    const result = await this.decide(t, req);
    await this.triggers.record(t, {
      outcome: result.outcome,
      runId: 'runId' in result ? result.runId : null,
      reason: 'reason' in result ? result.reason : null,
      source: req.source,
    });
    return result;
  }

  private async decide(t: TriggerRow, req: FireRequest): Promise<FireResult> {
    if (t.paused) return { outcome: 'skipped', reason: 'the trigger is paused' };
    const when = 'when' in t.spec ? t.spec.when : undefined;
    if (when) {
      try {
        if (!(await evaluateCondition(when, { event: req.event, input: req.input }, 'when'))) {
          return { outcome: 'filtered', reason: `when ${when} is false` };
        }
      } catch (err) {
        return {
          outcome: 'rejected',
          reason: `when ${when} could not be evaluated: ${String((err as Error).message ?? err)}`,
          ...(isCCError(err) ? { code: err.code } : {}),
        };
      }
    }
    const depth = Number((req.source as { depth?: unknown }).depth ?? 0);
    if (depth > MAX_TRIGGER_DEPTH) {
      return {
        outcome: 'rejected',
        reason: `a chain of ${depth} runs started one another's workflows; stopped at ${MAX_TRIGGER_DEPTH} (a workflow that triggers itself?)`,
      };
    }
    try {
      const run = await this.engine.createRun(t.project, t.workflow, {
        input: req.input ?? {},
        idempotencyKey: req.idempotencyKey,
        trigger: {
          type: t.kind,
          triggerId: t.id,
          ...req.source,
          ...(req.event !== undefined ? { event: req.event } : {}),
        },
      });
      return { outcome: run.created ? 'fired' : 'duplicate', runId: run.id };
    } catch (err) {
      if (!isCCError(err)) throw err;
      const details = err.problems?.map((p) => `${p.path || '(input)'}: ${p.message}`).join('; ');
      return {
        outcome: 'rejected',
        reason: `${err.message}${details ? ` (${details})` : ''}`,
        code: err.code,
        ...(err.problems?.length ? { problems: err.problems } : {}),
      };
    }
  }
}
