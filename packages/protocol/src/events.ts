import type { AttemptUsage } from './execution.js';

/**
 * The one typed event map (SPEC §6). The engine writes these to its outbox; the UI stream, NATS
 * subjects, span names and counters all derive from it.
 */
export const EVENT_TYPES = [
  'workflow.run.queued',
  'workflow.run.started',
  'workflow.run.succeeded',
  'workflow.run.failed',
  'workflow.run.cancelled',
  'workflow.run.timed_out',
  'workflow.step.started',
  'workflow.step.succeeded',
  'workflow.step.failed',
  'workflow.step.skipped',
  'workflow.step.retrying',
  'approval.requested',
  'approval.decided',
  'agent.registered',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export type RunStatus =
  'queued' | 'running' | 'waiting_approval' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

export type StepStatus = RunStatus | 'pending' | 'ready' | 'skipped';

/** Every run status, in lifecycle order. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

interface RunEventData {
  runId: string;
  workflow: string;
  version: number;
  status: RunStatus;
  trigger: string;
  error?: unknown;
  durationMs?: number;
}

/**
 * What an attempt spent, on every event that ends one (a completion or a lost lease): its wall
 * time and, when the agent reported it, its usage. Events that end no attempt (an approval
 * rejected or expired, a forEach node closing) carry neither.
 */
interface AttemptSpent {
  durationMs?: number;
  usage?: AttemptUsage;
}

interface StepEventData {
  runId: string;
  workflow: string;
  version: number;
  nodeId: string;
  stepKey: string;
  agent: string | null;
  action: string | null;
  attempt: number;
  status: StepStatus;
}

/** Payload of each event type. */
export interface EventMap {
  'workflow.run.queued': RunEventData;
  'workflow.run.started': RunEventData;
  'workflow.run.succeeded': RunEventData;
  'workflow.run.failed': RunEventData;
  'workflow.run.cancelled': RunEventData;
  'workflow.run.timed_out': RunEventData;
  'workflow.step.started': StepEventData & { worker: string };
  'workflow.step.succeeded': StepEventData & AttemptSpent & { items?: number };
  'workflow.step.failed': StepEventData & AttemptSpent & { error: unknown };
  'workflow.step.skipped': StepEventData & AttemptSpent;
  'workflow.step.retrying': StepEventData &
    AttemptSpent & {
      error: unknown;
      delayMs: number;
      nextAttempt: number;
    };
  'approval.requested': StepEventData & { approvalId: string; expiresInMs: number | null };
  'approval.decided': StepEventData & {
    approvalId: string;
    /** `cancelled`: the run ended (failed, cancelled, timed out) while the approval was pending. */
    decision: 'approved' | 'rejected' | 'expired' | 'cancelled';
    /** Request to decision, in milliseconds. */
    waitMs?: number;
    decidedBy?: string;
    comment?: string | null;
  };
  'agent.registered': { name: string; version: string; type: string; created: boolean };
}

/** One stored event, as the outbox hands it out. `id` orders events and resumes streams. */
export type CCEvent = {
  [K in EventType]: {
    id: number;
    project: string;
    type: K;
    runId: string | null;
    data: EventMap[K];
    time: string;
  };
}[EventType];
