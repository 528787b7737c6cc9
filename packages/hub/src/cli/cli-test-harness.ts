/**
 * What the CLI's subprocess tests need: `commandcenter …` as a subprocess whose output can be
 * awaited, a real hub started with `commandcenter up` (PGlite, or PostgreSQL in a schema of its
 * own), and the agent and workflow files the tests apply.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { testDatabaseUrl, type StoreKind } from '../testing/stores.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const nodeArgs = ['--conditions=source', '--import', 'tsx', 'packages/hub/src/cli/main.ts'];

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running subprocess whose output can be awaited. */
export interface Proc {
  child: ChildProcess;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<Result>;
}

/** The environment of a subprocess: this one's, without any CC_ or database settings. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CC_') && k !== 'DATABASE_URL') env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function start(
  args: string[],
  env: Record<string, string | undefined>,
  input?: string,
): Proc {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: root,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin!.end(input ?? '');
  const done = new Promise<Result>((res) =>
    child.on('close', (code) => {
      res({ code, stdout, stderr });
      for (const w of waiters) w();
    }),
  );
  let exited = false;
  void done.then(() => (exited = true));
  return {
    child,
    stdout: () => stdout,
    done,
    waitFor: (pattern) =>
      new Promise((res, rej) => {
        const check = () => {
          const m = stdout.match(pattern);
          if (m) {
            waiters.delete(check);
            res(m);
          } else if (exited || child.exitCode !== null) {
            waiters.delete(check);
            rej(new Error(`process ended without printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/** A free port that nothing listens on (for the "hub unreachable" case). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

const agentScript = `
let raw = '';
for await (const chunk of process.stdin) raw += chunk;
const req = JSON.parse(raw);
console.error('cli-agent ' + req.action + ' attempt ' + req.attempt);
const out = (o) => console.log(JSON.stringify(o));
if (req.action === 'echo') out({ output: { text: String(req.input.text ?? '') } });
else if (req.action === 'fail') out({ error: { message: 'boom on purpose', retryable: false } });
else if (req.attempt < 2) out({ error: { message: 'flaky first attempt', retryable: true } });
else out({ output: { text: 'second time lucky' } });
`;

const agentManifest = `name: cli-agent
version: 1.0.0
type: process
description: Echoes, fails, or fails once
risk: low
runtime:
  command: [node, agent.mjs]
  cwd: .
actions:
  echo:
    input: { type: object, properties: { text: { type: string } } }
    output: { type: object, properties: { text: { type: string } } }
  fail:
    input: { type: object }
    output: { type: object }
  flaky:
    input: { type: object }
    output: { type: object, properties: { text: { type: string } } }
`;

export const workflows = {
  'ok.yaml': `name: cli-ok
description: echo, then a step that succeeds on its second attempt
inputs: { type: object, properties: { text: { type: string } } }
nodes:
  - id: first
    agent: cli-agent
    action: echo
    inputs: { text: '{{ input.text }}' }
  - id: second
    agent: cli-agent
    action: flaky
    dependsOn: [first]
    retry: { attempts: 2, backoff: fixed, delay: 50ms }
`,
  'fail.yaml': `name: cli-fail
nodes:
  - id: boom
    agent: cli-agent
    action: fail
`,
  'gate.yaml': `name: cli-gate
nodes:
  - id: gated
    agent: cli-agent
    action: echo
    approval: required
    inputs: { text: gated }
`,
  'invalid.yaml': `name: cli-invalid
nodes:
  - id: a
    agent: no-such-agent
    action: echo
`,
  'input.json': '{ "text": "from a file" }',
};

export interface Hub {
  url: string;
  token: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startHub(kind: StoreKind): Promise<Hub> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-cli-'));
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'examples'));
  await mkdir(join(dir, 'files'));
  await writeFile(join(dir, 'files', 'agent.mjs'), agentScript);
  await writeFile(join(dir, 'files', 'agent.yaml'), agentManifest);
  for (const [name, text] of Object.entries(workflows)) {
    await writeFile(join(dir, 'files', name), text);
  }
  const token = `cc_test_admin_${randomBytes(12).toString('hex')}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dbUrl = testDatabaseUrl();
  const hub = start(['up'], {
    CC_PORT: '0',
    CC_DATA_DIR: join(dir, 'data'),
    CC_ADMIN_TOKEN: token,
    CC_EXAMPLES_DIR: join(dir, 'examples'),
    DATABASE_URL: kind === 'postgres' ? dbUrl : undefined,
    CC_DB_SCHEMA: kind === 'postgres' ? schema : undefined,
  });
  const [, url] = await hub.waitFor(/CommandCenter hub listening on (http:\/\/\S+)/);
  return {
    url: url!,
    token,
    dir,
    async stop() {
      hub.child.kill('SIGTERM');
      const r = await hub.done;
      await rm(dir, { recursive: true, force: true });
      if (kind === 'postgres') {
        const c = new pg.Client({ connectionString: dbUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
      assert.equal(r.code, 0, `the hub did not stop cleanly on SIGTERM:\n${r.stderr}`);
    },
  };
}
