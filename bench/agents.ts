/**
 * W8: one attempt through each agent transport, without the store — the overhead a step pays for
 * its transport: `builtin` (in-process), `process` one-shot (a spawn per attempt, `sh` and
 * `node`), `process` persistent (a warm node process), `http` (POST to a server on 127.0.0.1)
 * and `nats` (request/reply with a NATS service, when NATS is reachable). Each attempt runs one
 * after another; p50/p99 of the round trip.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import {
  validateAgentManifest,
  type AgentManifest,
  type ExecutionRequest,
} from '../packages/protocol/src/index.js';
import { BuiltinRegistry } from '../packages/hub/src/executors/builtin.js';
import { serveNatsAgent } from '../packages/hub/src/executors/nats-service-agent.js';
import { createExecutors } from '../packages/hub/src/executors/registry.js';
import type { HttpResult } from './http.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../packages/hub/src/executors/fixtures/${name}.mjs`, import.meta.url));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

function manifest(doc: Record<string, unknown>): AgentManifest {
  const v = validateAgentManifest({ version: '1.0.0', actions: { noop: {} }, ...doc });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.agent;
}

export async function benchAgents(opts: {
  scale: number;
  natsUrl?: string;
  log: (...a: unknown[]) => void;
}): Promise<HttpResult[]> {
  const results: HttpResult[] = [];
  const executors = createExecutors({
    builtins: new BuiltinRegistry().register('bench', { noop: () => ({}) }),
    ...(opts.natsUrl ? { natsUrl: opts.natsUrl } : {}),
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"output":{}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const nc = opts.natsUrl ? await connect({ servers: opts.natsUrl }) : undefined;
  const project = `bench${process.pid}`;
  if (nc) {
    await serveNatsAgent(nc, {
      project,
      manifest: { name: 'bench-nats', version: '1.0.0', type: 'nats', actions: { noop: {} } },
      handlers: { noop: () => ({}) },
    });
  }
  const transports: [string, AgentManifest, number][] = [
    ['builtin', manifest({ name: 'bench', type: 'builtin' }), 2000],
    [
      'process one-shot (sh)',
      manifest({
        name: 'sh',
        type: 'process',
        runtime: { command: ['/bin/sh', '-c', 'read line; echo \'{"output":{}}\''] },
      }),
      200,
    ],
    [
      'process one-shot (node)',
      manifest({
        name: 'node1',
        type: 'process',
        runtime: { command: [process.execPath, fixture('echo')] },
      }),
      100,
    ],
    [
      'process persistent (node)',
      manifest({
        name: 'node2',
        type: 'process',
        concurrency: 1,
        runtime: { command: [process.execPath, fixture('persistent-agent')], persistent: true },
      }),
      2000,
    ],
    [
      'http',
      manifest({ name: 'web', type: 'http', runtime: { url: `http://127.0.0.1:${port}/` } }),
      2000,
    ],
    ...(nc
      ? ([['nats', manifest({ name: 'bench-nats', type: 'nats' }), 2000]] as [
          string,
          AgentManifest,
          number,
        ][])
      : []),
  ];
  if (!nc) opts.log('NATS unreachable: W8 skips the nats transport');
  try {
    for (const [label, agent, n] of transports) {
      const count = Math.max(10, Math.round(n * opts.scale));
      const lat: number[] = [];
      for (let i = 0; i < count + 5; i++) {
        const request: ExecutionRequest = {
          action: 'noop',
          input: {},
          run: { id: `r${i}`, project, workflow: 'bench', version: 1 },
          step: { id: 's', key: 's' },
          attempt: 1,
          idempotencyKey: `r${i}:s`,
        };
        const t = performance.now();
        const r = await executors.execute(agent, request, {
          signal: new AbortController().signal,
          log: () => {},
          allowHosts: ['127.0.0.1'],
        });
        if (!r.ok) throw new Error(`${label}: ${JSON.stringify(r.error)}`);
        if (i >= 5) lat.push(performance.now() - t); // the first ones warm up (spawn, connect)
      }
      results.push({
        store: '-',
        workload: 'W8',
        metric: `${label} attempt p50`,
        value: round(pct(lat, 50), 3),
        unit: 'ms',
        extra: { p99: round(pct(lat, 99), 3), attempts: count },
      });
    }
  } finally {
    await executors.close();
    await nc?.drain();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return results;
}
