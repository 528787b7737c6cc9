import { randomUUID } from 'node:crypto';
import {
  CCError,
  checkTemplates,
  effectiveRisk,
  evaluateCondition,
  evaluateForEach,
  isCCError,
  referencedSecrets,
  resolveTemplates,
  compileTemplates,
  type AgentManifest,
  type AttemptUsage,
  type CompiledTemplate,
  type ExecutionRequest,
  type StepError,
  type ProjectSettings,
  type TemplateContext,
  type WorkflowDefinition,
  type WorkflowNode,
  validateAgainstSchema,
} from '@commandcenter/protocol';
import type { AgentExecutionContext } from '../executors/agent-context.js';
import type { Executors } from '../executors/registry.js';
import { abortReason } from '../executors/registry.js';
import { createRedactor, type Redactor } from '../secrets/redact.js';
import type { SecretResolver } from '../secrets/secret-resolver.js';
import { needsApproval } from './approval-policy.js';
import type { Catalog } from './catalog.js';
import type { ProjectSettingsCache } from './project-settings.js';
import type { ClaimedTask, Completion } from './task.js';

export interface StepRunnerDeps {
  catalog: Catalog;
  executors: Executors;
  /** Project settings: approval policy, SSRF-guard exemptions. */
  projects: Pick<ProjectSettingsCache, 'get'>;
  workerId: string;
  log(task: ClaimedTask, line: string): void;
  /** Stores buffered log lines (called before completions are recorded). */
  flushLogs?: () => Promise<void>;
  /** Decrypts the project secrets a step needs (`{{ secrets.NAME }}`, `runtime.secrets`). */
  secrets?: SecretResolver;
  /** Watches every attempt (tracing); absent, nothing is observed and nothing is spent. */
  attempts?: AttemptObserver;
}

/**
 * Watches step attempts from outside the engine (telemetry/tracing-attempts.ts makes one span per
 * attempt). `begin` is called when an attempt starts executing; its scope ends with the attempt.
 */
export interface AttemptObserver {
  begin(task: ClaimedTask): AttemptScope;
  /** The id of the trace the attempt belongs to (for log lines about it). */
  traceId(task: ClaimedTask): string;
}

/** One attempt under observation. */
export interface AttemptScope {
  /** W3C trace context handed to the agent (`request.traceparent`, its header or variable). */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The agent and action the step resolved to. */
  resolved(agent: AgentManifest, action: string): void;
  /** Runs the attempt's work, so that what it does (store queries) is attributed to it. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The attempt ended: its completion (secrets redacted), or what it threw. */
  end(completion: Completion | undefined, thrown?: unknown): void;
}

const compiled = new WeakMap<WorkflowNode, CompiledTemplate>();
const inputsOf = (node: WorkflowNode) => {
  let c = compiled.get(node);
  if (!c) {
    c = compileTemplates(node.inputs ?? {}, 'inputs');
    compiled.set(node, c);
  }
  return c;
};

/** Secrets a node's templates reference: in `when`/`forEach` (the gate) and in its inputs. */
interface NodeSecrets {
  when: string[];
  forEach: string[];
  inputs: string[];
}
const secretsByNode = new WeakMap<WorkflowNode, NodeSecrets>();
const secretsOf = (node: WorkflowNode): NodeSecrets => {
  let s = secretsByNode.get(node);
  if (!s) {
    // checkTemplates never throws: syntax errors surface where the templates are evaluated.
    const names = (v: unknown) =>
      v === undefined ? [] : referencedSecrets(checkTemplates(v).compiled);
    s = {
      when: names(node.when),
      forEach: names(typeof node.forEach === 'string' ? node.forEach : undefined),
      inputs: names(node.inputs ?? {}),
    };
    secretsByNode.set(node, s);
  }
  return s;
};

