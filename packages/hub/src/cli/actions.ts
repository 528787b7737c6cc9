/** `actions list|run`: the UI's named buttons, from the command line. */
import type { Command } from 'commander';
import { action } from './context.js';
import { readJsonArgument } from './documents.js';
import { line, printJson, printTable } from './output.js';

export function registerActions(program: Command): void {
  const actions = program
    .command('actions')
    .description('UI actions: named buttons that run the workflows bound to them');

  actions
    .command('list')
    .description('actions of the project with their workflows')
    .action(
      action(async (ctx) => {
        const page = await ctx.client.listActions();
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['ACTION', (a) => a.name],
            [
              'WORKFLOWS',
              (a) =>
                a.workflows.map((w) => `${w.workflow}${w.paused ? ' (paused)' : ''}`).join(', '),
            ],
          ],
          'no actions (bind one with `- action: <name>` in the triggers of a workflow)',
        );
      }),
    );

  actions
    .command('run')
    .description('run every workflow bound to an action')
    .argument('<name>', 'action name')
    .option('-i, --input <json|@file>', 'run input: JSON text, @file (YAML/JSON) or @- (stdin)')
    .option('--idempotency-key <key>', 'the same key starts each workflow at most once')
    .action(
      action<{ input?: string; idempotencyKey?: string }>(async (ctx, [name], opts) => {
        const input =
          opts.input === undefined ? undefined : await readJsonArgument(opts.input, '--input');
        const r = await ctx.client.runAction(name!, input === undefined ? {} : { input }, {
          idempotencyKey: opts.idempotencyKey,
        });
        if (ctx.json) return printJson(r);
        for (const run of r.runs) {
          switch (run.outcome) {
            case 'fired':
              line(`${run.workflow}: run ${run.runId} started`);
              break;
            case 'duplicate':
              line(`${run.workflow}: run ${run.runId} already started with this idempotency key`);
              break;
            default:
              line(`${run.workflow}: ${run.outcome}: ${run.reason ?? ''}`.trimEnd());
          }
        }
        if (r.runs.some((run) => run.runId)) {
          line('follow them: commandcenter runs show <run id>');
        }
      }),
    );
}
