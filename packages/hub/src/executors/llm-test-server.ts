/**
 * A local OpenAI-compatible chat completions server on 127.0.0.1 for tests of `llm` agents: it
 * speaks the real wire format (`POST /v1/chat/completions`, Bearer auth, OpenAI error bodies)
 * and records every request. Test support only; nothing in the hub imports it.
 */
import { startLocalServer, json } from '../net/local-test-server.js';

/** One chat completion request the server received. */
export interface ChatCall {
  path: string;
  authorization: string | undefined;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
}

/** How the server answers a call: a completion body (status 200) or a status and body. */
export type ChatAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** Options of {@link startChatServer}. */
export interface ChatServerOptions {
  /** When set, requests without `Authorization: Bearer <apiKey>` get OpenAI's 401. */
  apiKey?: string;
  /** Answers each well-formed, authorized call. */
  answer: (call: ChatCall) => ChatAnswer;
}

/** A running chat completions server. */
export interface ChatServer {
  /** `http://127.0.0.1:<port>/v1`: what `LLM_BASE_URL` is set to. */
  baseUrl: string;
  calls: ChatCall[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startChatServer(opts: ChatServerOptions): Promise<ChatServer> {
  const calls: ChatCall[] = [];
  const server = await startLocalServer((req, res) => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      json(
        res,
        404,
        openAiError(`Unknown request URL: ${req.method} ${req.path}.`, 'invalid_request_error'),
      );
      return;
    }
    const authorization = req.headers.authorization;
    if (opts.apiKey !== undefined && authorization !== `Bearer ${opts.apiKey}`) {
      json(
        res,
        401,
        openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      json(
        res,
        400,
        openAiError('We could not parse the JSON body of your request.', 'invalid_request_error'),
      );
      return;
    }
    const call = { path: req.path, authorization, body };
    calls.push(call);
    const answer = opts.answer(call);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
  return { baseUrl: `${server.origin}/v1`, calls, close: () => server.close() };
}

/** Options of {@link completion}. */
export interface CompletionOptions {
  model?: string;
  finishReason?: 'stop' | 'length' | 'content_filter';
  refusal?: string;
  promptTokens?: number;
  completionTokens?: number;
}

/** A 200 answer shaped like OpenAI's `chat.completion` object. */
export function completion(content: string | null, o: CompletionOptions = {}): ChatAnswer {
  const promptTokens = o.promptTokens ?? 120;
  const completionTokens = o.completionTokens ?? 40;
  return {
    status: 200,
    body: {
      id: 'chatcmpl-test-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: o.model ?? 'test-model-2024-01-01',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: o.refusal ?? null },
          logprobs: null,
          finish_reason: o.finishReason ?? 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
  };
}

/** OpenAI's error body. */
export function openAiError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/**
 * A priced `llm` agent (`summarizer.summarize`: `{ text }` → `{ title }`) for suites that run an
 * LLM step through a real hub against this server; its base URL comes from project secrets.
 */
export function summarizerManifest(pricing = { inputPerMillion: 2.5, outputPerMillion: 10 }) {
  return {
    name: 'summarizer',
    version: '1.0.0',
    type: 'llm',
    description: 'summarizes a text',
    runtime: { pricing },
    actions: {
      summarize: {
        prompt: 'Summarize: {{ input.text }}',
        input: { type: 'object', required: ['text'] },
        output: {
          type: 'object',
          additionalProperties: false,
          required: ['title'],
          properties: { title: { type: 'string' } },
        },
      },
    },
  };
}
