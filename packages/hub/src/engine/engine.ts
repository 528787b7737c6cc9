import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  CCError,
  FINAL_RUN_STATUSES,
  resolveTemplates,
  compileTemplates,
  validateAgainstSchema,
  type CCEvent,
  type RunStatus,
  type WorkflowDefinition,
} from '@commandcenter/protocol';
import type { Executors } from '../executors/registry.js';
import type { SecretResolver } from '../secrets/secret-resolver.js';
import type { Store } from '../store/port.js';
import type { ApprovalPolicy } from './approval-policy.js';
import { Catalog } from './catalog.js';
import { ProjectSettingsCache } from './project-settings.js';
import { EventHub, type EventListener } from './event-hub.js';
import { LogWriter } from './log-writer.js';
import { planRerun, planSteps, type PlannedStep } from './run-plan.js';
import type { AttemptObserver } from './step-runner.js';
import type { ClaimedTask } from './task.js';
import { Worker, type WorkerOptions } from './worker.js';

export interface EngineOptions {
  store: Store;
  executors: Executors;
  /** Run a worker in this process (default true). A pure API process sets false. */
  worker?: boolean;
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  sweepMs?: number;
  drainMs?: number;
  /** Hub-wide approval policy; each project's own settings override it field by field. */
  approvalPolicy?: Partial<ApprovalPolicy>;
  /**
   * Decrypts the project secrets steps reference (`{{ secrets.NAME }}`, an agent's
   * `runtime.secrets`), e.g. a `SecretStore`. Without it, a step that needs a secret fails with
   * `CC_E_SECRET_MISSING`.
   */
  secrets?: SecretResolver;
  /** Watches every step attempt (tracing); see `AttemptObserver`. */
  attempts?: AttemptObserver;
  onError?: (what: string, err: unknown) => void;
}

/** Compiled engine options: every default in one place. */
export function compileEngineOptions(
  o: EngineOptions,
): Required<Omit<EngineOptions, 'onError' | 'secrets' | 'approvalPolicy' | 'attempts'>> &
  Pick<EngineOptions, 'onError' | 'secrets' | 'approvalPolicy' | 'attempts'> {
  return {
    store: o.store,
    executors: o.executors,
    worker: o.worker ?? true,
    workerId: o.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    concurrency: o.concurrency ?? 20,
    leaseMs: o.leaseMs ?? 10_000,
    sweepMs: o.sweepMs ?? 5_000,
    drainMs: o.drainMs ?? 10_000,
    approvalPolicy: o.approvalPolicy,
    secrets: o.secrets,
    attempts: o.attempts,
    onError: o.onError,
  };
}

export interface TriggerOptions {
  input?: unknown;
  idempotencyKey?: string;
  /** Pin a version; the latest by default. */
  version?: number;
  trigger?: { type: string; [k: string]: unknown };
}

export interface CreatedRun {
  id: string;
  created: boolean;
  status: RunStatus;
  workflow: string;
  version: number;
}

export type RerunFrom = 'failed' | 'scratch';

/**
 * The durable workflow engine. Knows nothing of HTTP, NATS or telemetry: it gets a store and
 * executors, and hands every committed transition to its event hub.
 */
export class Engine {
  readonly catalog: Catalog;
  /** Per-project settings (approval policy, SSRF-guard exemptions), cached briefly. */
  readonly projects: ProjectSettingsCache;
  readonly events = new EventHub();
  readonly worker: Worker | undefined;
  readonly logs: LogWriter;
  readonly options: ReturnType<typeof compileEngineOptions>;
  private readonly runWaiters = new Map<string, Set<(status: RunStatus) => void>>();
  /** Final statuses seen recently, so a wait that starts after the end answers at once. */
  private readonly recentFinal = new Map<string, RunStatus>();

