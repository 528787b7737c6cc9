/** `tokens list|create|revoke` (admin). */
import type { Role } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, oneOf } from './context.js';
import { line, note, printJson, printTable, time } from './output.js';

const roles: Role[] = ['viewer', 'operator', 'approver', 'admin'];

export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('API tokens (admin)');

  tokens
    .command('list')
    .description('tokens (never their secret part)')
    .action(
      action(async (ctx) => {
        const page = await ctx.client.listTokens();
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['ID', (t) => t.id],
            ['NAME', (t) => t.name],
            ['ROLE', (t) => t.role],
            ['PROJECT', (t) => t.project ?? '(all)'],
            ['CREATED', (t) => time(t.createdAt)],
            ['EXPIRES', (t) => time(t.expiresAt)],
            ['REVOKED', (t) => time(t.revokedAt)],
          ],
          'no tokens',
        );
      }),
    );

  tokens
    .command('create')
    .description('create a token; its secret is shown once')
    .requiredOption('--name <name>', 'what the token is for (e.g. ci)')
    .requiredOption('--role <role>', roles.join(' < '), oneOf(roles))
    .option('--project <name>', 'restrict it to one project (default: hub-wide)')
    .option('--expires <duration>', 'lifetime such as 30d or 12h (default: never)')
    .action(
      action<{ name: string; role: Role; project?: string; expires?: string }>(
        async (ctx, _args, opts) => {
          const r = await ctx.client.createToken({
            name: opts.name,
            role: opts.role,
            project: opts.project,
            expiresIn: opts.expires,
          });
          if (ctx.json) return printJson(r);
          line(
            `token ${r.id} "${r.name}" created: ${r.role}, ${r.project ? `project ${r.project}` : 'all projects'}${r.expiresAt ? `, expires ${time(r.expiresAt)}` : ''}`,
          );
          line(r.token);
          note('store it now: the token is not shown again');
        },
      ),
    );

  tokens
    .command('revoke')
    .description('revoke a token at once')
    .argument('<id>', 'token id')
    .action(
      action(async (ctx, [id]) => {
        const r = await ctx.client.revokeToken(id!);
        if (ctx.json) return printJson(r);
        line(`token ${r.id} revoked`);
      }),
    );
}
