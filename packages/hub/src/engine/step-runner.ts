import { randomUUID } from 'node:crypto';
import {
  CCError,
  effectiveRisk,
  evaluateCondition,
  evaluateForEach,
  resolveTemplates,
  compileTemplates,
  type AgentManifest,
  type CompiledTemplate,
  type ExecutionRequest,
  type StepError,
  type TemplateContext,
  type WorkflowDefinition,
  type WorkflowNode,
  validateAgainstSchema,
} from '@commandcenter/protocol';
import type { Executors } from '../executors/registry.js';
import { abortReason } from '../executors/registry.js';
import { needsApproval, type ApprovalPolicy } from './approval-policy.js';
import type { Catalog } from './catalog.js';
import type { ClaimedTask, Completion } from './task.js';

export interface StepRunnerDeps {
  catalog: Catalog;
  executors: Executors;
  approvalPolicy: ApprovalPolicy;
  workerId: string;
  log(task: ClaimedTask, line: string): void;
  /** Stores buffered log lines (called before completions are recorded). */
  flushLogs?: () => Promise<void>;
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
 */
export async function runTask(
  task: ClaimedTask,
  signal: AbortSignal,
  deps: StepRunnerDeps,
): Promise<Completion> {
  const base = { runId: task.runId, key: task.key, attempt: task.attempt, worker: deps.workerId };
  let def: WorkflowDefinition;
  let agent: AgentManifest;
  let node: WorkflowNode;
  try {
    def = await deps.catalog.definition(task.project, task.workflow, task.version);
    const n = def.nodes.find((x) => x.id === task.nodeId);
    if (!n) throw new Error(`node ${task.nodeId} is not in ${task.workflow} v${task.version}`);
    node = n;
    const version = task.agentVersions[node.agent];
    if (!version) throw new Error(`agent ${node.agent} was not registered when the run started`);
    agent = await deps.catalog.agent(task.project, node.agent, version);
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
  if (!isItem && !approved && needsApproval(node, agent, deps.approvalPolicy)) {
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

  let input: unknown;
  if (approved && !isItem && task.input !== null && task.input !== undefined) {
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
  try {
    const result = await deps.executors.execute(agent, request, {
      signal: controller.signal,
      log: (line) => deps.log(task, line),
    });
    if (!result.ok) {
      const error = controller.signal.aborted ? abortReason(controller.signal) : result.error;
      return { ...base, outcome: error.type === 'timeout' ? 'timed_out' : 'failed', input, error };
    }
    const outputError = schemaFailure(
      action.output,
      result.output,
      'CC_E_OUTPUT_INVALID',
      `${agent.name}.${node.action}'s output`,
    );
    if (outputError) return { ...base, outcome: 'failed', input, error: outputError };
    return { ...base, outcome: 'succeeded', input, output: result.output ?? null };
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function agentTimeout(agent: AgentManifest): number | undefined {
  const t = (agent.runtime as { timeoutMs?: unknown } | undefined)?.timeoutMs;
  return typeof t === 'number' ? t : undefined;
}

/** The step failure when `value` breaks `schema` (none when it conforms or there is no schema). */
function schemaFailure(
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
