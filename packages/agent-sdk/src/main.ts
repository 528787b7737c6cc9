import type { AgentIO } from './serve.js';
import type { AgentMode } from './types.js';

/**
 * Runs an agent as a process started by the hub, and exits when it is done: after its one
 * request in one-shot mode; when stdin ends or on SIGTERM/SIGINT in persistent mode (set by the
 * hub with `CC_AGENT_MODE=persistent`). Timers or sockets a handler left open do not keep it
 * alive.
 */
export async function runMain(agent: {
  serve(io: AgentIO, mode: AgentMode, signal?: AbortSignal): Promise<void>;
}): Promise<void> {
  const mode: AgentMode = process.env.CC_AGENT_MODE === 'persistent' ? 'persistent' : 'one-shot';
  const stdout = process.stdout;
  const resultWrite = stdout.write.bind(stdout);
  // stdout carries results only: console.log and libraries writing to it would break the
  // protocol, so their output becomes log lines instead.
  stdout.write = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  // The hub is gone (it closed our stdout): nobody is left to answer.
  stdout.on('error', () => process.exit(1));

  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    controller.abort(new Error(`the agent was asked to stop (${signal})`));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const flushStderr = (): Promise<void> =>
    new Promise((resolve) => process.stderr.write('', () => resolve()));
  const io: AgentIO = {
    input: process.stdin,
    writeStdout: (text) => new Promise((resolve) => resultWrite(text, () => resolve())),
    writeStderr: (text) => void process.stderr.write(text),
    flushStderr,
  };
  let code = 0;
  try {
    await agent.serve(io, mode, controller.signal);
  } catch (error) {
    // Only set-up can throw here: handler failures are results. The message goes last, as the
    // hub quotes the last stderr line in the crash it reports.
    if (error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`agent set-up failed: ${message}\n`);
    code = 1;
  }
  await flushStderr();
  process.exit(code);
}
