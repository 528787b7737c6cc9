/** `projects list|create|show`. */
import type { ProjectSettings, ProjectSettingsPatch, Risk } from '@commandcenter/protocol/client';
import { Option, type Command } from 'commander';
import { action } from './context.js';
import { line, printFields, printJson, printTable, time } from './output.js';

export function registerProjects(program: Command): void {
  const projects = program.command('projects').description('projects (tenants)');

  projects
    .command('list')
    .description('the projects the token can see')
    .action(
      action(async (ctx) => {
        const page = await ctx.client.listProjects();
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['NAME', (p) => p.name],
            ['CREATED', (p) => time(p.createdAt)],
          ],
          'no projects',
        );
      }),
    );

  projects
    .command('create')
    .description('create a project (hub-wide admin token)')
    .argument('<name>', 'project name: lowercase letters, digits and dashes')
    .action(
      action(async (ctx, [name]) => {
        const r = await ctx.client.createProject(name!);
        if (ctx.json) return printJson(r);
        line(`project ${r.name} created`);
      }),
    );

  projects
    .command('show')
    .description('a project with its counts of workflows, agents and runs')
    .argument('<name>', 'project name')
    .action(
      action(async (ctx, [name]) => {
        const p = await ctx.client.getProject(name!);
        if (ctx.json) return printJson(p);
        printFields([
          ['name', p.name],
          ['created', time(p.createdAt)],
          ['workflows', p.workflows],
          ['agents', p.agents],
          ['runs', p.runs],
        ]);
        printSettings(p.settings);
      }),
    );

  projects
    .command('settings')
    .description('show or change the approval policy and SSRF-guard exemptions (admin to change)')
    .argument('<name>', 'project name')
    .addOption(
      new Option('--approval-threshold <risk>', 'lowest risk that waits for approval').choices([
        'low',
        'medium',
        'high',
        'critical',
      ]),
    )
    .option('--allow-auto <yes|no>', 'whether a node’s `approval: auto` may skip a risk approval')
    .option(
      '--always-require <agents...>',
      'agents or agent.actions that always wait (e.g. patcher); "none" for none',
    )
    .option(
      '--egress-allow <hosts...>',
      'hosts, IPs or CIDRs outbound HTTP may reach although private; "none" for none',
    )
    .action(
      action<{
        approvalThreshold?: Risk;
        allowAuto?: string;
        alwaysRequire?: string[];
        egressAllow?: string[];
      }>(async (ctx, [name], opts) => {
        const patch: ProjectSettingsPatch = {};
        const policy: NonNullable<ProjectSettingsPatch['approvalPolicy']> = {};
        if (opts.approvalThreshold) policy.threshold = opts.approvalThreshold;
        if (opts.allowAuto !== undefined) policy.allowAuto = yesNo(opts.allowAuto);
        if (opts.alwaysRequire) policy.alwaysRequire = list(opts.alwaysRequire);
        if (Object.keys(policy).length > 0) patch.approvalPolicy = policy;
        if (opts.egressAllow) patch.egressAllowHosts = list(opts.egressAllow);
        const r =
          Object.keys(patch).length > 0
            ? await ctx.client.updateProjectSettings(name!, patch)
            : await ctx.client.getProjectSettings(name!);
        if (ctx.json) return printJson(r);
        printSettings(r.effective);
      }),
    );
}

function printSettings(s: ProjectSettings): void {
  const p = s.approvalPolicy;
  printFields([
    ['approval threshold', p.threshold],
    ['approval: auto allowed', p.allowAuto ? 'yes' : 'no'],
    ['always require approval', p.alwaysRequire.join(', ') || '(none)'],
    ['egress allowed hosts', s.egressAllowHosts.join(', ') || '(none: public addresses only)'],
  ]);
}

const list = (values: string[]) =>
  values.length === 1 && values[0] === 'none' ? [] : values.flatMap((v) => v.split(','));

function yesNo(v: string): boolean {
  if (/^(yes|true|on)$/i.test(v)) return true;
  if (/^(no|false|off)$/i.test(v)) return false;
  throw new Error(`--allow-auto takes yes or no (got ${JSON.stringify(v)})`);
}
