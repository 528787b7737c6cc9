/**
 * Workflow documents of the `e2e` agent (e2e-agent.ts) that the UI suites apply through the API.
 * The suites share the shapes (fetch → analyze → report, a flaky step, an approval gate) and
 * differ in names, descriptions, inputs and triggers, which are parameters here.
 */
import type {
  WorkflowDocument,
  WorkflowNodeDocument,
  WorkflowTriggerDocument,
} from '@commandcenter/protocol/client';
import type { e2eAgentManifest } from './e2e-agent.js';

type E2eAction = keyof typeof e2eAgentManifest.actions;

/** One node running `e2e.<action>`, after `dependsOn` when given. */
export function step(
  id: string,
  action: E2eAction,
  inputs?: Record<string, unknown>,
  dependsOn?: string,
): WorkflowNodeDocument {
  return {
    id,
    agent: 'e2e',
    action,
    ...(dependsOn ? { dependsOn: [dependsOn] } : {}),
    ...(inputs ? { inputs } : {}),
  };
}

/** `fetch`: pretends to fetch `repo`, printing `lines` log lines (3 when left out). */
export function fetchStep(
  repo: string,
  opts: { lines?: number; dependsOn?: string } = {},
): WorkflowNodeDocument {
  const inputs = opts.lines === undefined ? { repo } : { repo, lines: opts.lines };
  return step('fetch', 'fetch', inputs, opts.dependsOn);
}

/** `analyze`: counts the findings in fetch's files (`level`, `strict` as extra inputs). */
export function analyzeStep(extra: Record<string, unknown> = {}): WorkflowNodeDocument {
  return step('analyze', 'analyze', { files: '{{ nodes.fetch.output.files }}', ...extra }, 'fetch');
}

/** `report`: writes analyze's summary. */
export function summaryStep(): WorkflowNodeDocument {
  return step('report', 'report', { text: '{{ nodes.analyze.output.summary }}' }, 'analyze');
}

/** `deploy` (high risk): the step waits for an approval before it runs. */
export function gateStep(target: string, id = 'gate', dependsOn?: string): WorkflowNodeDocument {
  return step(id, 'deploy', { target }, dependsOn);
}

interface Head {
  name: string;
  description?: string;
  /** The JSON Schema of the run input. */
  inputs?: WorkflowDocument['inputs'];
  triggers?: WorkflowTriggerDocument[];
}

/** A document with `nodes` last (the YAML tab's edits append to it). */
function workflow(head: Head, nodes: WorkflowNodeDocument[]): WorkflowDocument {
  const { name, description, inputs, triggers } = head;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    ...(inputs === undefined ? {} : { inputs }),
    ...(triggers === undefined ? {} : { triggers }),
    nodes,
  };
}

/**
 * fetch `repo` (default acme/app) → analyze, and → report analyze's summary with `report`: the
 * pipeline the builder suite draws.
 */
export function pipeline(
  head: Head & { repo?: string; lines?: number; report?: boolean },
): WorkflowDocument {
  const nodes = [fetchStep(head.repo ?? 'acme/app', { lines: head.lines }), analyzeStep()];
  if (head.report) nodes.push(summaryStep());
  return workflow(head, nodes);
}

/**
 * `e2e-flaky`: a `check` step that fails while `e2eSwitches.failFlaky` is on; with `fetch`, after
 * fetching acme/api; with `report`, followed by a report of that text.
 */
export function flaky(
  head: Partial<Head> & { fetch?: boolean; note?: string; report?: string },
): WorkflowDocument {
  const nodes: WorkflowNodeDocument[] = [];
  if (head.fetch) nodes.push(fetchStep('acme/api'));
  const note = head.note === undefined ? undefined : { note: head.note };
  nodes.push(step('check', 'flaky', note, head.fetch ? 'fetch' : undefined));
  if (head.report !== undefined)
    nodes.push(step('report', 'report', { text: head.report }, 'check'));
  return workflow({ ...head, name: head.name ?? 'e2e-flaky' }, nodes);
}

/**
 * An approval gate first (deploy to `target`), then fetch acme/app (`lines` log lines) → analyze
 * (`level`) → report: a run that waits for a person before anything else happens.
 */
export function gated(
  head: Head & { target: string; lines?: number; level?: string },
): WorkflowDocument {
  const level = head.level === undefined ? {} : { level: head.level };
  return workflow(head, [
    gateStep(head.target),
    fetchStep('acme/app', { lines: head.lines, dependsOn: 'gate' }),
    analyzeStep(level),
    summaryStep(),
  ]);
}

/** A one-node workflow writing `text` (node `id`). */
export function single(head: Head, text: string, id = 'report'): WorkflowDocument {
  return workflow(head, [step(id, 'report', { text })]);
}
