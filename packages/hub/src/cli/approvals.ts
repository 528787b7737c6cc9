/** `approvals list|show|approve|reject`. */
import type { Approval, ApprovalStatus } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, oneOf, positiveInt } from './context.js';
import { line, printBlock, printFields, printJson, printTable, time } from './output.js';

const statuses = ['pending', 'approved', 'rejected', 'expired', 'cancelled', 'all'] as const;

export function registerApprovals(program: Command): void {
  const approvals = program
    .command('approvals')
    .description('decide the approval gates of waiting runs');

  approvals
    .command('list')
    .description('approvals of the project (pending ones by default)')
    .option('--status <status>', `${statuses.join(', ')} (default pending)`, oneOf(statuses))
    .option('--limit <n>', 'how many (1-500, default 100)', positiveInt)
    .action(
      action<{ status?: ApprovalStatus | 'all'; limit?: number }>(async (ctx, _args, opts) => {
        const page = await ctx.client.listApprovals({ status: opts.status, limit: opts.limit });
        if (ctx.json) return printJson(page);
        printTable(
          page.items,
          [
            ['ID', (a) => a.id],
            ['WORKFLOW', (a) => a.workflow],
            ['STEP', (a) => a.stepKey],
            ['RUN', (a) => a.runId],
            ['STATUS', (a) => a.status],
            ['REQUESTED', (a) => time(a.requestedAt)],
            ['EXPIRES', (a) => time(a.expiresAt)],
          ],
          opts.status && opts.status !== 'pending' ? 'no approvals' : 'no pending approvals',
        );
      }),
    );

  approvals
    .command('show')
    .description('an approval with the inputs the approver decides on')
    .argument('<id>', 'approval id')
    .action(
      action(async (ctx, [id]) => {
        const a = await ctx.client.getApproval(id!);
        if (ctx.json) return printJson(a);
        printApproval(a);
      }),
    );

  for (const decision of ['approve', 'reject'] as const) {
    approvals
      .command(decision)
      .description(decision === 'approve' ? 'let the step run' : 'fail the step (and the run)')
      .argument('<id>', 'approval id')
      .option('-m, --comment <text>', 'why (recorded in the audit log)')
      .action(
        action<{ comment?: string }>(async (ctx, [id], opts) => {
          const body = opts.comment === undefined ? {} : { comment: opts.comment };
          const r =
            decision === 'approve'
              ? await ctx.client.approve(id!, body)
              : await ctx.client.reject(id!, body);
          if (ctx.json) return printJson(r);
          line(`approval ${r.id} ${r.status}`);
        }),
      );
  }
}

function printApproval(a: Approval): void {
  printFields([
    ['id', a.id],
    ['status', a.status],
    ['workflow', a.workflow],
    ['run', a.runId],
    ['step', a.stepKey],
    ['requested', time(a.requestedAt)],
    ['expires', time(a.expiresAt)],
    ['decided by', a.decidedBy ?? undefined],
    ['decided', a.decidedAt ? time(a.decidedAt) : undefined],
    ['comment', a.comment ?? undefined],
  ]);
  printBlock('snapshot', a.snapshot ?? null);
  if (a.status === 'pending') {
    line(`decide: commandcenter approvals approve ${a.id}   (or reject ${a.id})`);
  }
}
