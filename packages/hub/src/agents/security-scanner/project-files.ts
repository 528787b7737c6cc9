/**
 * The files an agent looks at: a directory walked on the hub host (confined to the workspace
 * roots) or inline `{ path, content }` items from an upstream step, behind one interface.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { StepFailure } from '../../executors/builtin.js';
import { isInside, realRootsOf, resolveWorkspacePath, type WorkspacePath } from './workspace.js';

/** One file, by its workspace-relative POSIX path. */
export interface ProjectFile {
  path: string;
  size: number;
  read(): Promise<Buffer>;
}

/** What a walk found. */
export interface FileListing {
  files: ProjectFile[];
  /** The walk stopped at `maxFiles`. */
  truncated: boolean;
  /** Symbolic links skipped (to a directory, or to a file outside the workspace roots). */
  skippedLinks: number;
  /** Subdirectories and files that could not be listed or examined (permissions), relative. */
  unreadable: string[];
}

/** Options of {@link listProjectFiles}. */
export interface ListOptions {
  /** Real paths of the workspace roots; linked files must resolve inside one. */
  realRoots: readonly string[];
  /** Stop after this many files (default 20 000). */
  maxFiles?: number;
  /** Directory names never entered (default {@link defaultSkipDirs}). */
  skipDirs?: ReadonlySet<string>;
  signal?: AbortSignal;
}

/** Directories a walk never enters: dependencies, VCS data and build output. */
export const defaultSkipDirs: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
]);

/** Default bound on the files of one walk. */
export const defaultMaxFiles = 20_000;

/**
 * Lists the files of `target` (a directory walked depth-first in name order, or one file).
 * Symbolic links to files are followed when they resolve inside the workspace roots; links to
 * directories are not followed (no cycles, no escape).
 */
export async function listProjectFiles(
  target: WorkspacePath,
  opts: ListOptions,
): Promise<FileListing> {
  if (target.kind === 'file') {
    const size = (await stat(target.real)).size;
    const file = diskFile(basename(target.real), target.real, size);
    return { files: [file], truncated: false, skippedLinks: 0, unreadable: [] };
  }
  const maxFiles = opts.maxFiles ?? defaultMaxFiles;
  const skipDirs = opts.skipDirs ?? defaultSkipDirs;
  const files: ProjectFile[] = [];
  const unreadable: string[] = [];
  let skippedLinks = 0;
  const pending: string[] = [''];
  while (pending.length > 0) {
    opts.signal?.throwIfAborted();
    const rel = pending.pop()!;
    let entries;
    try {
      entries = await readdir(join(target.real, rel), { withFileTypes: true });
    } catch (err) {
      if (rel === '') throw err; // the directory asked for: the caller reports it
      unreadable.push(rel);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const absolute = join(target.real, childRel);
      if (entry.isDirectory()) {
        if (!skipDirs.has(entry.name)) subdirs.push(childRel);
        continue;
      }
      let real = absolute;
      if (entry.isSymbolicLink()) {
        const linked = await linkedFile(absolute, opts.realRoots);
        if (!linked) {
          skippedLinks++;
          continue;
        }
        real = linked;
      } else if (!entry.isFile()) continue;
      if (files.length >= maxFiles) return { files, truncated: true, skippedLinks, unreadable };
      try {
        files.push(diskFile(childRel, real, (await stat(real)).size));
      } catch {
        unreadable.push(childRel); // removed or unreadable while walking
      }
    }
    // Depth-first in name order: push subdirectories last-first.
    for (const dir of subdirs.reverse()) pending.push(dir);
  }
  return { files, truncated: false, skippedLinks, unreadable };
}

/** A workspace path, resolved and listed. */
export interface WorkspaceListing extends FileListing {
  target: WorkspacePath;
  realRoots: string[];
}

/**
 * Resolves `path` inside `workspaceRoots` and lists its files. Every problem with the path itself
 * (outside the roots, missing, unreadable) is a non-retryable {@link StepFailure}.
 */
export async function listWorkspacePath(
  path: string,
  workspaceRoots: readonly string[],
  opts: Omit<ListOptions, 'realRoots'>,
): Promise<WorkspaceListing> {
  const target = await resolveWorkspacePath(path, workspaceRoots);
  const realRoots = await realRootsOf(workspaceRoots);
  try {
    return { ...(await listProjectFiles(target, { ...opts, realRoots })), target, realRoots };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new StepFailure(
      `path "${path}" cannot be read (${code}): give the hub's user read access to it.`,
      { retryable: false, details: { path } },
    );
  }
}

/** Inline files (`{ path, content }`), with paths normalized to POSIX without a leading `./`. */
export function inlineFiles(items: readonly { path: string; content: string }[]): ProjectFile[] {
  return items.map(({ path, content }) => {
    const bytes = Buffer.from(content, 'utf8');
    return { path: normalizeRelative(path), size: bytes.length, read: async () => bytes };
  });
}

/** `./a\\b/c` → `a/b/c`. */
export function normalizeRelative(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^(?:\.\/)+/, '')
    .replace(/^\/+/, '');
}

function diskFile(path: string, absolute: string, size: number): ProjectFile {
  return { path, size, read: () => readFile(absolute) };
}

async function linkedFile(link: string, realRoots: readonly string[]): Promise<string | null> {
  try {
    const real = await realpath(link);
    if (!realRoots.some((root) => isInside(root, real))) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null; // a dangling link has nothing to read
  }
}
