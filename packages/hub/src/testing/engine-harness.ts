import { randomBytes } from 'node:crypto';
import { Engine, type EngineOptions } from '../engine/engine.js';
import { BuiltinRegistry, StepFailure } from '../executors/builtin.js';
import { createExecutors } from '../executors/registry.js';
import { keyIdOf } from '../secrets/secret-key.js';
import { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/port.js';
import type { CCEvent } from '@commandcenter/protocol';
import { openTestStore, type StoreKind } from './stores.js';

/** What an action of the `test` agent was called with (as the agent saw it, before redaction). */
export interface ReceivedInput {
  runId: string;
  key: string;
  attempt: number;
  input: unknown;
}

/** Steps `slowOnce` has already seen: module-level, so it outlives an engine restart. */
const slowOnce = new Set<string>();

/** Concurrency seen by the `limited` agent's actions (reset by the tests that read it). */
export const limitedProbe = { active: 0, max: 0 };

/** Builtin actions the engine suites use: deterministic, observable, no mocks of the engine. */
export function testBuiltins(calls: string[] = [], received: ReceivedInput[] = []) {
  const receive = (input: unknown, ctx: { request: ReceivedRequest }) =>
    received.push({
      runId: ctx.request.run.id,
      key: ctx.request.step.key,
      attempt: ctx.request.attempt,
      input: structuredClone(input),
    });
  const flaky = new Map<string, number>();
  const registry = new BuiltinRegistry();
  registry.register('limited', {
    work: async () => {
      limitedProbe.max = Math.max(limitedProbe.max, ++limitedProbe.active);
      await new Promise((r) => setTimeout(r, 20));
      limitedProbe.active--;
      return {};
    },
  });
  return registry.register('test', {
    noop: () => ({}),
    deploy: (input, ctx) => {
      calls.push(`${ctx.request.step.key}#${ctx.request.attempt}`);
      receive(input, ctx);
      return { deployed: input };
    },
    echo: (input, ctx) => {
      calls.push(`${ctx.request.step.key}#${ctx.request.attempt}`);
      receive(input, ctx);
      ctx.log(`echo ${JSON.stringify(input)}`);
      return input;
    },
    fail: (input, ctx) => {
      receive(input, ctx);
      const i = input as { message?: string; retryable?: boolean };
      throw new StepFailure(i.message ?? 'failed on purpose', { retryable: i.retryable ?? false });
    },
    /** Fails (retryably) until the given attempt. */
    flaky: (input, ctx) => {
      const i = input as { succeedOn: number };
      calls.push(`${ctx.request.step.key}#${ctx.request.attempt}`);
      const n = (flaky.get(ctx.request.idempotencyKey) ?? 0) + 1;
      flaky.set(ctx.request.idempotencyKey, n);
      if (ctx.request.attempt < i.succeedOn)
        throw new StepFailure(`flaky attempt ${ctx.request.attempt}`);
      return { attempt: ctx.request.attempt };
    },
    /** Resolves after `ms`, or when aborted (then rejects). */
    sleep: (input, ctx) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(
          () => resolve({ slept: (input as { ms: number }).ms }),
          (input as { ms: number }).ms,
        );
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('aborted'));
        });
      }),
    /** Never resolves and ignores its signal. */
    hang: () => new Promise(() => {}),
    /** The first execution of a step waits until aborted; later ones answer at once. */
    slowOnce: (_input, ctx) => {
      calls.push(`${ctx.request.step.key}#${ctx.request.attempt}`);
      if (slowOnce.has(ctx.request.idempotencyKey)) return { second: true };
      slowOnce.add(ctx.request.idempotencyKey);
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    },
  });
}

export const testAgent = {
  name: 'test',
  version: '1.0.0',
  type: 'builtin',
  description: 'test actions',
  risk: 'low',
  actions: {
    noop: {},
    echo: {},
    fail: {},
    flaky: {
      input: {
        type: 'object',
        properties: { succeedOn: { type: 'integer' } },
        required: ['succeedOn'],
      },
    },
    sleep: { input: { type: 'object', properties: { ms: { type: 'integer' } }, required: ['ms'] } },
    hang: {},
    slowOnce: {},
    deploy: { risk: 'high' },
    typed: {
      input: {
        type: 'object',
        properties: { n: { type: 'number' } },
        required: ['n'],
        additionalProperties: false,
      },
      output: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    },
  },
};

/** An agent whose attempts may run at most 2 at a time across the cluster. */
export const limitedAgent = {
  name: 'limited',
  version: '1.0.0',
  type: 'builtin',
  concurrency: 2,
  actions: { work: {} },
};

type ReceivedRequest = { run: { id: string }; step: { key: string }; attempt: number };

export interface Harness {
  engine: Engine;
  /** The test's store (its own schema). */
  store: Store;
  /** Secrets of the engine's store, under a random key; passed to the engine as its resolver. */
  secrets: SecretStore;
  events: CCEvent[];
  calls: string[];
  /** Inputs the `test` agent's echo, deploy and fail actions received. */
  received: ReceivedInput[];
  close(): Promise<void>;
  restart(opts?: Partial<EngineOptions>): Promise<Engine>;
}

/** An engine on a fresh store (own schema), with the `test` builtin agent registered. */
export async function startEngine(
  kind: StoreKind,
  opts: Partial<EngineOptions> = {},
): Promise<Harness> {
  const store = await openTestStore(kind);
  const calls: string[] = [];
  const received: ReceivedInput[] = [];
  const events: CCEvent[] = [];
  const key = randomBytes(32);
  const secrets = new SecretStore(store, { key, keyId: keyIdOf(key) });
  const make = (o: Partial<EngineOptions>) => {
    const e = new Engine({
      store,
      executors: createExecutors({ builtins: testBuiltins(calls, received) }),
      secrets,
      leaseMs: 2000,
      sweepMs: 500,
      drainMs: 1000,
      onError: () => {},
      ...opts,
      ...o,
    });
    e.subscribe((ev) => events.push(ev));
    return e;
  };
  const h: Harness = {
    engine: make({}),
    store,
    secrets,
    events,
    calls,
    received,
    async close() {
      await h.engine.stop();
      await store.drop();
    },
    async restart(o = {}) {
      await h.engine.stop();
      h.engine = make(o);
      await h.engine.start();
      return h.engine;
    },
  };
  await h.engine.registerAgent('default', testAgent);
  await h.engine.registerAgent('default', limitedAgent);
  await h.engine.start();
  return h;
}

/** The first event (seen already or still to come) that `pred` accepts. */
export function waitForEvent(
  h: Harness,
  pred: (e: CCEvent) => boolean,
  timeoutMs = 20_000,
): Promise<CCEvent> {
  const found = h.events.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise<CCEvent>((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error('event not seen'))), timeoutMs);
    const off = h.engine.subscribe((e) => {
      if (pred(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}
