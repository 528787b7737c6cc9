/**
 * Agent manifest validation: structure, runtime settings per type, action schemas and prompt
 * templates, reporting every problem at once; a valid manifest is normalized.
 */
import { documentAjv } from './ajv.js';
import { jsonType } from './ajv-errors.js';
import { agentManifestSchema } from './agent-schema.js';
import type { AgentAction, AgentManifest, AgentType } from './agent-types.js';
import { parseDuration } from './duration.js';
import { problem, type Problem } from './errors.js';
import { compileJsonSchema } from './json-schema.js';
import { toJsonValue } from './json-value.js';
import { formatPath, isRecord } from './path.js';
import { schemaProblems, type SchemaProblemRules } from './schema-problems.js';
import { checkTemplates, templateExpressions } from './template.js';

/** Result of {@link validateAgentManifest}. */
export type AgentValidation =
  { ok: true; agent: AgentManifest; warnings: Problem[] } | { ok: false; problems: Problem[] };

const validateStructure = documentAjv.compile(agentManifestSchema);

const rules: SchemaProblemRules = {
  paths: [
    { path: /^name$/, code: 'CC_E_AGENT_NAME', label: 'agent name' },
    { path: /^version$/, code: 'CC_E_AGENT_VERSION', typeToo: true, label: 'semantic version' },
    { path: /^type$/, code: 'CC_E_AGENT_TYPE' },
    { path: /^(risk|actions\..+\.risk)$/, code: 'CC_E_AGENT_RISK' },
    { path: /^runtime\.timeout$/, code: 'CC_E_DURATION', typeToo: true, label: 'duration' },
    { path: /^runtime(\.|$)/, code: 'CC_E_AGENT_RUNTIME' },
    { path: /^actions\..+\.(input|output)$/, code: 'CC_E_AGENT_ACTION_SCHEMA', typeToo: true },
  ],
  keywords: {
    'runtime/required': 'CC_E_AGENT_RUNTIME',
    'actions/minProperties': 'CC_E_AGENT_NO_ACTIONS',
    'actions/propertyNames': 'CC_E_AGENT_ACTION_NAME',
  },
};

/**
 * Validates a parsed agent manifest. Runtime settings are under `runtime` and depend on `type`:
 * process `{ command, ... }`, http `{ url, ... }`, nats `{ subject?, timeout? }`,
 * llm `{ model?, baseUrl?, prompt?, ... }` (each action needs a prompt, its own or the runtime's),
 * builtin: none.
 */
export function validateAgentManifest(doc: unknown): AgentValidation {
  const json = toJsonValue(doc);
  if (json.problems.length > 0) return { ok: false, problems: json.problems };
  const manifest = json.value;
  if (!isRecord(manifest)) {
    const message = `The agent manifest must be an object (got ${jsonType(manifest)}).`;
    return { ok: false, problems: [problem('CC_E_SCHEMA_WRONG_TYPE', '', message)] };
  }
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (!validateStructure(manifest)) {
    problems.push(...schemaProblems(validateStructure.errors ?? [], manifest, rules));
  }
  checkRuntime(manifest, problems);
  checkActions(manifest, problems, warnings);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, agent: normalizeAgent(manifest), warnings };
}

function checkRuntime(manifest: Record<string, unknown>, problems: Problem[]): void {
  const runtime = isRecord(manifest.runtime) ? manifest.runtime : {};
  for (const key of ['url', 'baseUrl']) {
    const value = runtime[key];
    if (typeof value === 'string' && /^https?:\/\//.test(value) && !isUrl(value)) {
      problems.push(
        problem(
          'CC_E_AGENT_RUNTIME',
          `runtime.${key}`,
          `runtime.${key} "${value}" is not a valid URL.`,
        ),
      );
    }
  }
  if (isRecord(runtime.headers)) {
    for (const [name, value] of Object.entries(runtime.headers)) {
      if (typeof value !== 'string') continue;
      checkTemplateRoots(value, formatPath(['runtime', 'headers', name]), ['secrets'], problems);
    }
  }
  if (typeof runtime.prompt === 'string') {
    checkTemplateRoots(runtime.prompt, 'runtime.prompt', ['input', 'run', 'step'], problems);
  }
}

function checkActions(
  manifest: Record<string, unknown>,
  problems: Problem[],
  warnings: Problem[],
): void {
  if (!isRecord(manifest.actions)) return;
  const runtime = isRecord(manifest.runtime) ? manifest.runtime : {};
  for (const [name, action] of Object.entries(manifest.actions)) {
    if (!isRecord(action)) continue;
    for (const key of ['input', 'output'] as const) {
      if (!isRecord(action[key]) && typeof action[key] !== 'boolean') continue;
      const path = formatPath(['actions', name, key]);
      const compiled = compileJsonSchema(action[key], 'CC_E_AGENT_ACTION_SCHEMA', path);
      if (compiled.ok) warnings.push(...compiled.warnings);
      else problems.push(...compiled.problems);
    }
    const promptPath = formatPath(['actions', name, 'prompt']);
    if (typeof action.prompt === 'string') {
      if (manifest.type !== 'llm') {
        problems.push(
          problem(
            'CC_E_AGENT_RUNTIME',
            promptPath,
            `Action "${name}" has a prompt, but only llm agents use prompts.`,
            'Remove `prompt`, or set `type: llm`.',
          ),
        );
      } else {
        checkTemplateRoots(action.prompt, promptPath, ['input', 'run', 'step'], problems);
      }
    } else if (
      manifest.type === 'llm' &&
      isRecord(manifest.runtime) &&
      typeof runtime.prompt !== 'string'
    ) {
      problems.push(
        problem(
          'CC_E_AGENT_RUNTIME',
          promptPath,
          `Action "${name}" of llm agent has no prompt.`,
          'Add `prompt:` to the action, or a default `runtime.prompt`, e.g. "Review {{ input.file }}".',
        ),
      );
    }
  }
}

/** Checks template syntax and that references start with one of `roots`. */
function checkTemplateRoots(
  text: string,
  path: string,
  roots: readonly string[],
  problems: Problem[],
): void {
  const checked = checkTemplates(text, path);
  problems.push(...checked.problems);
  for (const { expr } of templateExpressions(checked.compiled)) {
    for (const ref of expr.references) {
      if (roots.includes(ref.root)) continue;
      problems.push(
        problem(
          'CC_E_TEMPLATE_ROOT_UNAVAILABLE',
          path,
          `{{ ${expr.source} }} at ${path} uses "${ref.root}", which is not available there.`,
          `Use only ${roots.join(', ')} in ${path}.`,
        ),
      );
    }
  }
}

function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function normalizeAgent(manifest: Record<string, unknown>): AgentManifest {
  const source = structuredClone(manifest);
  const runtime: Record<string, unknown> = isRecord(manifest.runtime)
    ? { ...manifest.runtime }
    : {};
  if (typeof runtime.timeout === 'string') {
    runtime.timeoutMs = parseDuration(runtime.timeout);
    delete runtime.timeout;
  }
  const agent = {
    name: manifest.name as string,
    version: manifest.version as string,
    type: manifest.type as AgentType,
    description: typeof manifest.description === 'string' ? manifest.description : '',
    risk: (manifest.risk as AgentManifest['risk'] | undefined) ?? 'low',
    runtime,
    actions: manifest.actions as Record<string, AgentAction>,
    source,
  };
  if (typeof manifest.concurrency === 'number') {
    return { ...agent, concurrency: manifest.concurrency } as AgentManifest;
  }
  return agent as AgentManifest;
}
