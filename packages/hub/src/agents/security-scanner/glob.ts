/**
 * Glob patterns over workspace-relative POSIX paths, with gitignore-like anchoring: a pattern
 * without a slash (`*.pem`, `.env`) matches a file or directory name at any depth; a pattern with
 * a slash (`src/**\/*.ts`, `.github/CODEOWNERS`) matches from the root; a leading `/` anchors a
 * pattern without other slashes (`/README.md`). A pattern also matches every file under a
 * directory it matches (`docs` matches `docs/a.md`).
 *
 * Syntax: `*` (any characters but `/`), `**` (any directories), `?`, `[abc]`, `[!abc]`, `{a,b}`.
 */

/** Options of {@link compileGlob}. */
export interface GlobOptions {
  /** Match letter case insensitively (file policies: `readme.md` satisfies `README.md`). */
  nocase?: boolean;
  /** Match a pattern without a slash against root-level names only (required files). */
  anchored?: boolean;
}

/** A compiled glob: tests a workspace-relative path (`src/app.ts`). */
export type GlobMatcher = (path: string) => boolean;

/** Compiles one glob pattern; throws a clear error for an unbalanced `[` or `{`. */
export function compileGlob(pattern: string, opts: GlobOptions = {}): GlobMatcher {
  let source = pattern.trim().replace(/\/+$/, '');
  const rooted = source.startsWith('/');
  if (rooted) source = source.replace(/^\/+/, '');
  const anyDepth = !rooted && !opts.anchored && !source.includes('/');
  const body = translate(source, pattern);
  const regex = new RegExp(
    `^${anyDepth ? '(?:.*/)?' : ''}${body}(?:/.*)?$`,
    opts.nocase ? 'i' : '',
  );
  return (path) => regex.test(path);
}

/** Compiles a list of patterns into one matcher that accepts a path matching any of them. */
export function compileGlobs(patterns: readonly string[], opts: GlobOptions = {}): GlobMatcher {
  const matchers = patterns.map((p) => compileGlob(p, opts));
  return (path) => matchers.some((m) => m(path));
}

function translate(glob: string, original: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          // `**/` is zero or more directories; a trailing `**` is everything below.
          out += i + 2 === glob.length ? '.*' : '(?:.*/)?';
          i += 2;
          continue;
        }
        i++;
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error(`glob "${original}" has an unclosed "[": close it or escape it`);
      const negate = glob[i + 1] === '!' || glob[i + 1] === '^';
      const set = glob.slice(negate ? i + 2 : i + 1, end).replace(/[\\\]]/g, '\\$&');
      out += negate ? `[^/${set}]` : `[${set}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\{}]/g, '\\$&');
  }
  if (braces > 0) throw new Error(`glob "${original}" has an unclosed "{": close it with "}"`);
  return out;
}
