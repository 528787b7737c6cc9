/**
 * Bodies of the REST API (`docs/api.md`), as the hub answers them. Times are ISO 8601 strings,
 * ids are UUIDs, names are camelCase.
 */
import type { AgentManifest, AgentType, Risk } from '../agent-types.js';
import type { Problem } from '../errors.js';
import type { CCEvent, EventType, RunStatus, StepStatus } from '../events.js';
import type { AttemptUsage, StepError } from '../execution.js';
import type { ProjectSettings, ProjectSettingsPatch } from '../project-settings.js';
import type { WorkflowDefinition, WorkflowDocument } from '../workflow-types.js';

/** Token roles, weakest first. */
export type Role = 'viewer' | 'operator' | 'approver' | 'admin';

/** A page of a list: pass `nextCursor` as `cursor` to get the next one (`null`: last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** Paging of list routes. */
export interface PageQuery {
  cursor?: string;
  /** 1–500, default 50. */
  limit?: number;
}

export interface Health {
  status: 'ok';
}

export interface Readiness {
  status: 'ready';
}

/** `GET /api/v1/ui/config`: settings the web UI adapts to. */
export interface UiConfig {
  /** Link of a trace in the tracing UI, `{traceId}` to be replaced; null when not configured. */
  traceUrlTemplate: string | null;
}

export interface WhoAmI {
  tokenId: string;
  name: string;
  role: Role;
  /** `null` for a hub-wide token. */
  project: string | null;
}

/** `POST /api/v1/session`: the caller and when the session cookie expires. */
export interface SessionOpened extends WhoAmI {
  expiresAt: string;
}

export interface SessionClosed {
  loggedOut: true;
}

export interface ProjectSummary {
  name: string;
  createdAt: string;
}

export interface ProjectDetail extends ProjectSummary {
  workflows: number;
  agents: number;
  runs: number;
  /** Effective settings (defaults for what the project does not set). */
  settings: ProjectSettings;
}

export interface ProjectSettingsView {
  effective: ProjectSettings;
  /** Only what the project set itself. */
  stored: ProjectSettingsPatch;
}

// --- agents -----------------------------------------------------------------------------------

export interface AgentApplied {
  name: string;
  version: string;
  /** `false` when the same manifest was registered before (HTTP 200 instead of 201). */
  created: boolean;
  manifest: AgentManifest;
}

export interface AgentSummary {
  name: string;
  version: string;
  type: AgentType;
  risk: Risk;
  description?: string | null;
  /** Action names. */
  actions: string[];
  /** How many versions are registered. */
  versions: number;
  updatedAt: string;
}

/** How an agent has been doing: its latest (≤ 500) finished steps of the last 24 hours. */
export interface AgentHealth {
  attempts: number;
  failures: number;
  /** failures / attempts, 0 when there were none. */
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** Attempts running now. */
  running: number;
  /** `healthy` (error rate < 10 %), `degraded` (< 50 %), `failing`, or `unknown` (no attempts). */
  status: 'healthy' | 'degraded' | 'failing' | 'unknown';
}

/**
 * What attempts cost: compute = their wall time × the hub's `CC_COMPUTE_COST_PER_SECOND`, LLM =
 * the cost they reported from their agents' token prices. Amounts in US dollars.
 */
export interface CostSummary {
  computeSeconds: number;
  computeUsd: number;
  llmUsd: number;
  /** computeUsd + llmUsd. */
  totalUsd: number;
  tokensIn: number;
  tokensOut: number;
}

export interface AgentDetail {
  name: string;
  /** The latest version's manifest. */
  manifest: AgentManifest;
  versions: { version: string; createdAt: string }[];
  health: AgentHealth;
  /** The cost of the attempts `health` is computed from (same window). */
  cost: CostSummary;
}

export interface AgentVersionDetail {
  name: string;
  version: string;
  manifest: AgentManifest;
  createdAt: string;
}

export interface AgentTestRequest {
  action: string;
  input?: unknown;
  /** An agent version; the latest by default. */
  version?: string;
}

/** One log line an agent wrote while it was tested. */
export type AgentTestLog = string | { ts?: string; line: string };

export interface AgentTestResult {
  ok: boolean;
  output?: unknown;
  error?: StepError;
  logs: AgentTestLog[];
  durationMs: number;
}

// --- workflows --------------------------------------------------------------------------------

export interface WorkflowApplied {
  name: string;
  version: number;
  /** `false` when the content equals the latest version (HTTP 200 instead of 201). */
  created: boolean;
  definition: WorkflowDefinition;
}

export interface WorkflowValidateResult {
  ok: true;
  name: string;
  definition: WorkflowDefinition;
  /** `CC_W_…` findings; the workflow is valid anyway. */
  warnings: Problem[];
}

