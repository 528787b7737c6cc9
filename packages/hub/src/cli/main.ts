#!/usr/bin/env node
/**
 * `commandcenter`: the command-line interface of CommandCenter. It runs the hub (`up`, `worker`,
 * `migrate`) and talks to a running hub through its API (everything else).
 *
 * Exit codes: 0 ok; 1 error (printed as `error CC_E_…: detail`); 2 a waited-for run (or a tested
 * agent action) ended without succeeding.
 */
import { Command, Option } from 'commander';
import { registerActions } from './actions.js';
import { registerAgents } from './agents.js';
import { registerAlerts } from './alerts.js';
import { registerApply } from './apply.js';
import { registerApprovals } from './approvals.js';
import { registerAudit } from './audit.js';
import { defaultHubUrl } from './cli-config.js';
import { exitCodes } from './context.js';
import { registerDoctor } from './doctor.js';
import { printError } from './output.js';
import { registerProjects } from './projects.js';
import { registerRun } from './run.js';
import { registerRuns } from './runs.js';
import { registerSecrets } from './secrets.js';
import { registerServerCommands } from './server.js';
import { registerTokens } from './tokens.js';
import { registerTriggers } from './triggers.js';
import { registerWorkflows } from './workflows.js';

/** The whole command tree. */
function createProgram(): Command {
  const program = new Command('commandcenter')
    .description('CommandCenter: agent orchestration and workflow automation')
    .addOption(new Option('--url <url>', `hub URL (env CC_URL, default ${defaultHubUrl})`))
    .addOption(new Option('--token <token>', 'API token (env CC_TOKEN)'))
    .addOption(new Option('--project <name>', 'project (env CC_PROJECT; default: the token’s)'))
    .option('--json', 'print the raw API answers as JSON (NDJSON for streams)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });

  registerServerCommands(program);
  registerApply(program);
  registerRun(program);
  registerRuns(program);
  registerWorkflows(program);
  registerApprovals(program);
  registerAgents(program);
  registerTriggers(program);
  registerActions(program);
  registerAlerts(program);
  registerSecrets(program);
  registerTokens(program);
  registerProjects(program);
  registerAudit(program);
  registerDoctor(program);
  return program;
}

createProgram()
  .parseAsync(process.argv)
  .then(
    () => process.exit(process.exitCode ?? exitCodes.ok),
    (err: unknown) => {
      printError(err);
      process.exit(exitCodes.error);
    },
  );
