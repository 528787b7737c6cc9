/** `alerts list|show`: the Alertmanager notifications the hub received, matched or not. */
import type { AlertNotificationSummary } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, positiveInt } from './context.js';
import {
  line,
  printBlock,
  printFields,
  printJson,
  printNextPage,
  printTable,
  time,
} from './output.js';

/** `alertname=X,job=y,…`: alertname first, the others by name (as Alertmanager shows them). */
const labels = (set: Record<string, string>) =>
  Object.entries(set)
    .sort(([a], [b]) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Why a notification started no run, in one cell. */
function why(a: AlertNotificationSummary): string {
  if (a.matched) return a.runIds.join(', ');
  if (a.outcomes.length === 0) return 'no alert trigger selects these labels';
  return a.outcomes.map((o) => `${o.workflow}: ${o.outcome}`).join('; ');
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Alertmanager notifications received (POST /api/v1/alerts/alertmanager)');

  alerts
    .command('list')
    .description('notifications, newest first')
    .option('--unmatched', 'only those that started no run')
    .option('--limit <n>', 'how many (1-500, default 50)', positiveInt)
    .option('--cursor <cursor>', 'the next page of an earlier list')
    .action(
      action<{ unmatched?: boolean; limit?: number; cursor?: string }>(async (ctx, _a, opts) => {
        const page = await ctx.client.listAlerts({
          matched: opts.unmatched ? false : undefined,
          limit: opts.limit,
          cursor: opts.cursor,
        });
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['ID', (a) => a.id],
            ['RECEIVED', (a) => time(a.receivedAt)],
            ['STATUS', (a) => a.status],
            ['ALERTS', (a) => a.alerts],
            ['LABELS', (a) => labels(a.commonLabels)],
            ['MATCHED', (a) => (a.matched ? 'yes' : 'no')],
            ['RUNS / WHY NOT', why],
          ],
          opts.unmatched ? 'no unmatched notifications' : 'no notifications',
        );
        printNextPage(page.nextCursor);
      }),
    );

  alerts
    .command('show')
    .description('one notification with the body Alertmanager sent')
    .argument('<id>', 'notification id')
    .action(
      action(async (ctx, [id]) => {
        const a = await ctx.client.getAlert(id!);
        if (ctx.json) return printJson(a);
        printFields([
          ['id', a.id],
          ['received', time(a.receivedAt)],
          ['receiver', a.receiver],
          ['status', a.status],
          ['group', a.groupKey],
          ['labels', labels(a.commonLabels)],
          ['alerts', a.alerts],
          ['sender', a.sender],
          ['matched', a.matched ? 'yes' : 'no'],
          ['runs / why not', why(a)],
        ]);
        printBlock('payload', a.payload);
        if (!a.matched) line('no run: add an `alert:` trigger whose labels these alerts share');
      }),
    );
}
