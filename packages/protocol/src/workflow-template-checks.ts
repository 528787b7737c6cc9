/**
 * Template checks of a workflow: JSONata syntax everywhere templates are allowed, and every
 * reference checked against what exists where it is evaluated (roots, upstream nodes, `item`).
 */
import { upstreamSets } from './dag.js';
import { didYouMean } from './did-you-mean.js';
import type { ErrorCode } from './errors.js';
import { formatPath, isRecord } from './path.js';
import { checkTemplates, templateExpressions } from './template.js';
import type { TemplateReference } from './template-refs.js';
import { wholeTemplateExpression } from './template-syntax.js';
import {
  nodeLabel,
  report,
  warn,
  type CheckContext,
  type NodeEntry,
} from './workflow-check-context.js';
import { dependencyEntries } from './workflow-graph-checks.js';

/** The names a template may start with. */
export const templateRoots = ['input', 'event', 'nodes', 'item', 'run', 'secrets'] as const;

/** One of {@link templateRoots}. */
export type TemplateRoot = (typeof templateRoots)[number];

/** One place of the document that holds templates. */
interface TemplateSite {
  /** Document path of the value (`nodes[1].inputs`). */
  path: string;
  /** Path of the value relative to `subject`, as shown in messages (`inputs`). */
  local: string;
  /** Message subject: `Node "notify"` or `The workflow`. */
  subject: string;
  value: unknown;
  /** When set, the value must be one whole `{{ }}` template; the code to use otherwise. */
  wholeCode?: ErrorCode;
  allowed: readonly TemplateRoot[];
  /** Why the other roots are not available here (completes a sentence). */
  scope: string;
  node?: NodeEntry;
}

const nodeRoots: readonly TemplateRoot[] = ['input', 'event', 'nodes', 'run', 'secrets'];

/** Runs the template checks over every site of the document. */
export function checkWorkflowTemplates(ctx: CheckContext): void {
  const graph = [...ctx.byId.values()].map((n) => ({
    id: n.id!,
    dependsOn: dependencyEntries(n).map((d) => d.id),
  }));
  const upstream = upstreamSets(graph);
  for (const site of templateSites(ctx)) checkSite(ctx, site, upstream);
}

function templateSites(ctx: CheckContext): TemplateSite[] {
  const sites: TemplateSite[] = [];
  for (const node of ctx.nodes) {
    const subject = nodeLabel(node);
    const base = formatPath(['nodes', node.index]);
    const fanOut = node.raw.forEach !== undefined;
    if (isRecord(node.raw.inputs)) {
      const allowed: TemplateRoot[] = fanOut ? [...nodeRoots, 'item'] : [...nodeRoots];
      sites.push({
        path: `${base}.inputs`,
        local: 'inputs',
        subject,
        value: node.raw.inputs,
        allowed,
        scope: 'node inputs',
        node,
      });
    }
    if (typeof node.raw.when === 'string') {
      sites.push({
        path: `${base}.when`,
        local: 'when',
        subject,
        value: node.raw.when,
        wholeCode: 'CC_E_TEMPLATE_SYNTAX',
        allowed: nodeRoots,
        scope: 'when (it is evaluated once per node, before the forEach fan-out)',
        node,
      });
    }
    if (typeof node.raw.forEach === 'string') {
      sites.push({
        path: `${base}.forEach`,
        local: 'forEach',
        subject,
        value: node.raw.forEach,
        wholeCode: 'CC_E_WORKFLOW_FOREACH',
        allowed: nodeRoots,
        scope: 'forEach (it produces the items)',
        node,
      });
    }
  }
  const concurrency = ctx.doc.concurrency;
  if (isRecord(concurrency) && typeof concurrency.key === 'string') {
    sites.push({
      path: 'concurrency.key',
      local: 'concurrency.key',
      subject: 'The workflow',
      value: concurrency.key,
      allowed: ['input', 'event'],
      scope: 'concurrency.key (it is computed when the run is created, before any node runs)',
    });
  }
  const triggers = Array.isArray(ctx.doc.triggers) ? ctx.doc.triggers : [];
  triggers.forEach((trigger, i) => {
    if (!isRecord(trigger) || typeof trigger.when !== 'string') return;
    const path = `triggers[${i}].when`;
    sites.push({
      path,
      local: path,
      subject: 'The workflow',
      value: trigger.when,
      wholeCode: 'CC_E_TEMPLATE_SYNTAX',
      allowed: ['event'],
      scope: "a trigger's when (it filters incoming events before a run exists)",
    });
  });
  return sites;
}

