/** `runs list|show|logs|cancel|rerun`. */
import type {
  HubClient,
  LogLine,
  RunDetail,
  RunStatus,
  RunTrigger,
} from '@commandcenter/protocol/client';
import { FINAL_RUN_STATUSES, RUN_STATUSES } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, oneOf, positiveInt } from './context.js';
import {
  duration,
  elapsed,
  line,
  printBlock,
  printFields,
  printJson,
  printJsonLine,
  printNextPage,
  printTable,
  time,
} from './output.js';
import { errorText } from './step-lines.js';
import { printOutcome, watchRun } from './watch-run.js';

const runStatuses = RUN_STATUSES;

/** How often `runs logs --follow` asks for new lines while the run is live. */
const logPollMs = 1_000;
const logPage = 500;

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('list, inspect, cancel and re-run runs');

  runs
    .command('list')
    .description('runs of the project, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .option(
      '--status <status>',
      `only runs in this status (${runStatuses.join(', ')})`,
      oneOf(runStatuses),
    )
    .option('--limit <n>', 'how many (1-500, default 50)', positiveInt)
    .option('--cursor <cursor>', 'the next page of an earlier list')
    .action(
      action<{ workflow?: string; status?: RunStatus; limit?: number; cursor?: string }>(
        async (ctx, _args, opts) => {
          const page = await ctx.client.listRuns({
            workflow: opts.workflow,
            status: opts.status,
            limit: opts.limit,
            cursor: opts.cursor,
          });
          if (ctx.json) return printJson(page);
          printTable(
            page.items,
            [
              ['ID', (r) => r.id],
              ['WORKFLOW', (r) => `${r.workflow} v${r.version}`],
              ['STATUS', (r) => r.status],
              ['TRIGGER', (r) => triggerText(r.trigger)],
              ['CREATED', (r) => time(r.createdAt)],
              ['DURATION', (r) => duration(r.durationMs)],
            ],
            'no runs',
          );
          printNextPage(page.nextCursor);
        },
      ),
    );

  runs
    .command('show')
    .description('a run with its steps')
    .argument('<id>', 'run id')
    .action(
      action(async (ctx, [id]) => {
        const run = await ctx.client.getRun(id!);
        if (ctx.json) return printJson(run);
        printRun(run);
      }),
    );

  runs
    .command('logs')
    .description('the log lines of a run’s steps')
    .argument('<id>', 'run id')
    .option('--step <key>', 'only the lines of this step')
    .option('-f, --follow', 'keep printing new lines until the run ends')
    .action(
      action<{ step?: string; follow?: boolean }>(async (ctx, [id], opts) => {
        if (opts.follow) return followLogs(ctx.client, id!, opts.step, ctx.json);
        const items: LogLine[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await ctx.client.runLogs(id!, { cursor, limit: logPage, step: opts.step });
          items.push(...page.items);
          // The logs' cursor always points after the last line: a short page is the last one.
          if (page.items.length < logPage || !page.nextCursor) break;
          cursor = page.nextCursor;
        }
        if (ctx.json) return printJson({ items, nextCursor: null });
        if (items.length === 0) line('no log lines');
        for (const l of items) line(logText(l));
      }),
    );

  runs
    .command('cancel')
    .description('cancel a queued, running or waiting run')
    .argument('<id>', 'run id')
    .action(
      action(async (ctx, [id]) => {
        const r = await ctx.client.cancelRun(id!);
        if (ctx.json) return printJson(r);
        line(`run ${r.id} ${r.status}`);
      }),
    );

  runs
    .command('rerun')
    .description('re-run a run as a new, linked run')
    .argument('<id>', 'run id')
    .option(
      '--from <where>',
      'failed: reuse the outputs of the steps that succeeded (default); scratch: run everything',
      oneOf(['failed', 'scratch'] as const),
    )
    .option('--latest', 'use the workflow’s latest version instead of the pinned one')
    .option('-w, --wait', 'wait for the new run to end; exit 2 unless it succeeded')
    .option('-f, --follow', 'print each step as it happens (implies --wait)')
    .action(
      action<{ from?: 'failed' | 'scratch'; latest?: boolean; wait?: boolean; follow?: boolean }>(
        async (ctx, [id], opts) => {
          const r = await ctx.client.rerun(id!, {
            from: opts.from,
            version: opts.latest ? 'latest' : undefined,
          });
          const follow = opts.follow === true;
          if (!follow && !opts.wait) {
            if (ctx.json) return printJson(r);
            line(`run ${r.id} ${r.status}: ${r.workflow} v${r.version}, re-run of ${r.rerunOf}`);
            return;
          }
          if (!ctx.json)
            line(`run ${r.id} ${r.status}: ${r.workflow} v${r.version}, re-run of ${r.rerunOf}`);
          const run = await watchRun(ctx.client, r.id, { follow, json: ctx.json });
          return printOutcome(run, ctx.json, follow);
        },
      ),
    );
}

function printRun(run: RunDetail): void {
  printFields([
    ['id', run.id],
    ['workflow', `${run.workflow} v${run.version}`],
    ['status', run.status],
    ['trigger', triggerText(run.trigger)],
    ['created', time(run.createdAt)],
    ['started', time(run.startedAt)],
    ['finished', time(run.finishedAt)],
    ['duration', duration(run.durationMs)],
    ['re-run of', run.rerunOf ?? undefined],
    ['error', run.error ? errorText(run.error) : undefined],
  ]);
  printBlock('input', run.input ?? null);
  if (run.status === 'succeeded') printBlock('output', run.output ?? null);
  line();
  // In the order they started (steps that have not started yet last, by key).
  const steps = [...run.steps].sort(
    (a, b) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~') || a.key.localeCompare(b.key),
  );
  printTable(
    steps,
    [
      ['STEP', (s) => s.key],
      ['STATUS', (s) => s.status],
      ['ATTEMPT', (s) => `${s.attempt}/${s.maxAttempts}`],
      ['AGENT', (s) => (s.agent ? `${s.agent}.${s.action ?? ''}` : null)],
      ['DURATION', (s) => duration(elapsed(s.startedAt, s.finishedAt))],
      ['ERROR', (s) => (s.error ? errorText(s.error) : null)],
    ],
    'no steps yet',
  );
}

function triggerText(trigger: RunTrigger | null | undefined): string {
  if (!trigger) return '-';
  return typeof trigger === 'string' ? trigger : trigger.type;
}

function logText(l: LogLine): string {
  const t = new Date(l.ts);
  const clock = Number.isNaN(t.getTime()) ? l.ts : t.toISOString().slice(11, 23);
  return `${clock} ${l.stepKey}#${l.attempt}  ${l.line}`;
}

/** Prints new log lines until the run has ended (the logs' cursor points after the last line). */
async function followLogs(
  client: HubClient,
  runId: string,
  step: string | undefined,
  json: boolean,
): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    // The status first: every line written before a final status is there afterwards.
    const { status } = await client.getRun(runId);
    for (;;) {
      const page = await client.runLogs(runId, { cursor, limit: logPage, step });
      for (const l of page.items) {
        if (json) printJsonLine(l);
        else line(logText(l));
      }
      cursor = page.nextCursor ?? cursor;
      if (page.items.length < logPage) break;
    }
    if (FINAL_RUN_STATUSES.includes(status)) return;
    await new Promise((resolve) => setTimeout(resolve, logPollMs));
  }
}
