/**
 * Unified diffs (`git diff`, `diff -u`): the lines each file gains, numbered as in the new file.
 * Hunk line counts are tracked so that removed lines starting with `---` are not mistaken for
 * file headers. Deleted files and binary patches add nothing.
 */
import type { NumberedLine } from './line-scanner.js';
import { normalizeRelative } from './project-files.js';

/** The added lines of one file of a diff. */
export interface AddedLines {
  /** The file's path in the new tree (`b/` prefix removed). */
  path: string;
  lines: NumberedLine[];
}

const hunkHeader = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parses a unified diff into the added lines of each file, in diff order. */
export function parseUnifiedDiff(diff: string): AddedLines[] {
  const files: AddedLines[] = [];
  let current: AddedLines | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  let next = 0;
  for (const raw of diff.split(/\r?\n/)) {
    if (oldLeft > 0 || newLeft > 0) {
      const marker = raw[0];
      if (marker === '+') {
        current?.lines.push({ number: next, text: raw.slice(1) });
        next++;
        newLeft--;
      } else if (marker === '-') oldLeft--;
      else if (marker === ' ' || raw === '') {
        next++;
        oldLeft--;
        newLeft--;
      }
      // `\ No newline at end of file` changes nothing.
      continue;
    }
    if (raw.startsWith('diff --git ')) current = null;
    else if (raw.startsWith('+++ ')) {
      const path = newPath(raw.slice(4));
      current = path === null ? null : { path, lines: [] };
      if (current) files.push(current);
    } else {
      const hunk = hunkHeader.exec(raw);
      if (hunk) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
        next = Number(hunk[2]);
        newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      }
    }
  }
  return files.filter((f) => f.lines.length > 0);
}

function newPath(header: string): string | null {
  let path = header.split('\t')[0]!.trim();
  if (path.startsWith('"') && path.endsWith('"')) path = path.slice(1, -1);
  if (path === '/dev/null') return null;
  if (path.startsWith('b/')) path = path.slice(2);
  return normalizeRelative(path);
}
