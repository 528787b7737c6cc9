import type { ExecutionResult, StepError } from '@commandcenter/protocol';

/** The parts of a NATS reply the transport reads (a `Msg` of @nats-io/nats-core fits). */
export interface NatsReply {
  data: Uint8Array;
  headers?: {
    get(name: string): string;
    /** Status code of a server-generated message (503 = no responders), 0 otherwise. */
    code: number;
    hasError: boolean;
  };
}

const EXCERPT_CHARS = 200;

/**
 * Maps a reply of a NATS agent to the step result: `{ output }` succeeds, `{ error: { message,
 * retryable?, code?, details? } }` is an agent error (retryable unless it says otherwise), a
 * services-framework error (`Nats-Service-Error` / `Nats-Service-Error-Code` headers) is an agent
 * error retryable for 5xx codes, a 503 status from the server means nobody listens on `subject`,
 * and anything else breaks the protocol.
 */
export function interpretNatsReply(reply: NatsReply, subject: string): ExecutionResult {
  const serviceError = reply.headers?.get('Nats-Service-Error') ?? '';
  const serviceCode = reply.headers?.get('Nats-Service-Error-Code') ?? '';
  if (serviceError !== '' || serviceCode !== '') {
    const code = Number.parseInt(serviceCode, 10);
    return fail({
      type: 'agent',
      code: 'CC_E_AGENT_ERROR',
      retryable: !Number.isFinite(code) || code >= 500,
      message:
        `the NATS service on ${subject} answered with error ` +
        `${serviceCode || '(no code)'}: ${serviceError || '(no description)'}`,
      details: { subject, ...(Number.isFinite(code) ? { serviceErrorCode: code } : {}) },
    });
  }
  if (reply.headers?.hasError && reply.headers.code === 503 && reply.data.length === 0) {
    return noResponders(subject);
  }
  const text = new TextDecoder().decode(reply.data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return protocolError(subject, 'the reply is not valid JSON', text);
  }
  if (!isObject(parsed)) return protocolError(subject, 'the reply is not a JSON object', text);
  if (parsed.error !== undefined && parsed.error !== null) return agentError(parsed.error, subject);
  if ('output' in parsed) return { ok: true, output: parsed.output ?? null };
  return protocolError(subject, 'the reply has neither "output" nor "error"', text);
}

/** The failure when no NATS service listens on `subject`. */
export function noResponders(subject: string): ExecutionResult {
  return fail({
    type: 'agent',
    code: 'CC_E_AGENT_UNAVAILABLE',
    retryable: true,
    message:
      `no NATS service listens on ${subject}: start the agent so that it subscribes to that ` +
      'subject (e.g. serveNatsAgent(nc, { project, manifest, handlers }) from the hub’s ' +
      'nats-service-agent module), or fix runtime.subject in the agent manifest',
    details: { subject },
  });
}

function agentError(error: unknown, subject: string): ExecutionResult {
  const fields = isObject(error) ? error : { message: error };
  const message =
    typeof fields.message === 'string' && fields.message !== ''
      ? fields.message
      : 'the agent reported an error without a message';
  return fail({
    type: 'agent',
    code: 'CC_E_AGENT_ERROR',
    retryable: typeof fields.retryable === 'boolean' ? fields.retryable : true,
    message,
    details: {
      subject,
      ...(typeof fields.code === 'string' ? { agentCode: fields.code } : {}),
      ...(isObject(fields.details) ? { agentDetails: fields.details } : {}),
    },
  });
}

function protocolError(subject: string, reason: string, text: string): ExecutionResult {
  const excerpt = text.slice(0, EXCERPT_CHARS);
  return fail({
    type: 'crash',
    code: 'CC_E_AGENT_PROTOCOL',
    retryable: true,
    message:
      `the NATS agent on ${subject} broke the protocol: ${reason}` +
      `${excerpt ? `: ${JSON.stringify(excerpt)}` : ''}; ` +
      'it must reply with one JSON object { "output": ... } or { "error": { "message", "retryable" } }',
    details: { subject, replyBytes: text.length },
  });
}

const fail = (error: StepError): ExecutionResult => ({ ok: false, error });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
