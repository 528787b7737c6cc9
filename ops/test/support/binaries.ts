/**
 * The Prometheus tools the ops tests run (Debian packages `prometheus` and
 * `prometheus-alertmanager`), found on PATH. A missing tool skips the suite with the reason —
 * unless CC_REQUIRE_SERVICES=1 (CI), where it fails, as scripts/test.mjs does for services.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';

/** Debian installs Alertmanager as `prometheus-alertmanager`; upstream tarballs as `alertmanager`. */
export const TOOLS = {
  promtool: ['promtool'],
  prometheus: ['prometheus'],
  alertmanager: ['prometheus-alertmanager', 'alertmanager'],
  amtool: ['amtool'],
} as const;

export type Tool = keyof typeof TOOLS;

export function findTool(tool: Tool): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of TOOLS[tool]) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export interface Tools {
  paths: Partial<Record<Tool, string>>;
  /** The `skip` option of the suite: the reason, or false. */
  skip: string | false;
  /** Registers a failing test when tools are missing and CC_REQUIRE_SERVICES=1 (else nothing). */
  failIfRequired(): void;
}

export function requireTools(...tools: Tool[]): Tools {
  const paths: Partial<Record<Tool, string>> = {};
  for (const t of tools) {
    const p = findTool(t);
    if (p) paths[t] = p;
  }
  const missing = tools.filter((t) => !paths[t]);
  const reason = missing.length
    ? `missing ${missing.map((t) => TOOLS[t].join(' or ')).join(', ')} on PATH (apt-get install prometheus prometheus-alertmanager)`
    : undefined;
  const required = process.env.CC_REQUIRE_SERVICES === '1';
  return {
    paths,
    skip: reason && !required ? reason : false,
    failIfRequired() {
      if (reason && required) {
        test('the Prometheus tools are installed', () => {
          throw new Error(`CC_REQUIRE_SERVICES=1: ${reason}`);
        });
      }
    },
  };
}

/** Runs a tool to completion; resolves with its exit code and combined output. */
export function run(
  bin: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
