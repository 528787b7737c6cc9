/** `secrets list|set|rotate|delete`. Values go to the hub and are never printed. */
import { CCError } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action } from './context.js';
import { readStdin } from './documents.js';
import { line, printJson, printTable, time } from './output.js';

interface ValueOptions {
  value?: string;
  fromStdin?: boolean;
}

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('project secrets, referenced as {{ secrets.NAME }} (values are never shown)');

  secrets
    .command('list')
    .description('secret names and versions')
    .action(
      action(async (ctx) => {
        const page = await ctx.client.listSecrets();
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['NAME', (s) => s.name],
            ['VERSION', (s) => s.version],
            ['CREATED', (s) => time(s.createdAt)],
            ['UPDATED', (s) => time(s.updatedAt)],
          ],
          'no secrets',
        );
      }),
    );

  secrets
    .command('set')
    .description('create or replace a secret')
    .argument('<name>', 'secret name')
    .option('--value <value>', 'the value (visible in the shell history: prefer --from-stdin)')
    .option('--from-stdin', 'read the value from stdin (one trailing newline is dropped)')
    .action(
      action<ValueOptions>(async (ctx, [name], opts) => {
        const r = await ctx.client.setSecret(name!, await secretValue(opts));
        if (ctx.json) return printJson(r);
        line(`secret ${r.name} ${r.created ? 'created' : 'replaced'} (version ${r.version})`);
      }),
    );

  secrets
    .command('rotate')
    .description('replace the value of an existing secret')
    .argument('<name>', 'secret name')
    .option('--value <value>', 'the new value (visible in the shell history: prefer --from-stdin)')
    .option('--from-stdin', 'read the new value from stdin (one trailing newline is dropped)')
    .action(
      action<ValueOptions>(async (ctx, [name], opts) => {
        const r = await ctx.client.rotateSecret(name!, await secretValue(opts));
        if (ctx.json) return printJson(r);
        line(`secret ${r.name} rotated (version ${r.version})`);
      }),
    );

  secrets
    .command('delete')
    .description('delete a secret')
    .argument('<name>', 'secret name')
    .action(
      action(async (ctx, [name]) => {
        const r = await ctx.client.deleteSecret(name!);
        if (ctx.json) return printJson(r);
        line(`secret ${r.name} deleted`);
      }),
    );
}

async function secretValue(opts: ValueOptions): Promise<string> {
  if (opts.value !== undefined && opts.fromStdin) {
    throw new CCError('CC_E_BAD_REQUEST', {
      detail: 'pass either --value or --from-stdin, not both',
    });
  }
  if (opts.value !== undefined) return opts.value;
  if (opts.fromStdin || !process.stdin.isTTY) {
    const value = (await readStdin()).replace(/\r?\n$/, '');
    if (value === '')
      throw new CCError('CC_E_BAD_REQUEST', { detail: 'stdin was empty: no secret value' });
    return value;
  }
  throw new CCError('CC_E_BAD_REQUEST', {
    detail:
      'no value: pass --from-stdin (e.g. `printf %s "$VALUE" | commandcenter secrets set NAME --from-stdin`) or --value',
  });
}
