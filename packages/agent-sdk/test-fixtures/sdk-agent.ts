// An agent written with the SDK, run by the hub's tests in one-shot and persistent mode
// (`node --import tsx sdk-agent.ts`). With FAIL_SETUP set, its set-up throws.
import { defineAgent, fatal } from '../src/index.js';

interface EchoInput {
  value?: unknown;
}

defineAgent({
  setup: () => {
    if (process.env.FAIL_SETUP) throw new Error('cannot reach the model server');
  },
  actions: {
    echo: (input: EchoInput, ctx) => {
      // Must end up in the step log, not on stdout, where it would break the protocol.
      console.log('console.log goes to the log');
      ctx.log('echo in mode %s', ctx.mode);
      return { pid: process.pid, mode: ctx.mode, value: input.value, request: ctx.request };
    },
    logs: (input: { lines: number }, ctx) => {
      for (let i = 0; i < input.lines; i++) ctx.log(`log line ${i} of ${ctx.request.step.id}`);
      return { pid: process.pid };
    },
    refuse: () => {
      throw fatal('the repository is archived', { code: 'ARCHIVED' });
    },
    bug: () => {
      throw new RangeError('index out of range');
    },
    // Waits for the hub to stop the attempt, then reports that it saw the abort.
    'wait-for-stop': (_input: unknown, ctx) =>
      new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          ctx.log('saw the abort');
          resolve({ stopped: true });
        });
        ctx.log(`waiting pid=${process.pid}`);
      }),
  },
}).main();
