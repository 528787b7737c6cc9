/**
 * Workflow types: the document as authored ({@link WorkflowDocument}, SPEC §2) and the
 * normalized definition the engine runs ({@link WorkflowDefinition}).
 */
import type { JsonSchema } from './json-schema.js';

/** Backoff strategies of a retry policy. */
export type Backoff = 'fixed' | 'exponential' | 'linear';

/** Approval override of a node (default: from the action's effective risk). */
export type ApprovalMode = 'required' | 'auto';

/** What a failed node does to the run: `fail` it (default) or let dependants `continue`. */
export type OnFailure = 'fail' | 'continue';

/** A node as written in YAML/JSON. Durations are strings such as `30s`. */
export interface WorkflowNodeDocument {
  id: string;
  agent: string;
  action: string;
  description?: string;
  inputs?: Record<string, unknown>;
  dependsOn?: string[];
  when?: string;
  forEach?: string | unknown[];
  retry?: { attempts?: number; backoff?: Backoff; delay?: string; maxDelay?: string };
  timeout?: string;
  approval?: ApprovalMode;
  approvalTimeout?: string;
  onFailure?: OnFailure;
}

/**
 * How a webhook delivery authenticates: `hmac` (default) — an HMAC-SHA256 signature of
 * `<timestamp>.<body>` with the trigger's signing secret; `token` — `Authorization: Bearer <API
 * token>` with at least the operator role in the project.
 */
export type WebhookAuth = 'hmac' | 'token';

/** A trigger as written: exactly one kind key plus that kind's options. */
export interface WorkflowTriggerDocument {
  event?: string;
  when?: string;
  cron?: string;
  timezone?: string;
  catchUp?: 'run' | 'skip';
  webhook?: string;
  /** Webhook triggers: how deliveries authenticate (default `hmac`). */
  auth?: WebhookAuth;
  manual?: Record<string, never> | null;
  alert?: Record<string, string>;
  action?: string;
}

/** Builder layout; `positions` is checked, other keys are kept verbatim for the builder. */
export interface WorkflowUi {
  positions?: Record<string, { x: number; y: number }>;
  [key: string]: unknown;
}

/** A workflow as written in YAML/JSON (SPEC §2). */
export interface WorkflowDocument {
  name: string;
  description?: string;
  inputs?: JsonSchema;
  triggers?: WorkflowTriggerDocument[];
  concurrency?: { limit: number; key?: string };
  timeout?: string;
  nodes: WorkflowNodeDocument[];
  ui?: WorkflowUi;
}

/** Normalized retry policy; `attempts` counts every attempt, the first included. */
export interface RetryPolicy {
  attempts: number;
  backoff: Backoff;
  delayMs: number;
  maxDelayMs: number;
}

/** A normalized node: defaults applied, durations in milliseconds. */
export interface WorkflowNode {
  id: string;
  /** Index of the node in the document's `nodes` array (for problem paths). */
  index: number;
  agent: string;
  action: string;
  description?: string;
  /** Raw inputs, templates unresolved (`{}` when absent). */
  inputs: Record<string, unknown>;
  /** Unique dependency ids, in document order. */
  dependsOn: string[];
  /** `{{ expr }}` condition, evaluated once before the node (and before any fan-out). */
  when?: string;
  /** `{{ expr }}` yielding an array, or a literal array: one attempt chain per item. */
  forEach?: string | unknown[];
  retry: RetryPolicy;
  timeoutMs?: number;
  approval?: ApprovalMode;
  approvalTimeoutMs?: number;
  onFailure: OnFailure;
}

/** A normalized trigger, discriminated by `kind`; `index` is its position in `triggers`. */
export type WorkflowTrigger =
  | { kind: 'event'; index: number; event: string; when?: string }
  | { kind: 'cron'; index: number; cron: string; timezone?: string; catchUp: 'run' | 'skip' }
  | { kind: 'webhook'; index: number; webhook: string; auth: WebhookAuth; when?: string }
  | { kind: 'manual'; index: number }
  | { kind: 'alert'; index: number; alert: Record<string, string>; when?: string }
  | { kind: 'action'; index: number; action: string };

/** The validated, normalized workflow the engine runs. */
export interface WorkflowDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the run input (validated at trigger time), when declared. */
  inputs?: JsonSchema;
  triggers: WorkflowTrigger[];
  concurrency?: { limit: number; key?: string };
  timeoutMs?: number;
  /** Nodes in document order. */
  nodes: WorkflowNode[];
  ui?: WorkflowUi;
  /** The document exactly as received (parsed), for lossless round trips and hashing. */
  source: WorkflowDocument;
}

/** Defaults applied by normalization. */
export const workflowDefaults = {
  retry: { attempts: 1, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 },
  onFailure: 'fail',
  catchUp: 'run',
  webhookAuth: 'hmac',
} as const satisfies {
  retry: RetryPolicy;
  onFailure: OnFailure;
  catchUp: 'run' | 'skip';
  webhookAuth: WebhookAuth;
};
