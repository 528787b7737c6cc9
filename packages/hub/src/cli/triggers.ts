/** `triggers list|show|pause|resume|history|rotate-secret`. */
import type { StatefulTriggerKind, TriggerInfo } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, oneOf, positiveInt } from './context.js';
import {
  line,
  printBlock,
  printFields,
  printJson,
  printNextPage,
  printTable,
  text,
  time,
} from './output.js';

const kinds = ['cron', 'webhook', 'event', 'alert', 'action'] as const;

/** What a trigger listens to, in one cell: `0 3 * * * (Europe/Paris)`, `deploy`, `audit.>`… */
export function triggerWhat(t: TriggerInfo): string {
  const s = t.spec as Record<string, unknown>;
  switch (t.kind) {
    case 'cron':
      return `${String(s.cron)}${s.timezone ? ` (${String(s.timezone)})` : ''}`;
    case 'webhook':
      return t.url ?? String(s.webhook);
    case 'event':
      return String(s.event);
    case 'action':
      return String(s.action);
    case 'alert': {
      const labels = Object.entries((s.alert as Record<string, string>) ?? {});
      labels.sort(([a], [b]) => a.localeCompare(b));
      return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(',') : '(every alert)';
    }
  }
}

const state = (t: TriggerInfo) => (!t.active ? 'inactive' : t.paused ? 'paused' : 'active');

export function registerTriggers(program: Command): void {
  const triggers = program
    .command('triggers')
    .description('triggers of the workflows: state, pause/resume, history');

  triggers
    .command('list')
    .description('triggers of the project with their state')
    .option('--workflow <name>', 'only the triggers of this workflow')
    .option('--kind <kind>', `only triggers of this kind (${kinds.join(', ')})`, oneOf(kinds))
    .option('--inactive', 'include triggers the latest versions no longer declare')
    .action(
      action<{ workflow?: string; kind?: StatefulTriggerKind; inactive?: boolean }>(
        async (ctx, _args, opts) => {
          const page = await ctx.client.listTriggers({
            workflow: opts.workflow,
            kind: opts.kind,
            inactive: opts.inactive ? true : undefined,
          });
          if (ctx.json) return printJson(page);
          printTable(
            page.items,
            [
              ['ID', (t) => t.id],
              ['WORKFLOW', (t) => t.workflow],
              ['KIND', (t) => t.kind],
              ['ON', triggerWhat],
              ['STATE', state],
              ['NEXT', (t) => time(t.nextFireAt)],
              ['LAST FIRE', (t) => time(t.lastFireAt)],
              ['LAST ERROR', (t) => (t.lastError ? `${time(t.lastErrorAt)} ${t.lastError}` : '-')],
            ],
            'no triggers',
          );
        },
      ),
    );

  triggers
    .command('show')
    .description('a trigger with its settings and state')
    .argument('<id>', 'trigger id')
    .action(
      action(async (ctx, [id]) => {
        const t = await ctx.client.getTrigger(id!);
        if (ctx.json) return printJson(t);
        printFields([
          ['id', t.id],
          ['workflow', `${t.workflow} (v${t.version})`],
          ['kind', t.kind],
          ['on', triggerWhat(t)],
          ['url', t.url],
          ['state', state(t)],
          ['next fire', t.kind === 'cron' ? time(t.nextFireAt) : undefined],
          ['last fire', time(t.lastFireAt)],
          ['last run', t.lastRunId],
          ['last error', t.lastError ? `${time(t.lastErrorAt)} ${t.lastError}` : '-'],
        ]);
        printBlock('spec', t.spec);
        line(`history: commandcenter triggers history ${t.id}`);
      }),
    );

  for (const op of ['pause', 'resume'] as const) {
    triggers
      .command(op)
      .description(
        op === 'pause'
          ? 'pause a trigger (its firings are skipped and recorded)'
          : 'resume a trigger',
      )
      .argument('<id>', 'trigger id')
      .action(
        action(async (ctx, [id]) => {
          const t =
            op === 'pause'
              ? await ctx.client.pauseTrigger(id!)
              : await ctx.client.resumeTrigger(id!);
          if (ctx.json) return printJson(t);
          line(
            `trigger ${t.id} (${t.kind} of ${t.workflow}) ${op === 'pause' ? 'paused' : 'resumed'}`,
          );
        }),
      );
  }

  triggers
    .command('history')
    .description('what a trigger did, newest first: the runs it created, or why not')
    .argument('<id>', 'trigger id')
    .option('--limit <n>', 'how many (1-500, default 50)', positiveInt)
    .option('--cursor <cursor>', 'the next page of an earlier list')
    .action(
      action<{ limit?: number; cursor?: string }>(async (ctx, [id], opts) => {
        const page = await ctx.client.triggerHistory(id!, {
          limit: opts.limit,
          cursor: opts.cursor,
        });
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['AT', (h) => time(h.at)],
            ['OUTCOME', (h) => h.outcome],
            ['RUN', (h) => h.runId],
            ['REASON', (h) => h.reason],
            ['SOURCE', (h) => text(h.source)],
          ],
          'nothing fired yet',
        );
        printNextPage(page.nextCursor);
      }),
    );

  triggers
    .command('rotate-secret')
    .description('new signing secret of a webhook trigger (shown once)')
    .argument('<id>', 'trigger id (a webhook trigger)')
    .option('--previous-valid-for <duration>', 'keep accepting the old secret this long, e.g. 24h')
    .action(
      action<{ previousValidFor?: string }>(async (ctx, [id], opts) => {
        const r = await ctx.client.rotateWebhookSecret(
          id!,
          opts.previousValidFor === undefined ? {} : { previousValidFor: opts.previousValidFor },
        );
        if (ctx.json) return printJson(r);
        line(`new secret (shown once): ${r.secret}`);
        line(
          r.previousExpiresAt
            ? `the previous secret is accepted until ${time(r.previousExpiresAt)}`
            : 'there was no previous secret',
        );
      }),
    );
}