  constructor(opts: EngineOptions) {
    this.options = compileEngineOptions(opts);
    const o = this.options;
    this.catalog = new Catalog(o.store);
    this.projects = new ProjectSettingsCache(o.store, o.approvalPolicy);
    this.logs = new LogWriter(o.store);
    const onError = o.onError ?? ((what, err) => console.error(`engine ${what} failed:`, err));
    if (o.worker) {
      const workerOpts: WorkerOptions = {
        workerId: o.workerId,
        concurrency: o.concurrency,
        leaseMs: o.leaseMs,
        sweepMs: o.sweepMs,
        drainMs: o.drainMs,
      };
      this.worker = new Worker(
        o.store,
        this.events,
        {
          catalog: this.catalog,
          executors: o.executors,
          projects: this.projects,
          workerId: o.workerId,
          ...(o.secrets ? { secrets: o.secrets } : {}),
          ...(o.attempts ? { attempts: o.attempts } : {}),
          log: (t: ClaimedTask, line: string) => this.logs.append(t.runId, t.key, t.attempt, line),
          flushLogs: () => this.logs.flush(),
        },
        workerOpts,
        onError,
      );
    }
    this.events.subscribe((e) => {
      const status = (e.data as { status?: RunStatus }).status;
      if (
        e.runId &&
        e.type.startsWith('workflow.run.') &&
        status &&
        FINAL_RUN_STATUSES.includes(status)
      ) {
        this.recentFinal.set(e.runId, status);
        if (this.recentFinal.size > 10_000)
          this.recentFinal.delete(this.recentFinal.keys().next().value!);
        const waiters = this.runWaiters.get(e.runId);
        if (waiters) {
          this.runWaiters.delete(e.runId);
          for (const w of waiters) w(status);
        }
      }
    });
  }

  get store(): Store {
    return this.options.store;
  }

  async start(): Promise<void> {
    await this.worker?.start();
  }

  /** Graceful stop: no new claims, running attempts finish or are handed back. */
  async stop(): Promise<void> {
    await this.worker?.stop();
    await this.logs.flush();
    await this.options.executors.close();
  }

  subscribe(listener: EventListener): () => void {
    return this.events.subscribe(listener);
  }

  async applyWorkflow(project: string, doc: unknown) {
    return this.catalog.applyWorkflow(project, doc);
  }

  async registerAgent(project: string, manifest: unknown) {
    const r = await this.catalog.registerAgent(project, manifest);
    this.events.publish(r.events);
    return r;
  }

  /**
   * Starts a run. Durable when it resolves. With an idempotency key, a repeat returns the first
   * run (`created: false`). Claims the first steps for the local worker in the same transaction.
   */
  async createRun(
    project: string,
    workflow: string,
    opts: TriggerOptions = {},
  ): Promise<CreatedRun> {
    const input = opts.input ?? {};
    for (let attempt = 0; ; attempt++) {
      const version =
        opts.version ?? (await this.catalog.latestVersion(project, workflow, attempt > 0));
      const def = await this.catalog.definition(project, workflow, version);
      this.checkInput(def, input);
      const res = await this.insertRun(project, def, version, {
        input,
        idempotencyKey: opts.idempotencyKey,
        trigger: opts.trigger ?? { type: 'manual' },
        expectLatest: opts.version === undefined,
        steps: planSteps(def),
      });
      if (res) return res;
      if (attempt >= 3)
        throw new CCError('CC_E_CONFLICT', {
          detail: `workflow ${workflow} keeps changing; try again`,
        });
    }
  }

  private checkInput(def: WorkflowDefinition, input: unknown): void {
    if (!def.inputs) return;
    const problems = validateAgainstSchema(def.inputs, input, 'CC_E_INPUT_INVALID', 'input');
    if (problems.length) throw CCError.invalid('CC_E_INPUT_INVALID', problems);
  }

