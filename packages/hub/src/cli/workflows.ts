/** `workflows list|show|diff|validate|archive`. */
import { CCError } from '@commandcenter/protocol/client';
import { stringify } from 'yaml';
import type { Command } from 'commander';
import { action, positiveInt } from './context.js';
import { loadDocument } from './documents.js';
import { line, printFields, printJson, printTable, time } from './output.js';

export function registerWorkflows(program: Command): void {
  const workflows = program
    .command('workflows')
    .description('inspect, compare and archive workflows');

  workflows
    .command('list')
    .description('workflows of the project')
    .option('--archived', 'include archived workflows')
    .action(
      action<{ archived?: boolean }>(async (ctx, _args, opts) => {
        const page = await ctx.client.listWorkflows({ archived: opts.archived });
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['NAME', (w) => w.name],
            ['VERSION', (w) => w.latestVersion],
            ['UPDATED', (w) => time(w.updatedAt)],
            ['ARCHIVED', (w) => (w.archived ? 'yes' : 'no')],
            ['DESCRIPTION', (w) => w.description ?? ''],
          ],
          'no workflows (apply one: commandcenter apply -f workflow.yaml)',
        );
      }),
    );

  workflows
    .command('show')
    .description('a workflow’s versions and source')
    .argument('<name>', 'workflow name')
    .option('--version <n>', 'this version instead of the latest', positiveInt)
    .action(
      action<{ version?: number }>(async (ctx, [name], opts) => {
        if (opts.version !== undefined) {
          const v = await ctx.client.getWorkflowVersion(name!, opts.version);
          if (ctx.json) return printJson(v);
          printFields([
            ['name', v.name],
            ['version', v.version],
            ['hash', v.hash],
            ['created', time(v.createdAt)],
          ]);
          line();
          line(sourceText(v.source));
          return;
        }
        const w = await ctx.client.getWorkflow(name!);
        if (ctx.json) return printJson(w);
        printFields([
          ['name', w.name],
          ['latest version', w.latestVersion],
          ['archived', w.archived ? 'yes' : 'no'],
          ['description', w.definition.description],
          ['nodes', w.definition.nodes.map((n) => n.id).join(', ')],
          ['versions', w.versions.map((v) => `v${v.version} (${time(v.createdAt)})`).join(', ')],
        ]);
        line();
        line(sourceText(w.source));
      }),
    );

  workflows
    .command('diff')
    .description('what changed between two versions')
    .argument('<name>', 'workflow name')
    .argument('<from>', 'older version')
    .argument('<to>', 'newer version')
    .action(
      action(async (ctx, [name, from, to]) => {
        const d = await ctx.client.diffWorkflow(name!, version(from!), version(to!));
        if (ctx.json) return printJson(d);
        if (d.changes.length === 0) return line(`v${d.from} and v${d.to} are the same`);
        line(d.patch.replace(/\n$/, ''));
      }),
    );

  workflows
    .command('validate')
    .description(
      'check a workflow file against the hub (agents, actions, schemas) without saving it',
    )
    .requiredOption('-f, --file <file>', 'workflow file (YAML or JSON)')
    .action(
      action<{ file: string }>(async (ctx, _args, opts) => {
        const doc = await loadDocument(opts.file);
        if (doc.kind !== 'workflow') {
          throw new CCError('CC_E_BAD_REQUEST', {
            detail: `${opts.file} is an agent manifest, not a workflow; register it with commandcenter apply -f ${opts.file}`,
          });
        }
        const r = await ctx.client.validateWorkflow(doc.body);
        if (ctx.json) return printJson(r);
        line(`workflow ${r.name} is valid`);
        for (const w of r.warnings) line(`  warning ${w.code} ${w.path}: ${w.message} — ${w.fix}`);
      }),
    );

  workflows
    .command('archive')
    .description(
      'archive a workflow (its history and running runs stay; apply it again to restore)',
    )
    .argument('<name>', 'workflow name')
    .action(
      action(async (ctx, [name]) => {
        const r = await ctx.client.archiveWorkflow(name!);
        if (ctx.json) return printJson(r);
        line(`workflow ${r.name} archived`);
      }),
    );
}

function version(text: string): number {
  const n = Number(text.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1) {
    throw new CCError('CC_E_BAD_REQUEST', {
      detail: `${JSON.stringify(text)} is not a workflow version; use a number such as 3`,
    });
  }
  return n;
}

/** A workflow's source as YAML (the hub keeps the parsed document). */
function sourceText(source: unknown): string {
  const text = typeof source === 'string' ? source : stringify(source);
  return text.replace(/\n$/, '');
}
