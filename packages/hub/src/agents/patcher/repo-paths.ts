/**
 * Path safety of the patcher: every path a change names must stay inside the repository's
 * working tree and out of `.git`, checked by its text (no absolute paths, `..`, NUL bytes, `.git`
 * segments) and on disk (every existing parent, symbolic links followed, must resolve inside the
 * repository) before anything is written.
 */
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { StepFailure } from '../../executors/builtin.js';

/** Whether `child` is `parent` or lies below it (both absolute and normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** A refused path: never retryable, nothing has been written. */
export function refusePath(field: string, path: string, why: string): StepFailure {
  return new StepFailure(
    `${field} "${printable(path)}" is refused: ${why}. Paths must be relative to the ` +
      'repository root, use "/" separators, and stay inside the working tree (no "..", no ' +
      'absolute paths, nothing under .git, no symbolic links leading out of the repository). ' +
      'Nothing was written.',
    { retryable: false, code: 'CC_E_AGENT_ERROR', details: { field, path: printable(path) } },
  );
}

/**
 * Checks a path by its text and returns it normalized (`a//b/./c` → `a/b/c`). Throws a
 * non-retryable {@link StepFailure} naming `field` when it is unsafe.
 */
export function checkRelativePath(path: string, field: string): string {
  if (path.includes('\0')) throw refusePath(field, path, 'it contains a NUL byte');
  if (path.includes('\\')) throw refusePath(field, path, 'it contains a backslash');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    throw refusePath(field, path, 'it is an absolute path');
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) throw refusePath(field, path, 'it names no file');
  if (segments.includes('..')) throw refusePath(field, path, 'it contains a ".." segment');
  if (segments.some((s) => s.toLowerCase() === '.git')) {
    throw refusePath(field, path, 'it points into .git');
  }
  return segments.join('/');
}

/** What is at a checked location now. */
export type Existing = 'none' | 'file' | 'directory' | 'symlink';

/**
 * Checks a normalized relative path against the working tree `root` (a real path): every parent
 * that exists must be a directory whose real location is inside `root` and not its `.git`.
 * Returns what the final component is now (a symbolic link is reported, not followed).
 */
export async function checkOnDisk(root: string, rel: string, field: string): Promise<Existing> {
  const segments = rel.split('/');
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = join(current, segments[i]!);
    const info = await lstat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!info) return 'none';
    const last = i === segments.length - 1;
    if (last) return info.isSymbolicLink() ? 'symlink' : info.isDirectory() ? 'directory' : 'file';
    if (info.isSymbolicLink()) {
      const target = await realpath(current).catch(() => undefined);
      if (target === undefined) {
        throw refusePath(field, rel, `${segments.slice(0, i + 1).join('/')} is a broken link`);
      }
      if (!isInside(root, target) || isInside(join(root, '.git'), target)) {
        throw refusePath(
          field,
          rel,
          `${segments.slice(0, i + 1).join('/')} is a symbolic link to ${target}, outside the repository`,
        );
      }
    } else if (!info.isDirectory()) {
      throw refusePath(
        field,
        rel,
        `${segments.slice(0, i + 1).join('/')} is a file, not a directory`,
      );
    }
  }
  return 'none';
}

function printable(path: string): string {
  return path.replace(/\0/g, '\\0');
}
