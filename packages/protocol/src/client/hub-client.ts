/**
 * The typed client of the hub's REST API (`docs/api.md`): one method per route. The CLI and the
 * web UI talk to the hub only through it.
 */
import type { ProjectSettingsPatch } from '../project-settings.js';
import type * as T from './api-types.js';
import { eventStream, type EventStreamOptions } from './event-stream.js';
import { logStream, type FollowLogsOptions } from './log-stream.js';
import { Transport, type Query, type RequestBody } from './transport.js';

/** Options of {@link HubClient}. */
export interface HubClientOptions {
  /** Base URL of the hub, e.g. `http://127.0.0.1:9002`. */
  url: string;
  /** An API token (`cc_…`); without one only `/healthz` and `/readyz` answer. */
  token?: string;
  /** The project of project-scoped routes; the token's project (or `default`) when unset. */
  project?: string;
  /** A `fetch` implementation; the global one by default. */
  fetch?: typeof fetch;
}

/** Options of requests that may be made idempotent. */
export interface IdempotencyOptions {
  /** Same key, same run: a repeated request answers the run the first one created. */
  idempotencyKey?: string;
}

const api = '/api/v1';
const seg = encodeURIComponent;

/**
 * A client of one hub, for one token and (optionally) one project. Every method throws a
 * `CCError`: the hub's problem rebuilt (code, detail, problems), or `CC_E_HUB_UNREACHABLE` when
 * no answer came.
 */
export class HubClient {
  readonly url: string;
  readonly project: string | undefined;
  private readonly http: Transport;

  constructor(opts: HubClientOptions) {
    this.http = new Transport(opts);
    this.url = this.http.url;
    this.project = opts.project || undefined;
  }

  // --- process ----------------------------------------------------------------------------------

  /** `GET /healthz`: the process is up. */
  healthz(): Promise<T.Health> {
    return this.http.request('GET', '/healthz');
  }

  /** `GET /readyz`: the store answers and migrations are current (else throws the 503 problem). */
  readyz(): Promise<T.Readiness> {
    return this.http.request('GET', '/readyz');
  }

  /** `GET /api/v1/openapi.json`: the machine-readable description of the API. */
  openapi(): Promise<Record<string, unknown>> {
    return this.http.request('GET', `${api}/openapi.json`);
  }

  /** `GET /api/v1/whoami`: the token's id, name, role and project. */
  whoami(): Promise<T.WhoAmI> {
    return this.http.request('GET', `${api}/whoami`);
  }

  /** `GET /api/v1/ui/config`: settings of the web UI (the tracing UI's link template). */
  uiConfig(): Promise<T.UiConfig> {
    return this.http.request('GET', `${api}/ui/config`);
  }

  /** `POST /api/v1/session`: exchanges a token for the `cc_session` cookie (browsers). */
  createSession(token: string): Promise<T.SessionOpened> {
    return this.http.request('POST', `${api}/session`, { body: { token } });
  }

  /** `DELETE /api/v1/session`: logs out. */
  deleteSession(): Promise<T.SessionClosed> {
    return this.http.request('DELETE', `${api}/session`);
  }

  // --- projects ---------------------------------------------------------------------------------

  listProjects(): Promise<T.Page<T.ProjectSummary>> {
    return this.http.request('GET', `${api}/projects`);
  }

  /** Needs a hub-wide admin token; 409 `CC_E_CONFLICT` when it exists. */
  createProject(name: string): Promise<T.ProjectSummary> {
    return this.http.request('POST', `${api}/projects`, { body: { name } });
  }

  getProject(name: string): Promise<T.ProjectDetail> {
    return this.http.request('GET', `${api}/projects/${seg(name)}`);
  }

  /** The project's effective settings and what it sets itself. */
  getProjectSettings(name: string): Promise<T.ProjectSettingsView> {
    return this.http.request('GET', `${api}/projects/${seg(name)}/settings`);
  }

