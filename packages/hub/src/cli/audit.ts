/** `audit list` (admin). */
import type { Command } from 'commander';
import { action, positiveInt } from './context.js';
import { printJson, printNextPage, printTable, time } from './output.js';

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('who changed or decided what, when, from where');

  audit
    .command('list')
    .description('audit entries, newest first')
    .option('--action <action>', 'only entries of this action (e.g. run.cancel)')
    .option('--limit <n>', 'how many (1-500, default 50)', positiveInt)
    .option('--cursor <cursor>', 'the next page of an earlier list')
    .action(
      action<{ action?: string; limit?: number; cursor?: string }>(async (ctx, _args, opts) => {
        const page = await ctx.client.listAudit({
          action: opts.action,
          limit: opts.limit,
          cursor: opts.cursor,
        });
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['AT', (e) => time(e.at)],
            ['ACTOR', (e) => e.actor],
            ['ACTION', (e) => e.action],
            ['TARGET', (e) => e.target],
            ['PROJECT', (e) => e.project],
            ['FROM', (e) => e.ip],
          ],
          'no audit entries',
        );
        printNextPage(page.nextCursor);
      }),
    );
}
