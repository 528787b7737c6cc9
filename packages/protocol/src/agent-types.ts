/**
 * Agent manifest types (SPEC §1, §4). Runtime settings live under one key, `runtime`, whose
 * shape depends on `type`.
 */
import type { JsonSchema } from './json-schema.js';

/** Agent transports. */
export type AgentType = 'process' | 'http' | 'nats' | 'llm' | 'builtin';

/** Risk levels, lowest first. */
export type Risk = 'low' | 'medium' | 'high' | 'critical';

/** `runtime` of a `process` agent: spawned per attempt, or kept warm with `persistent`. */
export interface ProcessRuntime {
  /** Executable, or executable plus arguments. Never run through a shell. */
  command: string | string[];
  args?: string[];
  cwd?: string;
  /** Extra environment variables (literal values). */
  env?: Record<string, string>;
  /** Names of hub environment variables passed through; everything else is scrubbed. */
  envAllowlist?: string[];
  /** Names of project secrets injected as environment variables. */
  secrets?: string[];
  /** Keep one process alive and send one request per line. */
  persistent?: boolean;
  /** Default attempt timeout (a node's `timeout` wins), in milliseconds. */
  timeoutMs?: number;
  memoryMb?: number;
  maxOutputBytes?: number;
}

/** `runtime` of an `http` agent: POST of the request to `url`. */
export interface HttpRuntime {
  url: string;
  /** Header values may reference secrets: `Bearer {{ secrets.TOKEN }}`. */
  headers?: Record<string, string>;
  /** Names of project secrets the header templates use. */
  secrets?: string[];
  timeoutMs?: number;
}

/** `runtime` of a `nats` agent: request/reply, default subject `cc.<project>.agent.<name>`. */
export interface NatsRuntime {
  subject?: string;
  timeoutMs?: number;
}

/** `runtime` of an `llm` agent (OpenAI-compatible chat completions). */
export interface LlmRuntime {
  /** OpenAI-compatible base URL (`…/v1`); default: the project secret `LLM_BASE_URL`. */
  baseUrl?: string;
  /** Model name; default: the project secret `LLM_MODEL`. */
  model?: string;
  /** US dollars per million tokens, for the cost recorded on each attempt. */
  pricing?: { inputPerMillion: number; outputPerMillion: number };
  /** Default prompt template (`{{ input.x }}`); an action's `prompt` overrides it. */
  prompt?: string;
  system?: string;
  /** Name of the project secret holding the API key; default `LLM_API_KEY` (optional). */
  apiKeySecret?: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
}

/** Runtime settings by agent type (builtin agents have none). */
export interface RuntimeByType {
  process: ProcessRuntime;
  http: HttpRuntime;
  nats: NatsRuntime;
  llm: LlmRuntime;
  builtin: Record<string, never>;
}

/** One action of an agent. */
export interface AgentAction {
  description?: string;
  input?: JsonSchema;
  output?: JsonSchema;
  /** Overrides the agent's risk for this action. */
  risk?: Risk;
  /** LLM agents only: the prompt template of this action. */
  prompt?: string;
}

interface AgentManifestBase<T extends AgentType> {
  name: string;
  version: string;
  type: T;
  description: string;
  risk: Risk;
  /** Maximum in-flight attempts of this agent across the cluster. */
  concurrency?: number;
  runtime: RuntimeByType[T];
  actions: Record<string, AgentAction>;
  /** The manifest exactly as received (parsed). */
  source: Record<string, unknown>;
}

/** A validated, normalized agent manifest (durations in milliseconds, defaults applied). */
export type AgentManifest = {
  [T in AgentType]: AgentManifestBase<T>;
}[AgentType];

/** Risk levels in increasing order. */
export const riskLevels: readonly Risk[] = ['low', 'medium', 'high', 'critical'];
