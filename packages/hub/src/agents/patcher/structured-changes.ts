/**
 * The `changes` input: file writes, deletions and renames. Every path is checked (text and disk)
 * for all operations before the first one runs, and again right before each operation, because an
 * earlier operation (a rename) can change what a later path goes through.
 */
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StepFailure } from '../../executors/builtin.js';
import type { Git } from './git.js';
import type { FileChange } from './manifest.js';
import { checkOnDisk, checkRelativePath, refusePath, type Existing } from './repo-paths.js';

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A change with its paths checked by their text. */
interface CheckedChange {
  index: number;
  change: FileChange;
  path: string;
  to?: string;
}

/** Checks every change by its text: throws a {@link StepFailure} naming the bad field. */
export function checkChanges(changes: readonly FileChange[]): CheckedChange[] {
  return changes.map((change, index) => {
    const field = `changes[${index}]`;
    const path = checkRelativePath(change.path, `${field}.path`);
    if (change.action === 'write' && typeof change.content !== 'string') {
      throw invalid(`${field} writes ${path} but has no content: add content (a string)`);
    }
    if (change.encoding === 'base64' && !base64.test((change.content ?? '').replace(/\s+/g, ''))) {
      throw invalid(`${field}.content is not valid base64: encode the bytes with standard base64`);
    }
    if (change.action === 'rename') {
      if (typeof change.to !== 'string') {
        throw invalid(`${field} renames ${path} but has no "to": add the new path`);
      }
      return { index, change, path, to: checkRelativePath(change.to, `${field}.to`) };
    }
    return { index, change, path };
  });
}

/**
 * Checks every change against the working tree `dir` (a real path), then performs them in order
 * and stages them. The tree is a fresh checkout holding nothing but these changes, so staging
 * everything (ignored paths included: a written file is meant to be committed) stages exactly them.
 */
export async function applyChanges(
  git: Git,
  dir: string,
  changes: readonly FileChange[],
): Promise<void> {
  const checked = checkChanges(changes);
  for (const c of checked) await checkTargets(dir, c);
  for (const c of checked) await perform(dir, c);
  await git.run(['add', '--all', '--force', '--', '.'], { cwd: dir });
}

async function checkTargets(dir: string, c: CheckedChange): Promise<Existing> {
  const field = `changes[${c.index}]`;
  const existing = await checkOnDisk(dir, c.path, `${field}.path`);
  if (c.change.action === 'write' && existing === 'symlink') {
    throw refusePath(
      `${field}.path`,
      c.path,
      'it is a symbolic link; the patcher writes no file through a link',
    );
  }
  if (c.to !== undefined) await checkOnDisk(dir, c.to, `${field}.to`);
  return existing;
}

async function perform(dir: string, c: CheckedChange): Promise<void> {
  const existing = await checkTargets(dir, c);
  const field = `changes[${c.index}]`;
  const target = join(dir, c.path);
  switch (c.change.action) {
    case 'write': {
      if (existing === 'directory')
        throw invalid(`${field} writes ${c.path}, which is a directory`);
      await mkdir(dirname(target), { recursive: true });
      const content = c.change.content ?? '';
      const data =
        c.change.encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content);
      // O_NOFOLLOW: a link appearing after the check is never written through.
      const flags =
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
      const handle = await open(target, flags, 0o644);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      return;
    }
    case 'delete':
      if (existing === 'none') throw invalid(`${field} deletes ${c.path}, which does not exist`);
      await rm(target, { recursive: true });
      return;
    case 'rename': {
      if (existing === 'none') throw invalid(`${field} renames ${c.path}, which does not exist`);
      const to = c.to!;
      if ((await checkOnDisk(dir, to, `${field}.to`)) !== 'none') {
        throw invalid(`${field} renames ${c.path} to ${to}, which already exists: delete it first`);
      }
      await mkdir(dirname(join(dir, to)), { recursive: true });
      await rename(target, join(dir, to));
      return;
    }
  }
}

function invalid(message: string): StepFailure {
  return new StepFailure(`${message}.`, { retryable: false, code: 'CC_E_AGENT_ERROR' });
}