/** Secrets an agent declares to receive (as environment variables for process agents). */
function declaredSecrets(agent: AgentManifest): string[] {
  const names = (agent.runtime as { secrets?: unknown } | undefined)?.secrets;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/**
 * The secrets of one attempt: resolved on demand (only the names the step reaches), held only for
 * the attempt, and the redactor that keeps their values out of everything stored or published.
 */
class StepSecrets {
  values: Record<string, string> = {};
  redactor: Redactor = createRedactor([]);

  constructor(
    private readonly resolver: SecretResolver | undefined,
    private readonly project: string,
  ) {}

  /** Resolves the names not resolved yet; a StepError when one cannot be. */
  async need(names: readonly string[]): Promise<StepError | undefined> {
    const missing = [...new Set(names)].filter((n) => !Object.hasOwn(this.values, n));
    if (missing.length === 0) return undefined;
    if (!this.resolver) {
      return fail(
        'config',
        'CC_E_SECRET_MISSING',
        `secret ${missing.join(', ')} cannot be resolved: this hub runs without a secret store`,
      );
    }
    let got: Record<string, string>;
    try {
      got = await this.resolver.resolve(this.project, missing);
    } catch (err) {
      if (isCCError(err)) return fail('config', err.code, err.message);
      // The store could not be read (not a property of the secret): another attempt may succeed.
      return {
        type: 'config',
        code: 'CC_E_INTERNAL',
        retryable: true,
        message: `could not read the step's secrets: ${String((err as Error)?.message ?? err)}`,
      };
    }
    const absent = missing.filter((n) => typeof got[n] !== 'string');
    if (absent.length > 0) {
      return fail(
        'config',
        'CC_E_SECRET_MISSING',
        `secret ${absent.join(', ')} is not set in project ${this.project}`,
      );
    }
    this.values = Object.fromEntries([
      ...Object.entries(this.values),
      ...missing.map((n): [string, string] => [n, got[n]!]),
    ]);
    this.redactor = createRedactor(Object.values(this.values));
    return undefined;
  }

  /**
   * A secret the transport may use when it is set (the llm transport's defaults): undefined when
   * the project has none by that name. Its value is redacted like any other.
   */
  async optional(name: string): Promise<string | undefined> {
    if (Object.hasOwn(this.values, name)) return this.values[name];
    if (!this.resolver) return undefined;
    let got: Record<string, string>;
    try {
      got = await this.resolver.resolve(this.project, [name]);
    } catch (err) {
      // Not set is an answer here, not a failure; a store that cannot be read still throws.
      if (isCCError(err) && err.code === 'CC_E_SECRET_MISSING') return undefined;
      throw err;
    }
    const value = got[name];
    if (typeof value !== 'string') return undefined;
    this.values = { ...this.values, [name]: value };
    this.redactor = createRedactor(Object.values(this.values));
    return value;
  }

  /** The resolved values of `names` (the secrets an agent declared). */
  pick(names: readonly string[]): Record<string, string> {
    return Object.fromEntries(
      names.filter((n) => Object.hasOwn(this.values, n)).map((n) => [n, this.values[n]!]),
    );
  }

  /** The completion with every secret value replaced in what gets stored and published. */
  redact(c: Completion): Completion {
    const r = this.redactor;
    if (Object.keys(this.values).length === 0) return c;
    return {
      ...c,
      ...(c.input !== undefined ? { input: r.value(c.input) } : {}),
      ...(c.output !== undefined ? { output: r.value(c.output) } : {}),
      ...(c.error !== undefined ? { error: r.value(c.error) } : {}),
      ...(c.snapshot !== undefined ? { snapshot: r.value(c.snapshot) } : {}),
      ...(c.items !== undefined ? { items: r.value(c.items) } : {}),
    };
  }
}

/** A failure of the step itself (template, schema, config): never retried. */
const fail = (
  type: StepError['type'],
  code: string,
  message: string,
  details?: Record<string, unknown>,
) => ({ type, code, retryable: false, message, ...(details ? { details } : {}) }) as StepError;

function templateFailure(err: unknown): StepError {
  if (err instanceof CCError)
    return fail('template', err.code, err.message, { problems: err.problems });
  return fail('template', 'CC_E_TEMPLATE_EVAL', String((err as Error)?.message ?? err));
}

/**
 * Runs one claimed task to its outcome: evaluates `when`, fans out `forEach`, asks for approval,
 * resolves inputs, validates them, executes the agent under the node's timeout, validates the
 * output. Never throws: every failure becomes a Completion.
 *
 * Secrets: only the names the step reaches are resolved (those its `when`/`forEach`/inputs
 * templates reference, and the agent's declared `runtime.secrets` when it executes); the executor
 * gets the real values, while the completion (input, output, error, snapshot, items) and every
 * log line have them replaced by `***`.
 */
export async function runTask(
  task: ClaimedTask,
  signal: AbortSignal,
  deps: StepRunnerDeps,
): Promise<Completion> {
  const secrets = new StepSecrets(deps.secrets, task.project);
  const scope = deps.attempts?.begin(task);
  if (!scope) return secrets.redact(await runAttempt(task, signal, deps, secrets));
  try {
    const completion = secrets.redact(
      await scope.run(() => runAttempt(task, signal, deps, secrets, scope)),
    );
    scope.end(completion);
    return completion;
  } catch (err) {
    scope.end(undefined, err);
    throw err;
  }
}

async function runAttempt(
  task: ClaimedTask,
  signal: AbortSignal,
  deps: StepRunnerDeps,
  secrets: StepSecrets,
  scope?: AttemptScope,
): Promise<Completion> {
  const base = { runId: task.runId, key: task.key, attempt: task.attempt, worker: deps.workerId };
  let def: WorkflowDefinition;
  let agent: AgentManifest;
  let node: WorkflowNode;
  let settings: ProjectSettings;
  try {
    settings = await deps.projects.get(task.project);
  } catch (err) {
    return {
      ...base,
      outcome: 'failed',
      error: {
        type: 'config',
        code: 'CC_E_INTERNAL',
        retryable: true,
        message: `could not read the settings of project ${task.project}: ${String((err as Error)?.message ?? err)}`,
      },
    };
  }
  try {
    def = await deps.catalog.definition(task.project, task.workflow, task.version);
    const n = def.nodes.find((x) => x.id === task.nodeId);
    if (!n) throw new Error(`node ${task.nodeId} is not in ${task.workflow} v${task.version}`);
    node = n;
    const version = task.agentVersions[node.agent];
    if (!version) throw new Error(`agent ${node.agent} was not registered when the run started`);
    agent = await deps.catalog.agent(task.project, node.agent, version);
    scope?.resolved(agent, node.action);
  } catch (err) {
    return {
      ...base,
      outcome: 'failed',
      error: fail('config', 'CC_E_AGENT_CONFIG', String((err as Error).message)),
    };
  }

  const ctx: TemplateContext = {
    input: task.runInput,
    event: task.trigger?.event,
    nodes: Object.fromEntries(
      Object.entries(task.upstream ?? {}).map(([id, v]) => [id, { output: v.output }]),
    ),
    item: task.item ?? undefined,
    run: {
      id: task.runId,
      workflow: task.workflow,
      version: task.version,
      project: task.project,
      trigger: task.trigger,
    },
    secrets: {},
  };
  const isItem = task.parentKey !== null;
  const approved = task.approval === 'approved';
  const nodeSecrets = secretsOf(node);
  const needSecrets = async (names: readonly string[]): Promise<StepError | undefined> => {
    const error = await secrets.need(names);
    ctx.secrets = secrets.values;
    return error;
  };

  // Secrets of `when` and `forEach`, which are evaluated before anything else.
  const gateError = await needSecrets([
    ...(!isItem && !approved ? nodeSecrets.when : []),
    ...(!isItem ? nodeSecrets.forEach : []),
  ]);
  if (gateError) return { ...base, outcome: 'failed', error: gateError };

  // `when` and `forEach` belong to the node, not to each item; an approved step was checked already.
  if (!isItem && !approved) {
    try {
      if (node.when && !(await evaluateCondition(node.when, ctx)))
        return { ...base, outcome: 'skipped', output: null };
    } catch (err) {
      return { ...base, outcome: 'failed', error: templateFailure(err) };
    }
  }

  let items: unknown[] | undefined;
  if (!isItem && node.forEach) {
    try {
      items = await evaluateForEach(node.forEach, ctx);
    } catch (err) {
      return { ...base, outcome: 'failed', error: templateFailure(err) };
    }
  }

  // Approval: a snapshot of exactly what will run, taken before anything runs.
  if (!isItem && !approved && needsApproval(node, agent, settings.approvalPolicy)) {
    if (!items) {
      const error = await needSecrets(nodeSecrets.inputs);
      if (error) return { ...base, outcome: 'failed', error };
    }
    let input: unknown;
    try {
      input = items
        ? { forEach: items, inputs: node.inputs ?? {} }
        : await resolveTemplates(inputsOf(node), ctx);
    } catch (err) {
      return { ...base, outcome: 'failed', error: templateFailure(err) };
    }
    return {
      ...base,
      outcome: 'approval',
      approvalId: randomUUID(),
      input,
      expiresInMs: node.approvalTimeoutMs ?? null,
      snapshot: {
        agent: agent.name,
        agentVersion: agent.version,
        action: node.action,
        risk: effectiveRisk(agent, node.action),
        input,
        upstream: ctx.nodes,
        ...(items ? { items } : {}),
      },
    };
  }
  if (items) return { ...base, outcome: 'expand', items, input: { forEach: items } };

  const declared = declaredSecrets(agent);
  const secretsError = await needSecrets([...nodeSecrets.inputs, ...declared]);
  if (secretsError) return { ...base, outcome: 'failed', error: secretsError };

  // An approved step runs the approved snapshot, except when its inputs reference secrets: the
  // stored snapshot has them redacted, so the templates are resolved again.
  let input: unknown;
  if (
    approved &&
    !isItem &&
    task.input !== null &&
    task.input !== undefined &&
    nodeSecrets.inputs.length === 0
  ) {
    input = task.input;
  } else {
    try {
      input = await resolveTemplates(inputsOf(node), ctx);
    } catch (err) {
      return { ...base, outcome: 'failed', error: templateFailure(err) };
    }
  }
  const action = agent.actions[node.action];
  if (!action) {
    return {
      ...base,
      outcome: 'failed',
      input,
      error: fail(
        'config',
        'CC_E_AGENT_CONFIG',
        `agent ${agent.name} has no action ${node.action}`,
      ),
    };
  }
  const inputError = schemaFailure(
    action.input,
    input,
    'CC_E_INPUT_INVALID',
    `${agent.name}.${node.action}'s input`,
  );
  if (inputError) return { ...base, outcome: 'failed', input, error: inputError };

  const request: ExecutionRequest = {
    action: node.action,
    input,
    run: { id: task.runId, project: task.project, workflow: task.workflow, version: task.version },
    step: {
      id: task.nodeId,
      key: task.key,
      ...(isItem ? { item: task.item, index: task.itemIndex ?? 0 } : {}),
    },
    attempt: task.attempt,
    idempotencyKey: `${task.runId}:${task.key}`,
    ...(scope?.traceparent ? { traceparent: scope.traceparent } : {}),
  };
  const timeoutMs = node.timeoutMs ?? agentTimeout(agent);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs !== undefined
      ? setTimeout(
          () =>
            controller.abort({
              type: 'timeout',
              code: 'CC_E_STEP_TIMEOUT',
              retryable: true,
              message: `the step exceeded its timeout of ${timeoutMs} ms`,
            } satisfies StepError),
          timeoutMs,
        )
      : undefined;
  let usage: AttemptUsage | undefined;
  const execution: AgentExecutionContext = {
    signal: controller.signal,
    log: (line) => deps.log(task, secrets.redactor.text(line)),
    allowHosts: settings.egressAllowHosts,
    lookupSecret: (name) => secrets.optional(name),
    usage: (u) => {
      usage = u;
    },
    ...(scope?.tracestate ? { tracestate: scope.tracestate } : {}),
  };
  if (declared.length > 0) {
    execution.secrets = secrets.pick(declared);
    execution.secretsEnv = secrets.pick(declared);
  }
  try {
    const result = await deps.executors.execute(agent, request, execution);
    const spent = usage ? { usage } : {};
    if (!result.ok) {
      const error = controller.signal.aborted ? abortReason(controller.signal) : result.error;
      return {
        ...base,
        ...spent,
        outcome: error.type === 'timeout' ? 'timed_out' : 'failed',
        input,
        error,
      };
    }
    const outputError = schemaFailure(
      action.output,
      result.output,
      'CC_E_OUTPUT_INVALID',
      `${agent.name}.${node.action}'s output`,
    );
    if (outputError) return { ...base, ...spent, outcome: 'failed', input, error: outputError };
    return { ...base, ...spent, outcome: 'succeeded', input, output: result.output ?? null };
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** The agent's own attempt timeout (`runtime.timeoutMs`), if it declares one. */
export function agentTimeout(agent: AgentManifest): number | undefined {
  const t = (agent.runtime as { timeoutMs?: unknown } | undefined)?.timeoutMs;
  return typeof t === 'number' ? t : undefined;
}

/** The step failure when `value` breaks `schema` (none when it conforms or there is no schema). */
export function schemaFailure(
  schema: unknown,
  value: unknown,
  code: 'CC_E_INPUT_INVALID' | 'CC_E_OUTPUT_INVALID',
  what: string,
): StepError | null {
  if (schema === undefined || schema === null) return null;
  const problems = validateAgainstSchema(
    schema,
    value,
    code,
    code === 'CC_E_INPUT_INVALID' ? 'input' : 'output',
  );
  if (!problems.length) return null;
  const message = `the ${code === 'CC_E_INPUT_INVALID' ? 'resolved input' : 'output'} does not match ${what} schema: ${problems.map((p) => p.message).join('; ')}`;
  return fail('validation', code, message, { problems });
}
