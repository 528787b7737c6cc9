import type {
  AgentManifest,
  AttemptUsage,
  ExecutionContext,
  ExecutionRequest,
  ExecutionResult,
} from '@commandcenter/protocol';

/** What every transport gets with an attempt, beyond the protocol's ExecutionContext. */
export interface AgentExecutionContext extends ExecutionContext {
  /** The agent's declared secrets (`runtime.secrets`), as environment variables for processes. */
  secretsEnv?: Record<string, string>;
  /**
   * Hosts the project exempts from the SSRF guard (its `egressAllowHosts`): host names, IP
   * addresses or CIDR ranges. Empty: only public addresses are reachable.
   */
  allowHosts?: readonly string[];
  /**
   * Reads a project secret the manifest does not declare but the transport may use when present
   * (the llm transport's `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`). Undefined when not set.
   * The value is redacted from everything stored, like declared secrets.
   */
  lookupSecret?(name: string): Promise<string | undefined>;
  /** Records what the attempt consumed (LLM tokens, cost); the last call wins. */
  usage?(usage: AttemptUsage): void;
  /**
   * W3C `tracestate` that goes with `request.traceparent` (vendor data of the trace the run
   * continues), for the transports' `tracestate` header or `TRACESTATE` variable.
   */
  tracestate?: string;
}

/** One agent transport (`process`, `http`, `nats`, `llm`, `builtin`). */
export interface Transport<A extends AgentManifest = AgentManifest> {
  /** Runs one attempt. Never rejects: every failure is a `StepError` in the result. */
  execute(
    agent: A,
    request: ExecutionRequest,
    ctx: AgentExecutionContext,
  ): Promise<ExecutionResult>;
  /** Ends what the transport holds open (processes, connections); running attempts end first. */
  close(): Promise<void>;
}

/** The manifest type of one agent transport. */
export type AgentOfType<T extends AgentManifest['type']> = Extract<AgentManifest, { type: T }>;