  /** Changes the approval policy or SSRF-guard exemptions (project admin); omitted fields stay. */
  updateProjectSettings(name: string, patch: ProjectSettingsPatch): Promise<T.ProjectSettingsView> {
    return this.http.request('PATCH', `${api}/projects/${seg(name)}/settings`, { body: patch });
  }

  // --- agents -----------------------------------------------------------------------------------

  /** Registers a manifest (an object is sent as JSON, a string as YAML). */
  applyAgent(manifest: RequestBody): Promise<T.AgentApplied> {
    return this.http.request('POST', `${api}/agents`, { query: this.scope(), body: manifest });
  }

  listAgents(): Promise<T.Page<T.AgentSummary>> {
    return this.http.request('GET', `${api}/agents`, { query: this.scope() });
  }

  getAgent(name: string): Promise<T.AgentDetail> {
    return this.http.request('GET', `${api}/agents/${seg(name)}`, { query: this.scope() });
  }

  getAgentVersion(name: string, version: string): Promise<T.AgentVersionDetail> {
    return this.http.request('GET', `${api}/agents/${seg(name)}/versions/${seg(version)}`, {
      query: this.scope(),
    });
  }

  /** Runs one action of the agent once, outside any workflow. */
  testAgent(name: string, request: T.AgentTestRequest): Promise<T.AgentTestResult> {
    return this.http.request('POST', `${api}/agents/${seg(name)}/test`, {
      query: this.scope(),
      body: request,
    });
  }

  // --- workflows --------------------------------------------------------------------------------

  /** Applies a workflow document (an object is sent as JSON, a string as YAML and kept as source). */
  applyWorkflow(document: RequestBody): Promise<T.WorkflowApplied> {
    return this.http.request('POST', `${api}/workflows`, { query: this.scope(), body: document });
  }

  /** Validates a workflow document without saving it (throws the 422 problem when invalid). */
  validateWorkflow(document: RequestBody): Promise<T.WorkflowValidateResult> {
    return this.http.request('POST', `${api}/workflows/validate`, {
      query: this.scope(),
      body: document,
    });
  }

  listWorkflows(opts: { archived?: boolean } = {}): Promise<T.Page<T.WorkflowSummary>> {
    return this.http.request('GET', `${api}/workflows`, {
      query: this.scope({ archived: opts.archived ? true : undefined }),
    });
  }

  getWorkflow(name: string): Promise<T.WorkflowDetail> {
    return this.http.request('GET', `${api}/workflows/${seg(name)}`, { query: this.scope() });
  }

  getWorkflowVersion(name: string, version: number): Promise<T.WorkflowVersionDetail> {
    return this.http.request('GET', `${api}/workflows/${seg(name)}/versions/${version}`, {
      query: this.scope(),
    });
  }

  diffWorkflow(name: string, from: number, to: number): Promise<T.WorkflowDiff> {
    return this.http.request('GET', `${api}/workflows/${seg(name)}/diff`, {
      query: this.scope({ from, to }),
    });
  }

  /** Archives a workflow; its history and running runs stay. */
  archiveWorkflow(name: string): Promise<T.WorkflowArchived> {
    return this.http.request('DELETE', `${api}/workflows/${seg(name)}`, { query: this.scope() });
  }

  // --- runs -------------------------------------------------------------------------------------

  /** Starts a run (202); with an idempotency key a repeated request answers the first run (200). */
  startRun(request: T.StartRunRequest, opts: IdempotencyOptions = {}): Promise<T.RunCreated> {
    return this.http.request('POST', `${api}/runs`, {
      query: this.scope(),
      body: request,
      headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {},
    });
  }

  /** Runs, newest first. */
  listRuns(query: T.RunQuery = {}): Promise<T.Page<T.RunSummary>> {
    return this.http.request('GET', `${api}/runs`, { query: this.scope({ ...query }) });
  }

  getRun(id: string): Promise<T.RunDetail> {
    return this.http.request('GET', `${api}/runs/${seg(id)}`);
  }

  runLogs(id: string, query: T.LogQuery = {}): Promise<T.Page<T.LogLine>> {
    return this.http.request('GET', `${api}/runs/${seg(id)}/logs`, { query: { ...query } });
  }

