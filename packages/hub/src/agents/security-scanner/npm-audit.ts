/**
 * `npm audit --json --package-lock-only` of one lockfile. The lockfile (and its package.json) is
 * copied into a fresh temporary directory first, so that an `.npmrc` in the scanned project
 * (untrusted input) cannot redirect npm to another registry or proxy. npm runs without a shell,
 * with a scrubbed environment, a timeout and the attempt's abort signal.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link runNpmAudit}. */
export interface NpmAuditOptions {
  /** The npm executable (default `npm` on PATH). */
  npmPath?: string;
  /** Registry URL passed as `--registry` (default: npm's own configuration). */
  registry?: string;
  /** Kill npm after this long (default 120 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The environment npm inherits from (default `process.env`), before scrubbing. */
  env?: NodeJS.ProcessEnv;
}

/** An npm audit report (auditReportVersion 2), as far as the scanner reads it. */
export interface NpmAuditReport {
  auditReportVersion: 2;
  vulnerabilities: Record<string, NpmVulnerability>;
  metadata?: { vulnerabilities?: Partial<Record<string, number>> };
}

/** One vulnerable package of an npm audit report. */
export interface NpmVulnerability {
  name: string;
  severity: string;
  isDirect?: boolean;
  /** Advisories (objects) or names of vulnerable dependencies (strings). */
  via: (
    string | { source?: number; title?: string; url?: string; severity?: string; range?: string }
  )[];
  range?: string;
  nodes?: string[];
  fixAvailable?: boolean | { name: string; version: string; isSemVerMajor?: boolean };
}

/** What running npm audit gave. */
export type NpmAuditRun = { ok: true; report: NpmAuditReport } | { ok: false; reason: string };

// The hub's locale, proxy and CA settings, and the npm settings an admin may set for it; not
// the rest of npm's environment (`npm start` exports npm_config_local_prefix, which would make
// npm audit the hub's own project instead of the lockfile given).
const passedEnv =
  /^(?:PATH|HOME|LANG|LC_ALL|TZ|TMPDIR|USERPROFILE|APPDATA|SystemRoot|(?:https?|no)_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR)$|^npm_config_(?:cache|userconfig|globalconfig|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|registry)$/i;

/** Runs npm audit over `lockfile` (the text of a package-lock.json). Never rejects but on abort. */
export async function runNpmAudit(
  lockfile: string,
  packageJson: string | undefined,
  opts: NpmAuditOptions = {},
): Promise<NpmAuditRun> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-npm-audit-'));
  try {
    await writeFile(join(dir, 'package-lock.json'), lockfile);
    if (packageJson !== undefined) await writeFile(join(dir, 'package.json'), packageJson);
    return await execAudit(dir, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function execAudit(cwd: string, opts: NpmAuditOptions): Promise<NpmAuditRun> {
  const npm = opts.npmPath ?? 'npm';
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const args = ['audit', '--json', '--package-lock-only'];
  if (opts.registry) args.push('--registry', opts.registry);
  const env: NodeJS.ProcessEnv = { npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  for (const [key, value] of Object.entries(opts.env ?? process.env)) {
    if (passedEnv.test(key) && value !== undefined) env[key] = value;
  }
  return new Promise((resolve, reject) => {
    execFile(
      npm,
      args,
      { cwd, env, timeout: timeoutMs, signal: opts.signal, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (opts.signal?.aborted) return reject(opts.signal.reason ?? err);
        const failure = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        if (failure?.code === 'ENOENT') {
          return resolve({
            ok: false,
            reason: `npm was not found (${npm}): install npm on the hub host or set the scanner's npmPath`,
          });
        }
        if (failure?.killed) {
          return resolve({ ok: false, reason: `npm audit did not finish within ${timeoutMs} ms` });
        }
        // npm exits 1 when it finds vulnerabilities: the JSON on stdout decides.
        resolve(interpret(stdout, stderr, failure));
      },
    );
  });
}

function interpret(stdout: string, stderr: string, err: Error | null): NpmAuditRun {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    const tail = (stderr.trim() || err?.message || 'no output').split('\n').slice(-3).join(' ');
    return { ok: false, reason: `npm audit did not print a JSON report: ${tail}` };
  }
  const report = parsed as Partial<NpmAuditReport> & {
    message?: string;
    error?: { code?: string; summary?: string; detail?: string };
  };
  if (report.auditReportVersion === 2 && report.vulnerabilities) {
    return { ok: true, report: report as NpmAuditReport };
  }
  const why = [report.error?.code, report.message || report.error?.summary, report.error?.detail]
    .filter((s) => typeof s === 'string' && s.trim() !== '')
    .join(': ');
  return { ok: false, reason: `npm audit failed: ${why || 'unexpected report format'}` };
}
