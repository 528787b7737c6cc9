/**
 * Confinement of built-in agents to the hub's workspace roots (`CC_WORKSPACE_ROOTS`): a path is
 * accepted only when its real location (symbolic links followed) lies inside a root.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { StepFailure } from '../../executors/builtin.js';

/** A path inside the workspace roots, resolved to its real location. */
export interface WorkspacePath {
  /** The real absolute path (symbolic links resolved). */
  real: string;
  /** The real path of the root that contains it. */
  root: string;
  kind: 'file' | 'directory';
}

/** Whether `child` is `parent` or lies below it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `input` (absolute, or relative to the first workspace root) to a real path inside one
 * of `roots`. Throws a non-retryable {@link StepFailure} when there is no root, the path does not
 * exist or cannot be read, or it resolves (`..`, symbolic links) outside every root.
 */
export async function resolveWorkspacePath(
  input: string,
  roots: readonly string[],
  field = 'path',
): Promise<WorkspacePath> {
  if (roots.length === 0) {
    throw refuse(
      `${field} "${input}" cannot be read: the hub has no workspace roots. ` +
        'Set CC_WORKSPACE_ROOTS to the directories built-in agents may read.',
      input,
      roots,
    );
  }
  const requested = resolve(roots[0]!, input);
  let real: string;
  try {
    real = await realpath(requested);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
    throw refuse(
      `${field} "${input}" ${why}. Give a file or directory inside the workspace roots (${roots.join(', ')}).`,
      input,
      roots,
    );
  }
  const realRoots = await realRootsOf(roots);
  const root = realRoots.find((r) => isInside(r, real));
  if (root === undefined) {
    throw refuse(
      `${field} "${input}" resolves to ${real}, which is outside the workspace roots ` +
        `(${roots.join(', ')}). Put the files under a workspace root, or have the hub admin add ` +
        'their directory to CC_WORKSPACE_ROOTS.',
      input,
      roots,
    );
  }
  const info = await stat(real);
  return { real, root, kind: info.isDirectory() ? 'directory' : 'file' };
}

/** The real paths of the roots that exist (a missing root contains nothing). */
export async function realRootsOf(roots: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    try {
      out.push(await realpath(resolve(root)));
    } catch {
      // A root that does not exist yet holds no files; it cannot contain the path.
    }
  }
  return out;
}

function refuse(message: string, path: string, roots: readonly string[]): StepFailure {
  return new StepFailure(message, {
    retryable: false,
    code: 'CC_E_AGENT_ERROR',
    details: { path, workspaceRoots: [...roots] },
  });
}
