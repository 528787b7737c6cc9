/**
 * `run <workflow>`: starts a run; `--wait` waits for its end (exit 0 when it succeeded, 2 when
 * not), `--follow` also prints each step as it happens.
 */
import type { Command } from 'commander';
import { action, positiveInt } from './context.js';
import { readJsonArgument } from './documents.js';
import { line, printJson } from './output.js';
import { printOutcome, watchRun } from './watch-run.js';

interface RunOptions {
  input?: string;
  version?: number;
  idempotencyKey?: string;
  wait?: boolean;
  follow?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start a run of a workflow')
    .argument('<workflow>', 'workflow name')
    .option('-i, --input <json|@file>', 'run input: JSON text, @file (YAML/JSON) or @- (stdin)')
    .option('--version <n>', 'workflow version (default: the latest)', positiveInt)
    .option('--idempotency-key <key>', 'the same key starts at most one run')
    .option('-w, --wait', 'wait for the run to end; exit 2 unless it succeeded')
    .option('-f, --follow', 'print each step as it happens (implies --wait)')
    .action(
      action<RunOptions>(async (ctx, [workflow], opts) => {
        const input =
          opts.input === undefined ? undefined : await readJsonArgument(opts.input, '--input');
        const created = await ctx.client.startRun(
          { workflow: workflow!, input, version: opts.version },
          { idempotencyKey: opts.idempotencyKey },
        );
        const follow = opts.follow === true;
        if (!follow && !opts.wait) {
          if (ctx.json) printJson(created);
          else {
            line(
              created.created
                ? `run ${created.id} ${created.status}: ${created.workflow} v${created.version}`
                : `run ${created.id} already started with this idempotency key (${created.status})`,
            );
            line(`follow it: commandcenter runs show ${created.id}`);
          }
          return;
        }
        if (!ctx.json)
          line(`run ${created.id} ${created.status}: ${created.workflow} v${created.version}`);
        const run = await watchRun(ctx.client, created.id, { follow, json: ctx.json });
        return printOutcome(run, ctx.json, follow);
      }),
    );
}
