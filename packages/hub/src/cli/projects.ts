/** `projects list|create|show`. */
import type { Command } from 'commander';
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
      }),
    );
}
