/**
 * What the staged change does to each file, from git's own accounting (`--name-status` for the
 * kind of change with rename detection, `--numstat` for line counts; binary files count 0).
 */
import type { Git } from './git.js';
import type { FileChanged } from './manifest.js';

const diffFlags = ['--cached', '--no-ext-diff', '--no-textconv', '--find-renames', '-z'];

/** The staged changes in `dir` relative to `start`, in git's path order. */
export async function stagedFiles(git: Git, dir: string, start: string): Promise<FileChanged[]> {
  const [status, numstat] = await Promise.all([
    git.run(['diff', ...diffFlags, '--name-status', start, '--'], { cwd: dir }),
    git.run(['diff', ...diffFlags, '--numstat', start, '--'], { cwd: dir }),
  ]);
  const counts = parseNumstat(numstat.stdout);
  return parseNameStatus(status.stdout).map((f) => ({ ...f, ...(counts.get(f.path) ?? zero) }));
}

/** The staged change as a patch text, cut at `maxBytes` (UTF-8). */
export async function stagedDiff(
  git: Git,
  dir: string,
  start: string,
  maxBytes: number,
): Promise<{ diff: string; truncated: boolean }> {
  const flags = diffFlags.filter((f) => f !== '-z');
  const { stdout } = await git.run(['diff', ...flags, start, '--'], { cwd: dir });
  const bytes = Buffer.from(stdout);
  if (bytes.length <= maxBytes) return { diff: stdout, truncated: false };
  // Cut at a line end so the excerpt stays readable (a cut multi-byte character is dropped too).
  const cut = bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD?$/, '');
  return { diff: cut.slice(0, cut.lastIndexOf('\n') + 1), truncated: true };
}

const zero = { additions: 0, deletions: 0 };

function parseNameStatus(out: string): Omit<FileChanged, 'additions' | 'deletions'>[] {
  const tokens = out.split('\0');
  const files: Omit<FileChanged, 'additions' | 'deletions'>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const code = tokens[i]?.[0];
    if (!code) continue;
    if (code === 'R' || code === 'C') {
      const from = tokens[++i] ?? '';
      const to = tokens[++i] ?? '';
      files.push(
        code === 'R'
          ? { path: to, status: 'renamed', previousPath: from }
          : { path: to, status: 'added' },
      );
      continue;
    }
    const path = tokens[++i] ?? '';
    const status = code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified';
    files.push({ path, status });
  }
  return files;
}

function parseNumstat(out: string): Map<string, { additions: number; deletions: number }> {
  const tokens = out.split('\0');
  const counts = new Map<string, { additions: number; deletions: number }>();
  for (let i = 0; i < tokens.length; i++) {
    const match = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(tokens[i] ?? '');
    if (!match) continue;
    let path = match[3] ?? '';
    if (path === '') {
      i += 2; // a rename: the old and the new path follow as their own tokens
      path = tokens[i] ?? '';
    }
    counts.set(path, { additions: toCount(match[1]), deletions: toCount(match[2]) });
  }
  return counts;
}

function toCount(v: string | undefined): number {
  return v === undefined || v === '-' ? 0 : Number(v);
}
