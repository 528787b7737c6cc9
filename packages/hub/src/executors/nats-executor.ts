import type { ExecutionRequest, ExecutionResult } from '@commandcenter/protocol';
import { protocolRequest } from './protocol-request.js';
import { traceHeaders } from '../telemetry/trace-headers.js';
import { abortReason } from './abort-reason.js';
import { createInbox, headers, type NatsConnection } from '@nats-io/transport-node';
import type { AgentExecutionContext, AgentOfType, Transport } from './agent-context.js';
import { LazyNatsConnection } from './nats-connection.js';
import { interpretNatsReply } from './nats-reply.js';

/** Options of {@link createNatsTransport}. */
export interface NatsTransportOptions {
  /** NATS server URL(s), comma-separated: the hub's `NATS_URL`. */
  servers: string;
  /** Connection name shown by the server (default `commandcenter-hub`). */
  name?: string;
}

type NatsAgent = AgentOfType<'nats'>;

/** The subject a NATS agent listens on: `runtime.subject`, else `cc.<project>.agent.<name>`. */
export function natsAgentSubject(agent: Pick<NatsAgent, 'name' | 'runtime'>, project: string) {
  return agent.runtime?.subject ?? `cc.${project}.agent.${agent.name}`;
}

/**
 * The `nats` transport (SPEC §4): request/reply of the protocol JSON on the agent's subject.
 *
 * One connection is opened on first use and shared; the client reconnects by itself. Each attempt
 * waits on its own reply inbox until the reply arrives or `ctx.signal` aborts (the engine aborts on
 * the step timeout and on cancellation), so an abandoned request holds nothing afterwards. While
 * the connection is down, attempts fail fast as retryable `CC_E_AGENT_UNAVAILABLE`, and attempts
 * waiting when it drops fail the same way (their reply would be lost). `close()` waits for the
 * running attempts, then drains the connection.
 */
export function createNatsTransport(opts: NatsTransportOptions): Transport<NatsAgent> {
  const waiting = new Set<(result: ExecutionResult) => void>();
  const running = new Set<Promise<ExecutionResult>>();
  let closed = false;
  const conn = new LazyNatsConnection({
    ...opts,
    onDisconnect: () => {
      for (const finish of [...waiting]) {
        finish(
          unavailable(`the connection to NATS (${opts.servers}) dropped before the reply came`),
        );
      }
    },
  });

  async function execute(
    agent: NatsAgent,
    request: ExecutionRequest,
    ctx: AgentExecutionContext,
  ): Promise<ExecutionResult> {
    if (closed) return unavailable('the hub is shutting down its NATS transport');
    if (ctx.signal.aborted) return { ok: false, error: abortReason(ctx.signal) };
    let nc: NatsConnection;
    try {
      const got = await Promise.race([conn.get(), aborted(ctx.signal)]);
      if (!got) return { ok: false, error: abortReason(ctx.signal) };
      nc = got;
    } catch (err) {
      return unavailable(
        `cannot connect to NATS at ${opts.servers}: ${errorText(err)}; ` +
          'check the hub’s NATS_URL and that the NATS server is running',
      );
    }
    if (!conn.connected) {
      return unavailable(
        `the hub is not connected to NATS (${opts.servers}) right now; the client keeps reconnecting`,
      );
    }
    return requestReply(nc, natsAgentSubject(agent, request.run.project), request, ctx);
  }

  function requestReply(
    nc: NatsConnection,
    subject: string,
    request: ExecutionRequest,
    ctx: AgentExecutionContext,
  ): Promise<ExecutionResult> {
    return new Promise<ExecutionResult>((resolve) => {
      const inbox = createInbox();
      let done = false;
      const finish = (result: ExecutionResult) => {
        if (done) return;
        done = true;
        waiting.delete(finish);
        ctx.signal.removeEventListener('abort', onAbort);
        sub.unsubscribe();
        resolve(result);
      };
      const onAbort = () => finish({ ok: false, error: abortReason(ctx.signal) });
      const sub = nc.subscribe(inbox, {
        max: 1,
        callback: (err, msg) => {
          if (err) finish(unavailable(`cannot receive the reply on ${subject}: ${err.message}`));
          else finish(interpretNatsReply(msg, subject));
        },
      });
      waiting.add(finish);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        const trace = Object.entries(traceHeaders(request, ctx));
        const h = trace.length > 0 ? headers() : undefined;
        for (const [name, value] of trace) h!.set(name, value);
        nc.publish(subject, JSON.stringify(protocolRequest(request)), {
          reply: inbox,
          ...(h ? { headers: h } : {}),
        });
      } catch (err) {
        finish(publishFailure(nc, subject, err));
      }
    });
  }

  return {
    execute(agent, request, ctx) {
      const attempt = execute(agent, request, ctx);
      running.add(attempt);
      void attempt.finally(() => running.delete(attempt));
      return attempt;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...running]);
      await conn.close();
    },
  };
}

function publishFailure(nc: NatsConnection, subject: string, err: unknown): ExecutionResult {
  const text = errorText(err);
  if (/payload|too large/i.test(text)) {
    return {
      ok: false,
      error: {
        type: 'agent',
        code: 'CC_E_AGENT_ERROR',
        retryable: false,
        message:
          `the request to ${subject} is larger than the NATS server accepts ` +
          `(max_payload ${nc.info?.max_payload ?? 'unknown'} bytes): ${text}; pass large data by ` +
          'reference (a URL or a path), or raise max_payload on the NATS server',
      },
    };
  }
  return unavailable(`cannot publish the request on ${subject}: ${text}`);
}

function unavailable(message: string): ExecutionResult {
  return {
    ok: false,
    error: { type: 'agent', code: 'CC_E_AGENT_UNAVAILABLE', retryable: true, message },
  };
}

/** Resolves undefined once `signal` aborts (never settles otherwise). */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(undefined), { once: true }),
  );
}

function errorText(err: unknown): string {
  return String((err as Error)?.message ?? err);
}