/** What the workflows page shows of a workflow's recent runs (latest by creation). */
export interface WorkflowStats {
  /** The latest run, whatever its status; `null` when the workflow never ran. */
  lastRun: { id: string; status: RunStatus; createdAt: string; finishedAt: string | null } | null;
  /** Finished runs considered (the latest 50 at most). */
  runs: number;
  /** Succeeded / finished over those runs (0..1); `null` when none has finished. */
  successRate: number | null;
  /** Durations of the latest 20 finished runs that started, oldest first (for a sparkline). */
  recentDurationsMs: number[];
}

export interface WorkflowSummary {
  name: string;
  latestVersion: number;
  description?: string | null;
  archived: boolean;
  updatedAt: string;
  stats: WorkflowStats;
}

export interface WorkflowVersionSummary {
  version: number;
  hash: string;
  createdAt: string;
}

export interface WorkflowDetail {
  name: string;
  latestVersion: number;
  archived: boolean;
  definition: WorkflowDefinition;
  /** The document as it was applied (parsed: YAML comments and layout are not kept). */
  source: WorkflowDocument;
  versions: WorkflowVersionSummary[];
}

export interface WorkflowVersionDetail {
  name: string;
  version: number;
  hash: string;
  definition: WorkflowDefinition;
  source: WorkflowDocument;
  createdAt: string;
}

