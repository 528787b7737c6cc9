/**
 * Real Prometheus and Alertmanager processes for the end-to-end test: free loopback ports, the
 * process's output kept for failure messages, readiness and conditions awaited with a deadline,
 * and a stop that always ends the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port of 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `probe` until it returns a value other than undefined, at most until `timeoutMs`;
 * `describe()` says what was awaited (and what was last seen) when it times out.
 */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; everyMs?: number; describe: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${opts.timeoutMs} ms: ${opts.describe()}`);
    await pause(opts.everyMs ?? 200);
  }
}

export interface Daemon {
  name: string;
  url: string;
  /** The last 20 kB of its stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `bin args` and resolves once `<url>/-/ready` answers 200. */
export async function startDaemon(
  name: string,
  bin: string,
  args: string[],
  url: string,
  timeoutMs = 30_000,
): Promise<Daemon> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (c: Buffer) => (log = (log + c.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const done = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${code ?? signal}`;
      resolve();
    }),
  );
  const daemon: Daemon = {
    name,
    url,
    output: () => log,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    },
  };
  try {
    const state = await until(
      async () => (exited ? 'exited' : (await fetch(`${url}/-/ready`)).ok ? 'ready' : undefined),
      { timeoutMs, describe: () => `${name} ready at ${url}; its output:\n${log}` },
    );
    if (state === 'exited') throw new Error(`${name} ${exited}:\n${log}`);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return daemon;
}
