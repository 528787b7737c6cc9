/**
 * The `e2e` builtin agent the UI suites drive: typed actions with input and output schemas (for
 * the schema-driven form and template autocompletion), log lines, a switchable failure (for
 * "re-run from failed step") and a high-risk action (for approvals). It runs inside the real hub,
 * through the same executor path as every builtin agent.
 */
import { BuiltinRegistry, StepFailure } from '@commandcenter/hub';

/** Flip to make `e2e.flaky` fail (true) or succeed (false); the suites set it between runs. */
export const e2eSwitches = { failFlaky: false };

export const e2eAgentManifest = {
  name: 'e2e',
  version: '1.0.0',
  type: 'builtin',
  description: 'Actions for the UI end-to-end suites',
  risk: 'low',
  actions: {
    fetch: {
      description: 'Pretends to fetch a repository and reports its size',
      input: {
        type: 'object',
        properties: {
          repo: { type: 'string', description: 'owner/name' },
          depth: { type: 'integer', minimum: 1, default: 1 },
          lines: { type: 'integer', minimum: 0, description: 'log lines to print' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      output: {
        type: 'object',
        properties: { repo: { type: 'string' }, files: { type: 'integer' } },
        required: ['repo', 'files'],
      },
    },
    analyze: {
      description: 'Counts findings in what fetch returned',
      input: {
        type: 'object',
        properties: {
          files: { type: 'integer' },
          strict: { type: 'boolean' },
          level: { type: 'string', enum: ['info', 'warn', 'error'] },
        },
        required: ['files'],
        additionalProperties: false,
      },
      output: {
        type: 'object',
        properties: { findings: { type: 'integer' }, summary: { type: 'string' } },
        required: ['findings'],
      },
    },
    report: {
      description: 'Writes a report line',
      input: {
        type: 'object',
        properties: { text: { type: 'string' } },
        required: ['text'],
        additionalProperties: false,
      },
      output: { type: 'object', properties: { text: { type: 'string' } } },
    },
    flaky: {
      description: 'Fails while the suite says so',
      input: { type: 'object', properties: { note: { type: 'string' } } },
      output: { type: 'object', properties: { ok: { type: 'boolean' } } },
    },
    wait: {
      description: 'Waits until the attempt is aborted (cancel, timeout) or `ms` have passed',
      input: {
        type: 'object',
        properties: {
          ms: { type: 'integer', minimum: 0, description: 'give up waiting after this long' },
        },
        additionalProperties: false,
      },
      output: { type: 'object', properties: { waitedMs: { type: 'integer' } } },
    },
    deploy: {
      description: 'A risky change that needs an approval',
      risk: 'high',
      input: {
        type: 'object',
        properties: { target: { type: 'string' } },
        required: ['target'],
      },
      output: { type: 'object', properties: { deployed: { type: 'string' } } },
    },
  },
} as const;

export function e2eBuiltins(): BuiltinRegistry {
  return new BuiltinRegistry().register('e2e', {
    fetch: (input, ctx) => {
      const i = input as { repo: string; lines?: number };
      for (let n = 1; n <= (i.lines ?? 3); n++) ctx.log(`fetch ${i.repo}: line ${n}`);
      return { repo: i.repo, files: 42 };
    },
    analyze: (input, ctx) => {
      const i = input as { files: number };
      ctx.log(`analyzing ${i.files} files`);
      return { findings: Math.floor(i.files / 10), summary: `${i.files} files checked` };
    },
    report: (input, ctx) => {
      const i = input as { text: string };
      ctx.log(`report: ${i.text}`);
      return { text: i.text };
    },
    flaky: (_input, ctx) => {
      if (e2eSwitches.failFlaky) {
        ctx.log('flaky: failing as asked');
        throw new StepFailure('the flaky step failed on purpose', { retryable: false });
      }
      ctx.log('flaky: fine this time');
      return { ok: true };
    },
    wait: async (input, ctx) => {
      const ms = (input as { ms?: number }).ms ?? 600_000;
      const started = Date.now();
      ctx.log(`waiting up to ${ms} ms`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        const timer = setTimeout(done, ms);
        ctx.signal.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          ctx.signal.removeEventListener('abort', done);
          resolve();
        }
      });
      if (ctx.signal.aborted)
        throw new StepFailure('stopped waiting: the attempt was aborted', { retryable: false });
      return { waitedMs: Date.now() - started };
    },
    deploy: (input, ctx) => {
      const i = input as { target: string };
      ctx.log(`deploying to ${i.target}`);
      return { deployed: i.target };
    },
  });
}
