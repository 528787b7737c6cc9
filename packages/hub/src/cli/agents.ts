/** `agents list|show|test`. */
import type { AgentHealth, AgentTestLog } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { registerAgentsApply } from './apply.js';
import { action, exitCodes } from './context.js';
import { readJsonArgument } from './documents.js';
import { duration, line, printBlock, printFields, printJson, printTable, time } from './output.js';
import { errorText } from './step-lines.js';

export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('register, inspect and try agents');
  registerAgentsApply(agents);

  agents
    .command('list')
    .description('agents of the project (latest versions)')
    .action(
      action(async (ctx) => {
        const page = await ctx.client.listAgents();
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['NAME', (a) => a.name],
            ['VERSION', (a) => a.version],
            ['TYPE', (a) => a.type],
            ['RISK', (a) => a.risk],
            ['ACTIONS', (a) => a.actions],
            ['UPDATED', (a) => time(a.updatedAt)],
          ],
          'no agents (register one: commandcenter apply -f agent.yaml)',
        );
      }),
    );

  agents
    .command('show')
    .description('an agent’s manifest: actions with their schemas, versions')
    .argument('<name>', 'agent name')
    .action(
      action(async (ctx, [name]) => {
        const a = await ctx.client.getAgent(name!);
        if (ctx.json) return printJson(a);
        const m = a.manifest;
        printFields([
          ['name', a.name],
          ['version', m.version],
          ['type', m.type],
          ['risk', m.risk],
          ['description', m.description],
          ['versions', a.versions.map((v) => v.version).join(', ')],
          ['health', healthText(a.health)],
          [
            'last error',
            a.health.lastError
              ? `${a.health.lastError.code}: ${a.health.lastError.message}`
              : undefined,
          ],
        ]);
        for (const [actionName, act] of Object.entries(m.actions)) {
          line();
          line(
            `action ${actionName}${act.risk ? ` (risk ${act.risk})` : ''}${act.description ? ` — ${act.description}` : ''}`,
          );
          if (act.input !== undefined) line(`  input:   ${JSON.stringify(act.input)}`);
          if (act.output !== undefined) line(`  output:  ${JSON.stringify(act.output)}`);
        }
      }),
    );

  agents
    .command('test')
    .description('run one action of the agent once, outside any workflow')
    .argument('<name>', 'agent name')
    .argument('<action>', 'action name')
    .option('-i, --input <json|@file>', 'action input: JSON text, @file (YAML/JSON) or @- (stdin)')
    .option('--version <version>', 'agent version (default: the latest)')
    .action(
      action<{ input?: string; version?: string }>(async (ctx, [name, actionName], opts) => {
        const input = opts.input === undefined ? {} : await readJsonArgument(opts.input, '--input');
        const r = await ctx.client.testAgent(name!, {
          action: actionName!,
          input,
          version: opts.version,
        });
        if (ctx.json) printJson(r);
        else {
          for (const l of r.logs ?? []) line(`log: ${logText(l)}`);
          if (r.ok) {
            line(`✓ ${name}.${actionName} (${duration(r.durationMs)})`);
            printBlock('output', r.output ?? null);
          } else {
            line(`✗ ${name}.${actionName} (${duration(r.durationMs)}): ${errorText(r.error)}`);
          }
        }
        return r.ok ? exitCodes.ok : exitCodes.runFailed;
      }),
    );
}

function healthText(h: AgentHealth): string {
  if (h.attempts === 0) return 'unknown (no attempts in the last 24 h)';
  const pct = (h.errorRate * 100).toFixed(1);
  const p =
    h.p50Ms === null ? '' : `, p50 ${duration(h.p50Ms)}, p95 ${duration(h.p95Ms ?? h.p50Ms)}`;
  const last = h.lastSuccessAt ? `, last success ${time(h.lastSuccessAt)}` : '';
  return `${h.status}: ${h.failures}/${h.attempts} attempts failed (${pct} %)${p}${last}`;
}

function logText(l: AgentTestLog): string {
  return typeof l === 'string' ? l : l.line;
}
