/**
 * `doctor`: can this CLI work with the hub? Checks that the hub answers (`/healthz`), is ready
 * (`/readyz`) and accepts the token (`/api/v1/whoami`); prints ✓/✗ with a fix; exits 1 when any
 * check fails.
 */
import { isCCError } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, exitCodes, type Context } from './context.js';
import { line, printJson } from './output.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the connection to the hub, its readiness and the token')
    .action(
      action(async (ctx) => {
        const checks = await runChecks(ctx);
        const ok = checks.every((c) => c.ok);
        if (ctx.json) printJson({ ok, url: ctx.config.url, checks });
        else {
          for (const c of checks) {
            line(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
            if (!c.ok && c.fix) line(`    fix: ${c.fix}`);
          }
        }
        return ok ? exitCodes.ok : exitCodes.error;
      }),
    );
}

async function runChecks(ctx: Context): Promise<Check[]> {
  const { client, config } = ctx;
  const checks: Check[] = [];
  const failed = (name: string, err: unknown, fix?: string): Check => ({
    name,
    ok: false,
    detail: isCCError(err) ? `${err.code}: ${err.detail}` : String(err),
    fix: fix ?? (isCCError(err) ? err.fix : undefined),
  });

  try {
    await client.healthz();
    checks.push({ name: 'hub reachable', ok: true, detail: config.url });
  } catch (err) {
    checks.push(
      failed(
        'hub reachable',
        err,
        `start the hub (\`commandcenter up\` or \`npm start\`), or point CC_URL / --url at a running hub (now ${config.url})`,
      ),
    );
    const skipped = 'not checked: the hub is unreachable';
    checks.push({ name: 'hub ready', ok: false, detail: skipped });
    checks.push({ name: 'token', ok: false, detail: skipped });
    return checks;
  }

  try {
    await client.readyz();
    checks.push({ name: 'hub ready', ok: true, detail: 'store answers, migrations current' });
  } catch (err) {
    checks.push(
      failed(
        'hub ready',
        err,
        'read the hub’s log; run `commandcenter migrate` if migrations are pending, and check DATABASE_URL',
      ),
    );
  }

  if (!config.token) {
    checks.push({
      name: 'token',
      ok: false,
      detail: 'no token: CC_TOKEN is not set and --token was not given',
      fix: 'set CC_TOKEN to an API token (`commandcenter tokens create`, or the CC_ADMIN_TOKEN of the hub)',
    });
    return checks;
  }
  try {
    const me = await client.whoami();
    const scope = me.project === null ? 'all projects' : `project ${me.project}`;
    checks.push({ name: 'token', ok: true, detail: `"${me.name}" (${me.role}, ${scope})` });
  } catch (err) {
    checks.push(failed('token', err));
  }
  return checks;
}
