import type { AttemptUsage, CCEvent, EventMap } from '@commandcenter/protocol';
import type { Registry } from 'prom-client';
import type { Engine } from '../engine/engine.js';
import { DURATION_BUCKETS, PREFIX, counter, gauge, histogram, labelValue } from './metrics.js';
import { triggersFired } from './metrics-triggers.js';

/**
 * The engine's counters and histograms, derived from the events it commits (`engine.subscribe`):
 * no query and no hook in the engine itself. Each process counts the transitions it made, so
 * `sum` over instances is the cluster's total. The events carry what is needed: the trigger and
 * duration of a run, agent and action of a step, and — on every event that ends an attempt —
 * its wall time (`durationMs`) and LLM usage (014_metrics.sql).
 */
export function observeEngine(
  registry: Registry,
  engine: Engine,
  opts: { computeCostPerSecond: number },
): () => void {
  const m = engineMetrics(registry);
  gauge(registry, {
    name: `${PREFIX}worker_slots`,
    help: "This process's worker concurrency (attempts it may run at once)",
    collect() {
      this.set(engine.worker?.opts.concurrency ?? 0);
    },
  });
  gauge(registry, {
    name: `${PREFIX}worker_slots_busy`,
    help: 'Attempts this process is running or recording now',
    collect() {
      this.set(engine.worker?.busy ?? 0);
    },
  });
  return engine.subscribe((e) => record(m, e, opts.computeCostPerSecond));
}

type Metrics = ReturnType<typeof engineMetrics>;

function engineMetrics(r: Registry) {
  const run = ['project', 'workflow'] as const;
  const step = ['project', 'agent', 'action'] as const;
  return {
    runsStarted: counter(r, {
      name: `${PREFIX}runs_started_total`,
      help: 'Runs admitted (queued runs count when their concurrency slot frees)',
      labelNames: [...run, 'trigger'],
    }),
    runsFinished: counter(r, {
      name: `${PREFIX}runs_finished_total`,
      help: 'Runs that ended, by final status',
      labelNames: [...run, 'trigger', 'status'],
    }),
    runDuration: histogram(r, {
      name: `${PREFIX}run_duration_seconds`,
      help: 'Creation to end of a run',
      labelNames: [...run, 'status'],
      buckets: DURATION_BUCKETS,
    }),
    stepsFinished: counter(r, {
      name: `${PREFIX}steps_finished_total`,
      help: 'Steps (forEach items each, not their node) that ended, by final status',
      labelNames: [...run, 'agent', 'action', 'status'],
    }),
    stepDuration: histogram(r, {
      name: `${PREFIX}step_duration_seconds`,
      help: "Wall time of a finished step's last attempt",
      labelNames: [...step, 'status'],
      buckets: DURATION_BUCKETS,
    }),
    stepRetries: counter(r, {
      name: `${PREFIX}step_retries_total`,
      help: 'Attempts that failed and will be retried',
      labelNames: step,
    }),
    agentErrors: counter(r, {
      name: `${PREFIX}agent_errors_total`,
      help: 'Attempts that failed (retried or not), by error code',
      labelNames: [...step, 'error_type'],
    }),
    approvalsRequested: counter(r, {
      name: `${PREFIX}approvals_requested_total`,
      help: 'Steps that asked for an approval',
      labelNames: run,
    }),
    approvalsDecided: counter(r, {
      name: `${PREFIX}approvals_decided_total`,
      help: 'Approvals that ended: approved, rejected, expired, or cancelled with their run',
      labelNames: [...run, 'decision'],
    }),
    approvalWait: histogram(r, {
      name: `${PREFIX}approval_wait_seconds`,
      help: 'Request to decision of an approval',
      labelNames: [...run, 'decision'],
      buckets: DURATION_BUCKETS,
    }),
    llmTokens: counter(r, {
      name: `${PREFIX}llm_tokens_total`,
      help: 'LLM tokens the attempts reported',
      labelNames: ['project', 'agent', 'model', 'direction'],
    }),
    llmCost: counter(r, {
      name: `${PREFIX}llm_cost_usd_total`,
      help: "LLM cost in USD the attempts reported (from the agents' token prices)",
      labelNames: ['project', 'agent', 'model'],
    }),
    computeSeconds: counter(r, {
      name: `${PREFIX}compute_seconds_total`,
      help: 'Wall time of attempts whose outcome was recorded',
      labelNames: [...run, 'agent'],
    }),
    cost: counter(r, {
      name: `${PREFIX}cost_usd_total`,
      help: 'Cost in USD: compute (seconds × CC_COMPUTE_COST_PER_SECOND) and LLM',
      labelNames: [...run, 'agent', 'kind'],
    }),
    events: counter(r, {
      name: `${PREFIX}events_published_total`,
      help: 'Events this process committed (the outbox), by type',
      labelNames: ['project', 'type'],
    }),
    triggersFired: triggersFired(r),
  };
}