  private async insertRun(
    project: string,
    def: WorkflowDefinition,
    version: number,
    p: {
      input: unknown;
      idempotencyKey?: string;
      trigger: unknown;
      expectLatest: boolean;
      steps: PlannedStep[];
      rerunOf?: string;
      rerunMode?: string;
      agentVersions?: Record<string, string>;
    },
  ): Promise<CreatedRun | undefined> {
    let concurrencyKey: string | undefined;
    if (def.concurrency) {
      let key = '';
      if (def.concurrency.key) {
        const v = await resolveTemplates(compileTemplates(def.concurrency.key, 'concurrency.key'), {
          input: p.input,
          nodes: {},
          secrets: {},
        });
        key = typeof v === 'string' ? v : JSON.stringify(v);
      }
      concurrencyKey = `${project}/${def.name}/${key}`;
    }
    const payload = {
      id: uuidv7(),
      project,
      workflow: def.name,
      version,
      input: p.input,
      trigger: p.trigger,
      idempotencyKey: p.idempotencyKey,
      expectLatest: p.expectLatest,
      concurrencyKey,
      concurrencyLimit: def.concurrency?.limit,
      timeoutMs: def.timeoutMs,
      rerunOf: p.rerunOf,
      rerunMode: p.rerunMode,
      agentVersions: p.agentVersions,
      steps: p.steps,
    };
    const claim = this.worker?.free() ?? 0;
    const sentAt = performance.now();
    const r = await this.store.query<{
      r: {
        stale?: boolean;
        id: string;
        created: boolean;
        status: RunStatus;
        events: CCEvent[];
        tasks?: ClaimedTask[];
      };
    }>('SELECT cc_create_and_claim($1::jsonb, $2, $3, $4) AS r', [
      JSON.stringify(payload),
      this.options.workerId,
      claim,
      this.options.leaseMs,
    ]);
    const out = r.rows[0]!.r;
    if (out.stale) return undefined;
    this.events.publish(out.events);
    this.worker?.adopt(out.tasks, sentAt);
    return { id: out.id, created: out.created, status: out.status, workflow: def.name, version };
  }

  /** Cancels a run that has not finished; what has not started never will. */
  async cancelRun(project: string, runId: string, by = 'system'): Promise<void> {
    await this.ownRun(project, runId);
    const r = await this.store.query<{
      r: { ok: boolean; status: string | null; events: CCEvent[] };
    }>('SELECT cc_cancel_run($1, $2::jsonb) AS r', [
      runId,
      JSON.stringify({
        type: 'cancelled',
        code: 'CC_E_RUN_CANCELLED',
        retryable: false,
        message: `cancelled by ${by}`,
      }),
    ]);
    const out = r.rows[0]!.r;
    if (!out.ok) {
      throw new CCError('CC_E_RUN_NOT_CANCELLABLE', {
        detail: `run ${runId} already ended (${out.status})`,
      });
    }
    this.events.publish(out.events);
  }

  /**
   * Re-runs a finished run as a new, linked run: from the failed step (succeeded outputs reused)
   * or from scratch, on the pinned version or the latest.
   */
  async rerun(
    project: string,
    runId: string,
    opts: { from?: RerunFrom; version?: 'pinned' | 'latest'; idempotencyKey?: string } = {},
  ): Promise<CreatedRun> {
    const from = opts.from ?? 'failed';
    const old = await this.ownRun(project, runId);
    if (!FINAL_RUN_STATUSES.includes(old.status)) {
      throw new CCError('CC_E_RUN_NOT_RERUNNABLE', {
        detail: `run ${runId} is ${old.status}; cancel it or wait for it to end before re-running it`,
      });
    }
    if (from === 'failed' && old.status === 'succeeded') {
      throw new CCError('CC_E_RUN_NOT_RERUNNABLE', {
        detail: `run ${runId} succeeded, so there is no failed step to re-run from; re-run it from scratch instead`,
      });
    }
    const pinned = (opts.version ?? 'pinned') === 'pinned';
    const version = pinned
      ? old.version
      : await this.catalog.latestVersion(project, old.workflow, true);
    const def = await this.catalog.definition(project, old.workflow, version);
    let steps = planSteps(def);
    if (from === 'failed') {
      const prev = await this.catalog.definition(project, old.workflow, old.version);
      const done = await this.store.query<{ key: string; output: unknown }>(
        `SELECT key, output FROM steps WHERE run_id = $1 AND parent_key IS NULL AND status = 'succeeded'`,
        [runId],
      );
      steps = planRerun(def, prev, new Map(done.rows.map((s) => [s.key, s.output])));
    }
    const res = await this.insertRun(project, def, version, {
      input: old.input,
      idempotencyKey: opts.idempotencyKey,
      trigger: { type: 'rerun', runId, from },
      expectLatest: false,
      steps,
      rerunOf: runId,
      rerunMode: from,
      agentVersions: pinned ? old.agent_versions : undefined,
    });
    return res!;
  }