  /**
   * A run's log lines as they are stored, without polling: the stored ones (after `cursor`), then
   * each new one, until the run has ended and every line was sent. Dropped connections resume
   * after the last line received; abort `signal` (or stop iterating) to end early.
   */
  followLogs(
    runId: string,
    opts: FollowLogsOptions = {},
  ): AsyncGenerator<T.FollowedLogLine, void, undefined> {
    return logStream(this.http, runId, opts);
  }

  /** Cancels a live run; 409 `CC_E_RUN_NOT_CANCELLABLE` when it has ended. */
  cancelRun(id: string): Promise<T.RunCancelled> {
    return this.http.request('POST', `${api}/runs/${seg(id)}/cancel`, { body: {} });
  }

  /** Re-runs a run from its failed step (default) or from scratch, as a new linked run. */
  rerun(
    id: string,
    request: T.RerunRequest = {},
    opts: IdempotencyOptions = {},
  ): Promise<T.RunRerun> {
    return this.http.request('POST', `${api}/runs/${seg(id)}/rerun`, {
      body: request,
      headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {},
    });
  }

  // --- approvals --------------------------------------------------------------------------------

  /** Approvals of the project; pending ones by default. */
  listApprovals(query: T.ApprovalQuery = {}): Promise<T.Page<T.Approval>> {
    return this.http.request('GET', `${api}/approvals`, { query: this.scope({ ...query }) });
  }

  getApproval(id: string): Promise<T.Approval> {
    return this.http.request('GET', `${api}/approvals/${seg(id)}`);
  }

  /** 409 `CC_E_APPROVAL_ALREADY_DECIDED` when someone decided first. */
  approve(id: string, opts: { comment?: string } = {}): Promise<T.ApprovalDecision> {
    return this.http.request('POST', `${api}/approvals/${seg(id)}/approve`, { body: { ...opts } });
  }

  reject(id: string, opts: { comment?: string } = {}): Promise<T.ApprovalDecision> {
    return this.http.request('POST', `${api}/approvals/${seg(id)}/reject`, { body: { ...opts } });
  }

  // --- tokens -----------------------------------------------------------------------------------

  /** Tokens of the client's project (every token for a hub-wide admin without a project). */
  listTokens(): Promise<T.Page<T.TokenInfo>> {
    return this.http.request('GET', `${api}/tokens`, { query: this.scope() });
  }

  /** The answer carries the secret `token`, shown this once. */
  createToken(request: T.CreateTokenRequest): Promise<T.TokenCreated> {
    return this.http.request('POST', `${api}/tokens`, { body: request });
  }

  revokeToken(id: string): Promise<T.TokenRevoked> {
    return this.http.request('DELETE', `${api}/tokens/${seg(id)}`);
  }

  // --- secrets ----------------------------------------------------------------------------------

  /** Names and versions only; values never leave the hub. */
  listSecrets(): Promise<T.Page<T.SecretInfo>> {
    return this.http.request('GET', `${api}/secrets`, { query: this.scope() });
  }

  /** Creates (201) or replaces (200) a secret. */
  setSecret(name: string, value: string): Promise<T.SecretSet> {
    return this.http.request('PUT', `${api}/secrets/${seg(name)}`, {
      query: this.scope(),
      body: { value },
    });
  }

  /** Replaces an existing secret's value; 404 when it does not exist. */
  rotateSecret(name: string, value: string): Promise<T.SecretRotated> {
    return this.http.request('POST', `${api}/secrets/${seg(name)}/rotate`, {
      query: this.scope(),
      body: { value },
    });
  }

  deleteSecret(name: string): Promise<T.SecretDeleted> {
    return this.http.request('DELETE', `${api}/secrets/${seg(name)}`, { query: this.scope() });
  }

  // --- triggers, alerts and actions ------------------------------------------------------------

  /** Triggers of the project's workflows with their state (next/last fire, last error). */
  listTriggers(query: T.TriggerQuery = {}): Promise<T.Page<T.TriggerInfo>> {
    return this.http.request('GET', `${api}/triggers`, { query: this.scope({ ...query }) });
  }