type StepEnd = EventMap['workflow.step.failed'] & { items?: number };

const CODE = /^CC_E_[A-Z0-9_]{1,60}$/;

function record(m: Metrics, e: CCEvent, ratePerSecond: number): void {
  const project = labelValue(e.project);
  m.events.inc({ project, type: e.type });
  switch (e.type) {
    case 'workflow.run.queued':
      if (e.data.trigger === 'manual') {
        m.triggersFired.inc({ project, kind: 'manual', outcome: 'started' });
      }
      return;
    case 'workflow.run.started':
      m.runsStarted.inc({
        project,
        workflow: labelValue(e.data.workflow),
        trigger: labelValue(e.data.trigger, 'unknown'),
      });
      return;
    case 'workflow.run.succeeded':
    case 'workflow.run.failed':
    case 'workflow.run.cancelled':
    case 'workflow.run.timed_out': {
      const status = e.type.slice('workflow.run.'.length);
      const workflow = labelValue(e.data.workflow);
      m.runsFinished.inc({
        project,
        workflow,
        trigger: labelValue(e.data.trigger, 'unknown'),
        status,
      });
      if (typeof e.data.durationMs === 'number') {
        m.runDuration.observe({ project, workflow, status }, e.data.durationMs / 1000);
      }
      return;
    }
    case 'workflow.step.succeeded':
    case 'workflow.step.skipped':
    case 'workflow.step.failed':
      stepEnded(
        m,
        project,
        e.type.slice('workflow.step.'.length),
        e.data as StepEnd,
        ratePerSecond,
      );
      return;
    case 'workflow.step.retrying': {
      const d = e.data;
      m.stepRetries.inc({ project, agent: labelValue(d.agent), action: labelValue(d.action) });
      attemptEnded(m, project, d, ratePerSecond);
      return;
    }
    case 'approval.requested':
      m.approvalsRequested.inc({ project, workflow: labelValue(e.data.workflow) });
      return;
    case 'approval.decided': {
      const labels = {
        project,
        workflow: labelValue(e.data.workflow),
        decision: labelValue(e.data.decision),
      };
      m.approvalsDecided.inc(labels);
      if (typeof e.data.waitMs === 'number') m.approvalWait.observe(labels, e.data.waitMs / 1000);
      return;
    }
    default:
      return;
  }
}

/**
 * A step's final event. A forEach node closing (`items`, or the error of the item that failed
 * it) is not counted: its items were, each with its own agent and action.
 */
function stepEnded(
  m: Metrics,
  project: string,
  status: string,
  d: StepEnd,
  ratePerSecond: number,
): void {
  const node = d.items !== undefined || (d.durationMs === undefined && hasItem(d.error));
  if (node) return;
  const agent = labelValue(d.agent);
  const action = labelValue(d.action);
  m.stepsFinished.inc({ project, workflow: labelValue(d.workflow), agent, action, status });
  if (d.durationMs !== undefined) {
    m.stepDuration.observe({ project, agent, action, status }, d.durationMs / 1000);
  }
  attemptEnded(m, project, d, ratePerSecond);
}

/** Compute, cost, tokens and errors of an attempt that ended (the event has `durationMs`). */
function attemptEnded(
  m: Metrics,
  project: string,
  d: {
    workflow: string;
    agent: string | null;
    action: string | null;
    durationMs?: number;
    usage?: AttemptUsage;
    error?: unknown;
  },
  ratePerSecond: number,
): void {
  if (d.durationMs === undefined) return;
  const workflow = labelValue(d.workflow);
  const agent = labelValue(d.agent);
  const seconds = d.durationMs / 1000;
  m.computeSeconds.inc({ project, workflow, agent }, seconds);
  m.cost.inc({ project, workflow, agent, kind: 'compute' }, seconds * ratePerSecond);
  if (d.error !== undefined) {
    m.agentErrors.inc({
      project,
      agent,
      action: labelValue(d.action),
      error_type: errorType(d.error),
    });
  }
  const u = d.usage;
  if (!u) return;
  const model = labelValue(u.model, 'unknown');
  if (positive(u.tokensIn)) m.llmTokens.inc({ project, agent, model, direction: 'in' }, u.tokensIn);
  if (positive(u.tokensOut)) {
    m.llmTokens.inc({ project, agent, model, direction: 'out' }, u.tokensOut);
  }
  if (positive(u.costUsd)) {
    m.llmCost.inc({ project, agent, model }, u.costUsd);
    m.cost.inc({ project, workflow, agent, kind: 'llm' }, u.costUsd);
  }
}

/** The catalogue code of an attempt's error, or `agent_error` (agents' own codes are unbounded). */
function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CODE.test(code) ? code : 'agent_error';
}

function hasItem(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'item' in error;
}

function positive(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}
