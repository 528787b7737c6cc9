import type { AttemptUsage, StepError } from '@commandcenter/protocol';

/** A step attempt claimed by a worker, as `cc_claim` returns it. */
export interface ClaimedTask {
  runId: string;
  key: string;
  nodeId: string;
  attempt: number;
  maxAttempts: number;
  item: unknown;
  itemIndex: number | null;
  parentKey: string | null;
  approval: 'pending' | 'approved' | null;
  /** Resolved input kept on the step (the approved snapshot after an approval). */
  input: unknown;
  project: string;
  workflow: string;
  version: number;
  runInput: unknown;
  trigger: { type: string; event?: unknown; [k: string]: unknown };
  agentVersions: Record<string, string>;
  leaseExpiresAt: string;
  upstream: Record<string, { output: unknown; status: string }> | null;
}

export type Outcome =
  'succeeded' | 'skipped' | 'failed' | 'timed_out' | 'expand' | 'approval' | 'release';

/** What a worker reports for one attempt; recorded by `cc_complete`, fenced by the lease. */
export interface Completion {
  runId: string;
  key: string;
  attempt: number;
  worker: string;
  outcome: Outcome;
  output?: unknown;
  error?: StepError;
  input?: unknown;
  items?: unknown[];
  snapshot?: unknown;
  expiresInMs?: number | null;
  approvalId?: string;
  /** LLM tokens and cost the attempt reported (stored on its attempts row). */
  usage?: AttemptUsage;
}

export const taskId = (t: { runId: string; key: string; attempt: number }) =>
  `${t.runId}|${t.key}|${t.attempt}`;
