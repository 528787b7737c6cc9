/**
 * `apply -f <file...>`: registers agent manifests (first, so workflows can use them) and applies
 * workflows. `--dry-run` validates the workflows without saving anything.
 */
import { isCCError } from '@commandcenter/protocol/client';
import type { Command } from 'commander';
import { action, exitCodes, type Context } from './context.js';
import { loadDocument, type LoadedDocument } from './documents.js';
import { line, note, printError, printJsonLine } from './output.js';

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('register agents and apply workflows from YAML/JSON files')
    .requiredOption('-f, --file <file...>', 'workflow or agent manifest files')
    .option('--dry-run', 'validate the workflows only; save nothing')
    .action(applyFiles('any'));
}

/** `agents apply -f`: like `apply`, for agent manifests only. */
export function registerAgentsApply(agents: Command): void {
  agents
    .command('apply')
    .description('register agent manifests from YAML/JSON files (a new version each change)')
    .requiredOption('-f, --file <file...>', 'agent manifest files')
    .action(applyFiles('agent'));
}

function applyFiles(only: 'any' | 'agent') {
  return action<{ file: string[]; dryRun?: boolean }>(async (ctx, _args, opts) => {
    const docs: LoadedDocument[] = [];
    let failed = false;
    for (const file of opts.file) {
      try {
        const doc = await loadDocument(file);
        if (only === 'agent' && doc.kind !== 'agent') {
          throw new Error(
            `${file} is a workflow, not an agent manifest: apply it with \`commandcenter apply -f ${file}\``,
          );
        }
        docs.push(doc);
      } catch (err) {
        failed = true;
        report(file, err);
      }
    }
    // Agents first: the workflows of the same apply may use them.
    const ordered = [
      ...docs.filter((d) => d.kind === 'agent'),
      ...docs.filter((d) => d.kind === 'workflow'),
    ];
    for (const doc of ordered) {
      try {
        await applyOne(ctx, doc, opts.dryRun === true);
      } catch (err) {
        // Nothing else can succeed without the hub or with a bad token: stop here.
        if (!isCCError(err) || err.status === 401 || err.code === 'CC_E_HUB_UNREACHABLE') {
          throw err;
        }
        failed = true;
        report(doc.file, err);
      }
    }
    return failed ? exitCodes.error : exitCodes.ok;
  });
}

async function applyOne(ctx: Context, doc: LoadedDocument, dryRun: boolean): Promise<void> {
  if (doc.kind === 'agent') {
    if (dryRun) {
      note(`- ${doc.file}: agent ${doc.name} not checked (--dry-run validates workflows only)`);
      return;
    }
    const r = await ctx.client.applyAgent(doc.body);
    if (ctx.json) printJsonLine(r);
    else line(`agent ${r.name}@${r.version} ${r.created ? 'registered' : 'unchanged'}`);
    return;
  }
  if (dryRun) {
    const r = await ctx.client.validateWorkflow(doc.body);
    if (ctx.json) return printJsonLine(r);
    line(`workflow ${r.name} is valid (${doc.file})`);
    for (const w of r.warnings) line(`  warning ${w.code} ${w.path}: ${w.message} — ${w.fix}`);
    return;
  }
  const r = await ctx.client.applyWorkflow(doc.body);
  if (ctx.json) printJsonLine(r);
  else line(`workflow ${r.name} v${r.version} ${r.created ? 'applied' : 'unchanged'}`);
}

function report(file: string, err: unknown): void {
  note(`✗ ${file}`);
  printError(err);
}