function checkSite(
  ctx: CheckContext,
  site: TemplateSite,
  upstream: Map<string, Set<string>>,
): void {
  if (site.wholeCode !== undefined && typeof site.value === 'string') {
    if (wholeTemplateExpression(site.value) === undefined) {
      report(
        ctx,
        site.wholeCode,
        site.path,
        `${site.subject}: ${site.local} must be exactly one {{ }} template (got ${JSON.stringify(site.value)}).`,
        site.wholeCode === 'CC_E_WORKFLOW_FOREACH'
          ? 'Write forEach as one template yielding an array, e.g. "{{ nodes.scan.output.files }}", or as a literal list.'
          : `Wrap the whole expression in {{ }}, e.g. "{{ ${site.value.replace(/\{\{|\}\}/g, '').trim() || "event.severity = 'high'"} }}".`,
      );
      return;
    }
  }
  const checked = checkTemplates(site.value, site.local);
  for (const p of checked.problems) {
    const path = site.path + p.path.slice(site.local.length);
    report(ctx, p.code, path, `${site.subject}: ${lowerFirst(p.message)}`, p.fix);
  }
  for (const { path: local, expr } of templateExpressions(checked.compiled)) {
    const path = site.path + local.slice(site.local.length);
    for (const ref of expr.references)
      checkReference(ctx, site, path, local, `{{ ${expr.source} }}`, ref, upstream);
  }
}

function checkReference(
  ctx: CheckContext,
  site: TemplateSite,
  path: string,
  local: string,
  template: string,
  ref: TemplateReference,
  upstream: Map<string, Set<string>>,
): void {
  const at = `${site.subject}: ${template} at ${local}`;
  const root = ref.root;
  if (!(templateRoots as readonly string[]).includes(root)) {
    report(
      ctx,
      'CC_E_TEMPLATE_UNKNOWN_ROOT',
      path,
      `${at} references "${root}", which is not a template value.`,
      `${didYouMean(root, templateRoots)}Start references with one of ${templateRoots.join(', ')}, e.g. input.repo or nodes.<id>.output.`,
    );
    return;
  }
  if (!(site.allowed as readonly string[]).includes(root)) {
    if (root === 'item' && site.node !== undefined && site.node.raw.forEach === undefined) {
      report(
        ctx,
        'CC_E_TEMPLATE_ITEM_OUTSIDE_FOREACH',
        path,
        `${at} uses item, but the node has no forEach.`,
      );
    } else {
      report(
        ctx,
        'CC_E_TEMPLATE_ROOT_UNAVAILABLE',
        path,
        `${at} uses "${root}", which is not available in ${site.scope}.`,
        `Use only ${site.allowed.join(', ')} here.`,
      );
    }
    return;
  }
  if (root === 'secrets' && ref.dynamic) {
    report(ctx, 'CC_E_TEMPLATE_SECRET_REF', path, `${at} reads secrets without a literal name.`);
    return;
  }
  if (root === 'input') checkInputReference(ctx, path, at, ref);
  if (root !== 'nodes') return;
  if (ref.dynamic) {
    warn(
      ctx,
      'CC_W_TEMPLATE_DYNAMIC_REF',
      path,
      `${at} reads nodes dynamically; only upstream nodes will be visible at run time.`,
    );
    return;
  }
  checkNodeReference(ctx, site, path, at, ref.names[0]!, upstream);
}

function checkNodeReference(
  ctx: CheckContext,
  site: TemplateSite,
  path: string,
  at: string,
  target: string,
  upstream: Map<string, Set<string>>,
): void {
  const self = site.node;
  if (self === undefined) return;
  if (!ctx.byId.has(target)) {
    report(
      ctx,
      'CC_E_TEMPLATE_UNKNOWN_NODE',
      path,
      `${at} references node "${target}", which does not exist.`,
      `${didYouMean(target, ctx.byId.keys())}Reference an existing node id: ${[...ctx.byId.keys()].join(', ')}.`,
    );
  } else if (target === self.id) {
    report(
      ctx,
      'CC_E_TEMPLATE_NOT_UPSTREAM',
      path,
      `${at} references the node's own output.`,
      'A node cannot read its own output; move that logic to a separate downstream node.',
    );
  } else if (self.id !== undefined && !upstream.get(self.id)?.has(target)) {
    report(
      ctx,
      'CC_E_TEMPLATE_NOT_UPSTREAM',
      path,
      `${at} references node "${target}", which is not upstream of node "${self.id}".`,
      `Add "${target}" to the dependsOn list of node "${self.id}" (it must not depend on "${self.id}" itself).`,
    );
  }
}

/** Warns about `input.x` when the workflow's `inputs` schema lists its properties without `x`. */
function checkInputReference(
  ctx: CheckContext,
  path: string,
  at: string,
  ref: TemplateReference,
): void {
  const schema = ctx.doc.inputs;
  const field = ref.names[0];
  if (field === undefined || !isRecord(schema) || !isRecord(schema.properties)) return;
  const declared = Object.keys(schema.properties);
  if (declared.includes(field)) return;
  warn(
    ctx,
    'CC_W_TEMPLATE_UNDECLARED_INPUT',
    path,
    `${at} reads input.${field}, which the workflow's inputs schema does not declare.`,
    `${didYouMean(field, declared)}Declared inputs: ${declared.join(', ') || '(none)'}.`,
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
