/**
 * The `diff` input: parsed with `parsePatch` to check every old and new file name before
 * anything is written, cross-checked with the paths git itself reads from the diff, then applied
 * with `git apply --index` (which refuses paths outside the tree and through links on its own).
 */
import { parsePatch } from 'diff';
import { StepFailure } from '../../executors/builtin.js';
import { GitError, type Git } from './git.js';
import { checkOnDisk, checkRelativePath, refusePath } from './repo-paths.js';

/** A checked diff, ready for `git apply -p<strip>`. */
export interface CheckedDiff {
  text: string;
  /** 1 when the names carry `a/` and `b/` prefixes (git's default), else 0. */
  strip: 0 | 1;
  /** Every repository path the diff reads or writes. */
  paths: string[];
}

const devNull = '/dev/null';
const symlinkMode = '120000';

/** Parses the diff and checks its file names by their text. Throws {@link StepFailure}. */
export function parseDiffInput(text: string): CheckedDiff {
  if (text.includes('\0')) throw refusePath('diff', '(diff text)', 'it contains a NUL byte');
  let patches;
  try {
    patches = parsePatch(text.endsWith('\n') ? text : `${text}\n`);
  } catch (err) {
    throw invalidDiff(`it cannot be parsed (${(err as Error).message})`);
  }
  const files = patches.filter((p) => p.oldFileName !== undefined || p.newFileName !== undefined);
  if (files.length === 0) {
    throw invalidDiff('it names no file (expected "--- a/<path>" and "+++ b/<path>" headers)');
  }
  const names = files.flatMap((p) => [p.oldFileName, p.newFileName]);
  const named = names.filter((n): n is string => n !== undefined && n !== devNull);
  const strip = named.length > 0 && named.every((n) => /^[ab]\//.test(n)) ? 1 : 0;
  const paths = new Set<string>();
  for (const p of files) {
    if (p.newMode === symlinkMode || p.oldMode === symlinkMode) {
      throw refusePath(
        'diff',
        p.newFileName ?? p.oldFileName ?? '',
        'the patcher does not create or change symbolic links',
      );
    }
    for (const name of [p.oldFileName, p.newFileName]) {
      if (name === undefined || name === devNull) continue;
      const stripped = strip === 1 ? name.slice(2) : name;
      paths.add(checkRelativePath(stripped, 'diff file name'));
    }
  }
  return { text: text.endsWith('\n') ? text : `${text}\n`, strip, paths: [...paths] };
}

/**
 * Checks the diff's paths in the working tree `dir` (its real path) — the names `parsePatch`
 * found and the ones git reads — then applies it to the working tree and the index.
 */
export async function applyDiff(git: Git, dir: string, diff: CheckedDiff): Promise<void> {
  const strip = `-p${diff.strip}`;
  let gitPaths: string[];
  try {
    const { stdout } = await git.run(['apply', strip, '--numstat', '-z', '-'], {
      cwd: dir,
      input: diff.text,
    });
    gitPaths = stdout
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => entry.split('\t').slice(2).join('\t'))
      .filter((p) => p !== '');
  } catch (err) {
    throw doesNotApply(err);
  }
  const all = new Set([
    ...diff.paths,
    ...gitPaths.map((p) => checkRelativePath(p, 'diff file name')),
  ]);
  for (const path of all) {
    const existing = await checkOnDisk(dir, path, 'diff file name');
    if (existing === 'symlink') {
      throw refusePath('diff file name', path, 'it is a symbolic link in the repository');
    }
  }
  try {
    await git.run(['apply', '--index', strip, '--whitespace=nowarn', '-'], {
      cwd: dir,
      input: diff.text,
    });
  } catch (err) {
    throw doesNotApply(err);
  }
}

function invalidDiff(why: string): StepFailure {
  return new StepFailure(
    `diff is not a usable unified diff: ${why}. Pass the output of "git diff" (or "diff -u"), ` +
      'or use changes: [{ path, action, content }] instead.',
    { retryable: false, code: 'CC_E_AGENT_ERROR' },
  );
}

function doesNotApply(err: unknown): unknown {
  if (!(err instanceof GitError) || err.kind !== 'exit') return err;
  return new StepFailure(
    `the diff does not apply to the base commit: ${err.stderr || err.message}. Regenerate it ` +
      'against the base branch (or set baseBranch to the commit it was made from).',
    { retryable: false, code: 'CC_E_AGENT_ERROR', details: { git: err.stderr } },
  );
}