  /** Records an approval decision; the first decision wins. */
  async decideApproval(
    project: string,
    approvalId: string,
    decision: 'approve' | 'reject',
    by: string,
    comment?: string,
  ): Promise<{ status: string }> {
    const a = await this.store.query<{ project: string }>(
      'SELECT project FROM approvals WHERE id = $1',
      [approvalId],
    );
    if (a.rows[0]?.project !== project) throw CCError.notFound(`approval ${approvalId}`);
    const r = await this.store.query<{
      r: { ok: boolean; status: string | null; events: CCEvent[] };
    }>('SELECT cc_decide_approval($1, $2, $3, $4) AS r', [
      approvalId,
      decision === 'approve' ? 'approved' : 'rejected',
      by,
      comment ?? null,
    ]);
    const out = r.rows[0]!.r;
    if (!out.ok) {
      throw new CCError('CC_E_APPROVAL_ALREADY_DECIDED', {
        detail: `approval ${approvalId} is already ${out.status}; the first decision stands`,
      });
    }
    this.events.publish(out.events);
    this.worker?.wake();
    return { status: out.status! };
  }

  private async ownRun(project: string, runId: string) {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) throw CCError.notFound(`run ${runId}`);
    const r = await this.store.query<{
      id: string;
      project: string;
      workflow: string;
      version: number;
      status: RunStatus;
      input: unknown;
      agent_versions: Record<string, string>;
    }>(
      'SELECT id, project, workflow, version, status, input, agent_versions FROM runs WHERE id = $1',
      [runId],
    );
    const run = r.rows[0];
    if (!run || run.project !== project) throw CCError.notFound(`run ${runId}`);
    return run;
  }

  /**
   * Retention: deletes finished runs that ended more than `olderThanMs` ago (with their steps,
   * attempts, logs, approvals and events), in batches. Unfinished runs are never deleted.
   */
  async pruneRuns(olderThanMs: number, batch = 500): Promise<number> {
    const before = new Date(Date.now() - olderThanMs).toISOString();
    let total = 0;
    for (;;) {
      const r = await this.store.query<{ n: number }>('SELECT cc_prune($1, $2) AS n', [
        before,
        batch,
      ]);
      const n = r.rows[0]!.n;
      total += n;
      if (n < batch) return total;
    }
  }

  /**
   * Resolves with the final status of a run. Final transitions made by this process are seen
   * at once; those made by other processes are picked up by `recheckMs` checks.
   */
  async waitForRun(
    runId: string,
    opts: { timeoutMs?: number; recheckMs?: number } = {},
  ): Promise<RunStatus> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const seen = this.recentFinal.get(runId);
    if (seen) return seen;
    return new Promise<RunStatus>((resolve, reject) => {
      let set = this.runWaiters.get(runId);
      if (!set) this.runWaiters.set(runId, (set = new Set()));
      const done = (s: RunStatus) => {
        clearTimeout(timer);
        clearInterval(check);
        set!.delete(done);
        resolve(s);
      };
      set.add(done);
      const timer = setTimeout(() => {
        clearInterval(check);
        set!.delete(done);
        reject(new Error(`run ${runId} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = async () => {
        const r = await this.store.query<{ status: RunStatus }>(
          'SELECT status FROM runs WHERE id = $1',
          [runId],
        );
        const s = r.rows[0]?.status;
        if (s && FINAL_RUN_STATUSES.includes(s)) done(s);
      };
      const check = setInterval(() => void poll().catch(() => {}), opts.recheckMs ?? 250);
    });
  }
}