  getTrigger(id: string): Promise<T.TriggerInfo> {
    return this.http.request('GET', `${api}/triggers/${seg(id)}`);
  }

  /** Pauses a trigger: its firings are skipped (and recorded) until it is resumed. */
  pauseTrigger(id: string): Promise<T.TriggerInfo> {
    return this.http.request('POST', `${api}/triggers/${seg(id)}/pause`, { body: {} });
  }

  resumeTrigger(id: string): Promise<T.TriggerInfo> {
    return this.http.request('POST', `${api}/triggers/${seg(id)}/resume`, { body: {} });
  }

  /** What a trigger did, newest first: the runs it created, or why not. */
  triggerHistory(id: string, query: T.PageQuery = {}): Promise<T.Page<T.TriggerHistoryEntry>> {
    return this.http.request('GET', `${api}/triggers/${seg(id)}/history`, {
      query: { ...query },
    });
  }

  /** A new signing secret for a webhook trigger (shown once); the previous one stays valid a while. */
  rotateWebhookSecret(
    id: string,
    request: T.RotateWebhookSecretRequest = {},
  ): Promise<T.WebhookSecretRotated> {
    return this.http.request('POST', `${api}/triggers/${seg(id)}/webhook-secret`, {
      body: request,
    });
  }

  /** Sends an Alertmanager notification, as Alertmanager does (operator token). */
  sendAlertmanagerNotification(body: T.AlertmanagerNotification): Promise<T.AlertReceived> {
    return this.http.request('POST', `${api}/alerts/alertmanager`, {
      query: this.scope(),
      body,
    });
  }

  /** Alertmanager notifications received, newest first; `matched: false` for unmatched ones. */
  listAlerts(query: T.AlertQuery = {}): Promise<T.Page<T.AlertNotificationSummary>> {
    return this.http.request('GET', `${api}/alerts`, { query: this.scope({ ...query }) });
  }

  getAlert(id: string): Promise<T.AlertNotificationDetail> {
    return this.http.request('GET', `${api}/alerts/${seg(id)}`, { query: this.scope() });
  }

  /** The project's UI actions with their bound workflows. */
  listActions(): Promise<T.Page<T.ActionInfo>> {
    return this.http.request('GET', `${api}/actions`, { query: this.scope() });
  }

  /** Runs every workflow bound to the action; 404 when none is. */
  runAction(
    name: string,
    request: T.RunActionRequest = {},
    opts: IdempotencyOptions = {},
  ): Promise<T.ActionRan> {
    return this.http.request('POST', `${api}/actions/${seg(name)}`, {
      query: this.scope(),
      body: request,
      headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {},
    });
  }

  // --- stats ------------------------------------------------------------------------------------

  /** Runs per bucket by status, duration percentiles, top failures, pending approvals (default 1h). */
  statsOverview(window: T.OverviewWindow = '1h'): Promise<T.OverviewStats> {
    return this.http.request('GET', `${api}/stats/overview`, { query: this.scope({ window }) });
  }

  // --- audit and events -------------------------------------------------------------------------

  listAudit(query: T.AuditQuery = {}): Promise<T.Page<T.AuditEntry>> {
    return this.http.request('GET', `${api}/audit`, { query: this.scope({ ...query }) });
  }

  /**
   * The live event feed, filtered, as an async iterator. A dropped connection is resumed with
   * `Last-Event-ID`, so no event is lost or repeated; abort `signal` (or stop iterating) to end it.
   */
  events(
    filter: T.EventFilter = {},
    opts: EventStreamOptions = {},
  ): AsyncGenerator<T.StreamedEvent, void, undefined> {
    const query: Query = {
      project: filter.project ?? this.project,
      workflow: filter.workflow,
      run: filter.run,
      types: filter.types?.length ? filter.types.join(',') : undefined,
    };
    return eventStream(this.http, query, opts);
  }

  /** Adds `project` to the query of a project-scoped route when the client has one. */
  private scope(query: Query = {}): Query {
    return this.project === undefined ? query : { ...query, project: this.project };
  }
}
