/**
 * One line per step event of a followed run (`✓ scan (1.2s)`, `✗ deploy: CC_E_…`, `⏸ …`,
 * `↻ …`), printed once each whether it comes from the live feed or from the run's state.
 */
import type {
  Approval,
  CCEvent,
  HubClient,
  RunDetail,
  StepDetail,
} from '@commandcenter/protocol/client';
import { duration, elapsed, line } from './output.js';

/** `CC_E_…: message` of a step or run error (whatever its shape). */
export function errorText(error: unknown): string {
  if (error === null || error === undefined) return 'failed';
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : undefined;
    if (code || message) return [code, message].filter(Boolean).join(': ');
  }
  return JSON.stringify(error);
}

const finalStepStatuses = new Set(['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped']);

export class StepLines {
  private readonly seen = new Set<string>();

  constructor(private readonly client: HubClient) {}

  /** Prints the line of a live event (run events print nothing here). */
  event(e: CCEvent): void {
    switch (e.type) {
      case 'workflow.step.succeeded':
        return this.succeeded(e.data.stepKey, e.data.durationMs);
      case 'workflow.step.failed':
        return this.failed(e.data.stepKey, e.data.status, e.data.error);
      case 'workflow.step.skipped':
        return this.emit(`skip:${e.data.stepKey}`, `– ${e.data.stepKey} skipped`);
      case 'workflow.step.retrying':
        return this.emit(
          `retry:${e.data.stepKey}:${e.data.attempt}`,
          `↻ ${e.data.stepKey} retrying: attempt ${e.data.nextAttempt} in ${duration(e.data.delayMs)} after ${errorText(e.data.error)}`,
        );
      case 'approval.requested':
        return this.waiting(e.data.stepKey, e.data.approvalId);
      case 'approval.decided':
        return this.decided(e.data.stepKey, e.data.approvalId, e.data.decision, e.data.decidedBy);
      default:
        return;
    }
  }

  /**
   * Prints what already happened to the steps of `run` (the feed only brings what happens after
   * the subscription), in the order the steps finished.
   */
  async fromRun(run: RunDetail): Promise<void> {
    const approvals = run.steps.some((s) => s.approval !== null)
      ? await this.approvalsOf(run.id)
      : [];
    const steps = [...run.steps].sort((a, b) => order(a).localeCompare(order(b)));
    for (const step of steps) {
      for (const a of step.attempts ?? []) {
        if (a.attempt < step.attempt && (a.status === 'failed' || a.status === 'timed_out')) {
          this.emit(
            `retry:${step.key}:${a.attempt}`,
            `↻ ${step.key} retrying: attempt ${a.attempt + 1} after ${errorText(a.error)}`,
          );
        }
      }
      for (const approval of approvals.filter((x) => x.stepKey === step.key)) {
        if (approval.status === 'pending') this.waiting(step.key, approval.id);
        else this.decided(step.key, approval.id, approval.status, approval.decidedBy);
      }
      if (!finalStepStatuses.has(step.status)) continue;
      if (step.status === 'succeeded') {
        this.succeeded(step.key, elapsed(step.startedAt, step.finishedAt));
      } else if (step.status === 'skipped') {
        this.emit(`skip:${step.key}`, `– ${step.key} skipped`);
      } else {
        this.failed(step.key, step.status, step.error);
      }
    }
  }

  private succeeded(stepKey: string, ms: number | undefined): void {
    this.emit(`ok:${stepKey}`, `✓ ${stepKey}${ms === undefined ? '' : ` (${duration(ms)})`}`);
  }

  private failed(stepKey: string, status: string, error: unknown): void {
    // A step cancelled because the run was cancelled says so; other failures show their error.
    const what = status === 'cancelled' ? 'cancelled' : errorText(error);
    this.emit(`fail:${stepKey}`, `✗ ${stepKey}: ${what}`);
  }

  private waiting(stepKey: string, approvalId: string): void {
    this.emit(
      `approval:${approvalId}`,
      `⏸ ${stepKey} waiting for approval ${approvalId} — commandcenter approvals approve ${approvalId}`,
    );
  }

  private decided(
    stepKey: string,
    approvalId: string,
    decision: string,
    by: string | null | undefined,
  ): void {
    // A decision seen first makes the request line pointless.
    this.seen.add(`approval:${approvalId}`);
    const mark = decision === 'approved' ? '▶' : '■';
    this.emit(`decided:${approvalId}`, `${mark} ${stepKey} ${decision}${by ? ` by ${by}` : ''}`);
  }

  private emit(key: string, text: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    line(text);
  }

  private async approvalsOf(runId: string): Promise<Approval[]> {
    const page = await this.client.listApprovals({ status: 'all', limit: 500 });
    return page.items.filter((a) => a.runId === runId);
  }
}

function order(step: StepDetail): string {
  return step.finishedAt ?? step.startedAt ?? '~';
}