export interface WorkflowChange {
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface WorkflowDiff {
  name: string;
  from: number;
  to: number;
  changes: WorkflowChange[];
  /** Unified diff of the two versions' YAML. */
  patch: string;
}

export interface WorkflowArchived {
  name: string;
  archived: true;
}

// --- runs -------------------------------------------------------------------------------------

export interface StartRunRequest {
  workflow: string;
  input?: unknown;
  /** A workflow version; the latest by default. */
  version?: number;
}

export interface RunCreated {
  id: string;
  /** `false` when an earlier request with the same `Idempotency-Key` created the run. */
  created: boolean;
  status: RunStatus;
  workflow: string;
  version: number;
}

export interface RunRerun extends RunCreated {
  rerunOf: string;
}

export interface RerunRequest {
  /** `failed` (default) reuses the outputs of the steps that succeeded. */
  from?: 'failed' | 'scratch';
  /** `pinned` (default): the version of the original run. */
  version?: 'pinned' | 'latest';
}

/** What started a run: a type (`manual`, `api`, `cron`, `webhook`, `event`, `rerun`…) and its details. */
export type RunTrigger = string | { type: string; [key: string]: unknown };

export interface RunSummary {
  id: string;
  project: string;
  workflow: string;
  version: number;
  status: RunStatus;
  trigger: RunTrigger;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  rerunOf: string | null;
  /**
   * The run's W3C trace id (its spans in the tracing UI): the trace of the request that started
   * it when that carried a `traceparent`, else the run id without dashes.
   */
  traceId: string;
}

export interface RunQuery extends PageQuery {
  workflow?: string;
  status?: RunStatus;
  /** How the runs were started: manual, cron, webhook, event, alert, action or rerun. */
  trigger?: string;
}

export interface AttemptDetail {
  attempt: number;
  worker: string | null;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: StepError | null;
  /** LLM tokens and cost the attempt reported. */
  usage: AttemptUsage | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface StepDetail {
  key: string;
  nodeId: string;
  parentKey: string | null;
  itemIndex: number | null;
  status: StepStatus;
  agent: string | null;
  action: string | null;
  attempt: number;
  maxAttempts: number;
  /** `null`, or the approval state of a gated step (`pending`, `approved`). */
  approval: string | null;
  input: unknown;
  output: unknown;
  error: StepError | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  attempts: AttemptDetail[];
}

export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  error: StepError | null;
  /** How a re-run started (`failed`, `scratch`), `null` for other runs. */
  rerunMode: string | null;
  /** Agent name → the version the run pinned. */
  agentVersions: Record<string, string>;
  steps: StepDetail[];
  /** The cost of every finished attempt of the run (a running attempt counts once it ends). */
  cost: CostSummary;
}

export interface LogLine {
  id: string;
  stepKey: string;
  attempt: number;
  ts: string;
  line: string;
}

/**
 * Paging of `GET /runs/{id}/logs`. Its `nextCursor` points after the last line read (it is only
 * `null` when there is no line at all), so it also serves to poll for new lines.
 */
export interface LogQuery extends PageQuery {
  /** Only the lines of this step key. */
  step?: string;
}

/** A line of `GET /runs/{id}/logs/stream`, with the cursor to resume after it. */
export interface FollowedLogLine extends LogLine {
  cursor: string;
}

export interface RunCancelled {
  id: string;
  status: 'cancelled';
}

// --- approvals --------------------------------------------------------------------------------

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface Approval {
  id: string;
  project: string;
  runId: string;
  workflow: string | null;
  stepKey: string;
  nodeId: string | null;
  status: ApprovalStatus;
  /** What will run: the resolved inputs and upstream outputs the approver decides on. */
  snapshot: ApprovalSnapshot;
  requestedAt: string;
  expiresAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
}

/** Taken when the approval is requested, with secrets redacted (`***`). */
export interface ApprovalSnapshot {
  agent: string;
  /** The agent version the run pinned. */
  agentVersion: string;
  action: string;
  /** The effective risk of the action. */
  risk: Risk;
  /** The resolved inputs exactly as they will run (forEach: `{ forEach: items, inputs }`). */
  input: unknown;
  /** Outputs of the nodes the step depends on: node id → `{ output }`. */
  upstream: Record<string, { output: unknown }>;
  /** forEach nodes: the items the step will run over. */
  items?: unknown[];
}

export interface ApprovalQuery {
  /** Default `pending`. */
  status?: ApprovalStatus | 'all';
  /** 1–500, default 100. */
  limit?: number;
}

export interface ApprovalDecision {
  id: string;
  status: 'approved' | 'rejected';
}

// --- stats ------------------------------------------------------------------------------------

/** Windows of `GET /api/v1/stats/overview` (buckets of 60 s, 300 s, 900 s and 3600 s). */
export type OverviewWindow = '1h' | '6h' | '24h' | '7d';

/** The runs created in one bucket, by their current status, and their durations. */
export interface OverviewBucket {
  /** Start of the bucket (ISO). */
  t: string;
  queued: number;
  /** Running or waiting for an approval. */
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  timedOut: number;
  /** Percentiles of the durations (started → finished) of its finished runs; `null`: none. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** The UI's overview charts, from the hub's store (no Prometheus needed). */
export interface OverviewStats {
  window: OverviewWindow;
  bucketSeconds: number;
  /** Start of the first bucket. */
  from: string;
  /** End of the last bucket (the one that holds now). */
  to: string;
  /** Every bucket of the window, oldest first, zeros included. */
  buckets: OverviewBucket[];
  totals: {
    runs: number;
    queued: number;
    running: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    timedOut: number;
    /** Succeeded / finished; `null` when none has finished. */
    successRate: number | null;
  };
  /** Up to 5, most failures first; `failed` counts runs that failed or timed out. */
  topFailingWorkflows: { workflow: string; runs: number; failed: number; failureRate: number }[];
  /** Up to 5 by failed attempts (failed, timed out or lost) of the window's runs. */
  topFailingAgents: {
    agent: string;
    action: string;
    attempts: number;
    failed: number;
    errorRate: number;
  }[];
  /** Approvals of the project waiting for a decision now. */
  pendingApprovals: number;
}

// --- tokens, secrets, audit ------------------------------------------------------------------

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  project: string | null;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreateTokenRequest {
  name: string;
  role: Role;
  /** Omit for a hub-wide token. */
  project?: string;
  /** A duration such as `30d` or `12h`; omit for a token that never expires. */
  expiresIn?: string;
}

export interface TokenCreated extends TokenInfo {
  /** The secret token, shown this once. */
  token: string;
}

export interface TokenRevoked {
  id: string;
  revoked: true;
}

export interface SecretInfo {
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SecretSet {
  name: string;
  version: number;
  created: boolean;
}

export interface SecretRotated {
  name: string;
  version: number;
}

export interface SecretDeleted {
  name: string;
  deleted: true;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  tokenId: string | null;
  role: Role | null;
  project: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: unknown;
}

export interface AuditQuery extends PageQuery {
  action?: string;
}

// --- events -----------------------------------------------------------------------------------

/** Filters of `GET /api/v1/events`; all optional. */
export interface EventFilter {
  /** Defaults to the client's project. */
  project?: string;
  workflow?: string;
  run?: string;
  types?: readonly EventType[];
}

/** One event of the live feed with the opaque cursor to resume after it. */
export interface StreamedEvent {
  cursor: string;
  event: CCEvent;
}

// --- triggers ---------------------------------------------------------------------------------

/** Kinds of triggers that have state (manual triggers have none). */
export type StatefulTriggerKind = 'cron' | 'webhook' | 'event' | 'alert' | 'action';

/** A trigger of a workflow's latest version, with its state. */
export interface TriggerInfo {
  id: string;
  project: string;
  workflow: string;
  kind: StatefulTriggerKind;
  /** The normalized trigger as the workflow declares it (`{ kind, index, cron, timezone… }`). */
  spec: { kind: StatefulTriggerKind; index: number; [setting: string]: unknown };
  /** The workflow version that declared it last. */
  version: number;
  /** `false` once the latest version no longer declares it (listed with `inactive: true`). */
  active: boolean;
  paused: boolean;
  /** Cron: the next tick. */
  nextFireAt: string | null;
  /** Cron: the last tick handled; others: when it last created a run. */
  lastFireAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Webhooks: where to POST (`<public URL>/hooks/<project>/<name>`). */
  url?: string;
}

/** Filters of `GET /api/v1/triggers`. */
export interface TriggerQuery {
  workflow?: string;
  kind?: StatefulTriggerKind;
  /** Include the triggers the latest versions no longer declare. */
  inactive?: boolean;
}

/** What a trigger did once. */
export type TriggerOutcome = 'fired' | 'duplicate' | 'rejected' | 'skipped' | 'filtered';

/** One entry of a trigger's history. */
export interface TriggerHistoryEntry {
  id: string;
  at: string;
  outcome: TriggerOutcome;
  /** The run created (`fired`) or found (`duplicate`). */
  runId: string | null;
  /** Why no run was created (`rejected`, `skipped`, `filtered`). */
  reason: string | null;
  /** Where the firing came from: tick, delivery, subject, alert group, action… */
  source: Record<string, unknown>;
}

/** `POST /api/v1/triggers/{id}/webhook-secret`. */
export interface RotateWebhookSecretRequest {
  /** How long the previous secret stays valid, e.g. `24h` (a duration). */
  previousValidFor?: string;
}

/** The new signing secret of a webhook trigger, shown this once. */
export interface WebhookSecretRotated {
  secret: string;
  createdAt: string;
  /** When the previous secret stops being accepted (`null`: there was none). */
  previousExpiresAt: string | null;
  /** The webhook's name: every workflow of the project declaring it shares the secret. */
  webhook?: string;
  project?: string;
  /** The path deliveries go to (`/hooks/<project>/<name>`). */
  url?: string;
  /** The triggers of the project that declare this webhook. */
  triggerIds?: string[];
}

// --- alerts -----------------------------------------------------------------------------------

/** Labels or annotations: names to string values. */
export type LabelSet = Record<string, string>;

/** One alert of an Alertmanager notification. */
export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: LabelSet;
  annotations?: LabelSet;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** The body Alertmanager POSTs to its webhook receivers (payload version 4). */
export interface AlertmanagerNotification {
  version: '4';
  groupKey: string;
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations?: LabelSet;
  externalURL?: string;
  alerts: AlertmanagerAlert[];
}

/** What one matching `alert:` trigger did with a notification. */
export interface AlertTriggerOutcome {
  workflow: string;
  triggerId: string;
  outcome: TriggerOutcome;
  runId: string | null;
  reason: string | null;
}

/** The answer to `POST /api/v1/alerts/alertmanager` (always 200 once stored). */
export interface AlertReceived {
  /** Id of the recorded notification (`GET /api/v1/alerts/{id}`). */
  id: string;
  /** Whether a run exists for it (created now, or by an identical earlier notification). */
  matched: boolean;
  runs: AlertTriggerOutcome[];
}

/** A recorded Alertmanager notification. */
export interface AlertNotificationSummary {
  id: string;
  receivedAt: string;
  receiver: string | null;
  status: 'firing' | 'resolved';
  groupKey: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  /** Number of alerts in it. */
  alerts: number;
  matched: boolean;
  runIds: string[];
  outcomes: AlertTriggerOutcome[];
  /** Token name, or `hmac` for a signed notification. */
  sender: string | null;
}

export interface AlertNotificationDetail extends AlertNotificationSummary {
  /** The body as Alertmanager sent it. */
  payload: AlertmanagerNotification;
}

/** Filters of `GET /api/v1/alerts`. */
export interface AlertQuery extends PageQuery {
  /** `false`: only the notifications that started no run. */
  matched?: boolean;
}

// --- UI actions -------------------------------------------------------------------------------

/** A named action and the workflows bound to it (`- action: <name>` triggers). */
export interface ActionInfo {
  name: string;
  workflows: { workflow: string; triggerId: string; paused: boolean }[];
}

export interface RunActionRequest {
  /** The run input of every bound workflow. */
  input?: unknown;
}

/** What running an action did for one bound workflow. */
export interface ActionRunOutcome {
  workflow: string;
  triggerId: string;
  outcome: TriggerOutcome;
  runId: string | null;
  reason: string | null;
}

/** `POST /api/v1/actions/{name}`: 202 when a run started, 200 otherwise (repeat, paused). */
export interface ActionRan {
  action: string;
  runs: ActionRunOutcome[];
}
