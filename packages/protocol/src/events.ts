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
  'workflow.step.succeeded': StepEventData & { durationMs?: number; items?: number };
  'workflow.step.failed': StepEventData & { error: unknown };
  'workflow.step.skipped': StepEventData & { durationMs?: number };
  'workflow.step.retrying': StepEventData & {
    error: unknown;
    delayMs: number;
    nextAttempt: number;
  };
  'approval.requested': StepEventData & { approvalId: string; expiresInMs: number | null };
  'approval.decided': StepEventData & {
    approvalId: string;
    decision: 'approved' | 'rejected' | 'expired';
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
