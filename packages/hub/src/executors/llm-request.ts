import {
  CCError,
  compileTemplates,
  resolveTemplates,
  type CompiledTemplate,
  type ExecutionRequest,
  type StepError,
  type TemplateContext,
} from '@commandcenter/protocol';
import type { AgentOfType } from './agent-context.js';

/** One chat message of an OpenAI-compatible chat completion request. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** The body of `POST {baseUrl}/chat/completions`. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  max_tokens?: number;
  response_format:
    | { type: 'json_object' }
    | {
        type: 'json_schema';
        json_schema: { name: string; schema: Record<string, unknown>; strict: boolean };
      };
}

type LlmAgent = AgentOfType<'llm'>;

const compiledPrompts = new WeakMap<object, Map<string, CompiledTemplate>>();

/**
 * Builds the chat completion request of one attempt: the action's prompt (or `runtime.prompt`)
 * rendered against `{ input, run, step }`, `runtime.system` as the system message, and a
 * `response_format` asking for the action's output schema (`json_schema`, strict when the schema
 * meets the strict-mode rules of OpenAI) or any JSON object when the action has none.
 */
export async function buildChatRequest(
  agent: LlmAgent,
  request: ExecutionRequest,
  model: string,
): Promise<{ ok: true; body: ChatCompletionRequest } | { ok: false; error: StepError }> {
  const action = agent.actions[request.action];
  if (!action) {
    return failure(
      'config',
      'CC_E_AGENT_CONFIG',
      `agent ${agent.name} has no action ${request.action}`,
    );
  }
  const runtime = agent.runtime ?? {};
  const template = action.prompt ?? runtime.prompt;
  if (template === undefined) {
    return failure(
      'config',
      'CC_E_AGENT_CONFIG',
      `action ${request.action} of llm agent ${agent.name} has no prompt: add \`prompt\` to the ` +
        'action or a default runtime.prompt to the manifest',
    );
  }
  let prompt: string;
  try {
    prompt = await renderPrompt(agent, request, template);
  } catch (err) {
    if (err instanceof CCError) {
      return failure('template', err.code, err.message, { problems: err.problems });
    }
    return failure('template', 'CC_E_TEMPLATE_EVAL', String((err as Error)?.message ?? err));
  }
  const schema = action.output;
  const structured = typeof schema === 'object' && schema !== null;
  const messages: ChatMessage[] = [
    ...(runtime.system ? [{ role: 'system' as const, content: runtime.system }] : []),
    { role: 'user', content: prompt },
  ];
  // OpenAI refuses json_object mode unless the conversation mentions JSON.
  if (!structured && !messages.some((m) => /json/i.test(m.content))) {
    messages.push({ role: 'user', content: 'Answer with one JSON object.' });
  }
  return {
    ok: true,
    body: {
      model,
      messages,
      ...(runtime.temperature !== undefined ? { temperature: runtime.temperature } : {}),
      ...(runtime.maxTokens !== undefined ? { max_tokens: runtime.maxTokens } : {}),
      response_format: structured
        ? {
            type: 'json_schema',
            json_schema: { name: request.action, schema, strict: isStrictSchema(schema) },
          }
        : { type: 'json_object' },
    },
  };
}

async function renderPrompt(
  agent: LlmAgent,
  request: ExecutionRequest,
  template: string,
): Promise<string> {
  let byTemplate = compiledPrompts.get(agent);
  if (!byTemplate) {
    byTemplate = new Map();
    compiledPrompts.set(agent, byTemplate);
  }
  let compiled = byTemplate.get(template);
  if (!compiled) {
    compiled = compileTemplates(template, `actions.${request.action}.prompt`);
    byTemplate.set(template, compiled);
  }
  const context: TemplateContext & { step: unknown } = {
    input: request.input,
    run: request.run,
    step: request.step,
  };
  const value = await resolveTemplates(compiled, context);
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * Whether a schema meets OpenAI's strict structured-output rules: every object schema lists all
 * its properties in `required` and sets `additionalProperties: false`. Other schemas are sent
 * with `strict: false` (the provider follows them as best it can; the engine validates after).
 */
export function isStrictSchema(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictSchema);
  if (typeof schema !== 'object' || schema === null) return true;
  const s = schema as Record<string, unknown>;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const props = s.properties;
  if (types.includes('object') || (typeof props === 'object' && props !== null)) {
    if (s.additionalProperties !== false) return false;
    const keys = typeof props === 'object' && props !== null ? Object.keys(props) : [];
    const required = Array.isArray(s.required) ? s.required : [];
    if (!keys.every((k) => required.includes(k))) return false;
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties' || key === '$defs' || key === 'definitions') {
      if (typeof value === 'object' && value !== null) {
        if (!Object.values(value).every(isStrictSchema)) return false;
      }
    } else if (['items', 'anyOf', 'allOf', 'oneOf', 'not', 'prefixItems'].includes(key)) {
      if (!isStrictSchema(value)) return false;
    }
  }
  return true;
}

function failure(
  type: StepError['type'],
  code: string,
  message: string,
  details?: Record<string, unknown>,
): { ok: false; error: StepError } {
  return {
    ok: false,
    error: { type, code, retryable: false, message, ...(details ? { details } : {}) },
  };
}
