/**
 * Serving an agent over NATS (the agent author's side of the `nats` transport): a NATS micro
 * service whose metadata carries the agent manifest, so hubs discover and register it, with one
 * endpoint on `cc.<project>.agent.<name>` (or the manifest's `runtime.subject`).
 */
import { validateAgentManifest, type ExecutionRequest } from '@commandcenter/protocol';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { natsAgentSubject } from './nats-executor.js';

/** Service metadata key holding the agent manifest (JSON). */
export const natsManifestKey = 'cc.manifest';
/** Service metadata key holding the project the agent serves. */
export const natsProjectKey = 'cc.project';

/** One action of a NATS agent: gets the input and the whole request, returns the output. */
export type NatsAgentHandler = (input: unknown, request: ExecutionRequest) => unknown;

/** Options of {@link serveNatsAgent}. */
export interface ServeNatsAgentOptions {
  /** The project whose hub may call the agent (the subject is `cc.<project>.agent.<name>`). */
  project: string;
  /** The agent manifest document (as for `POST /api/v1/agents`); its type is set to `nats`. */
  manifest: Record<string, unknown>;
  /** One handler per action of the manifest. */
  handlers: Record<string, NatsAgentHandler>;
  /**
   * Queue group of the endpoint (default `q`): instances in the same group share the requests,
   * so starting the agent twice doubles its capacity instead of running each request twice.
   */
  queue?: string;
}

/**
 * Starts a NATS service answering the hub's requests for one agent. A handler's return value is
 * the step output; a thrown error becomes `{ error: { message, retryable } }` (retryable unless
 * the error has `retryable: false`; a string `code` is passed along). Stop it with
 * `service.stop()`. Throws when the manifest is invalid or an action has no handler.
 *
 * @example
 * const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
 * await serveNatsAgent(nc, {
 *   project: 'demo',
 *   manifest: { name: 'greeter', version: '1.0.0', type: 'nats', actions: { greet: {} } },
 *   handlers: { greet: (input) => ({ text: `hello ${(input as { who: string }).who}` }) },
 * });
 */
export async function serveNatsAgent(
  nc: NatsConnection,
  opts: ServeNatsAgentOptions,
): Promise<Service> {
  const doc = { ...opts.manifest, type: 'nats' };
  const checked = validateAgentManifest(doc);
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `${p.path || '(manifest)'}: ${p.message}`);
    throw new Error(`the agent manifest is invalid:\n  ${problems.join('\n  ')}`);
  }
  const agent = checked.agent;
  if (agent.type !== 'nats') throw new Error('unreachable: the manifest type was set to nats');
  const actions = Object.keys(agent.actions);
  const missing = actions.filter((a) => typeof opts.handlers[a] !== 'function');
  const extra = Object.keys(opts.handlers).filter((a) => !actions.includes(a));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `the handlers of agent ${agent.name} do not match its actions (${actions.join(', ')}):` +
        (missing.length ? ` no handler for ${missing.join(', ')};` : '') +
        (extra.length ? ` handlers for undeclared actions ${extra.join(', ')};` : '') +
        ' add the missing handlers or actions',
    );
  }
  const subject = natsAgentSubject(agent, opts.project);
  const service = await servicesOf(nc).add({
    name: agent.name,
    version: agent.version,
    description: agent.description,
    metadata: { [natsManifestKey]: JSON.stringify(doc), [natsProjectKey]: opts.project },
    ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
  });
  service.addEndpoint('execute', {
    subject,
    handler: (err, msg) => {
      if (err) return;
      void answer(msg, agent.name, opts.handlers);
    },
  });
  // Once this returns, the server knows the service's subscriptions: a hub on another connection
  // that discovers or calls it right away finds it.
  await nc.flush();
  return service;
}

/**
 * The services API on a connection. @nats-io/services is built against its own copy of
 * @nats-io/nats-core, whose `NatsConnection` type differs only nominally from the transport's.
 */
export function servicesOf(nc: NatsConnection): Svcm {
  return new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
}

async function answer(
  msg: ServiceMsg,
  agent: string,
  handlers: Record<string, NatsAgentHandler>,
): Promise<void> {
  let request: ExecutionRequest;
  try {
    request = msg.json<ExecutionRequest>();
  } catch {
    msg.respondError(400, 'the request is not valid JSON');
    return;
  }
  const handler = handlers[request?.action];
  if (!handler) {
    reply(msg, {
      error: {
        message: `agent ${agent} has no action ${String(request?.action)}`,
        retryable: false,
      },
    });
    return;
  }
  try {
    reply(msg, { output: (await handler(request.input, request)) ?? null });
  } catch (err) {
    const e = err as { message?: unknown; retryable?: unknown; code?: unknown };
    reply(msg, {
      error: {
        message: typeof e?.message === 'string' ? e.message : String(err),
        retryable: typeof e?.retryable === 'boolean' ? e.retryable : true,
        ...(typeof e?.code === 'string' ? { code: e.code } : {}),
      },
    });
  }
}

function reply(msg: ServiceMsg, body: unknown): void {
  try {
    msg.respond(JSON.stringify(body));
  } catch (err) {
    // An output too large for the server still gets an answer, so the step does not hang.
    msg.respondError(500, `cannot send the reply: ${String((err as Error)?.message ?? err)}`);
  }
}
