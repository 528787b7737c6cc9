/**
 * Waiting for a run to end (`--wait`) and following it step by step (`--follow`): subscribe to
 * the run's live events, then read the run once for what happened before the subscription.
 */
import {
  FINAL_RUN_STATUSES,
  type CCEvent,
  type HubClient,
  type RunDetail,
} from '@commandcenter/protocol/client';
import { exitCodes } from './context.js';
import { duration, line, printBlock, printJson, printJsonLine } from './output.js';
import { StepLines, errorText } from './step-lines.js';

export interface WatchOptions {
  /**
   * Print one line per step event; with `json`, NDJSON: the run as it was when the subscription
   * started (`GET /runs/{id}`), then every event of the run after it.
   */
  follow: boolean;
  json: boolean;
}

/**
 * How often the run is read again while waiting, in case the live feed missed its end (e.g. the
 * hub restarted between two reconnections). The feed normally ends the wait long before.
 */
const recheckMs = 5_000;

/** Waits until the run has ended and answers its final state. */
export async function watchRun(
  client: HubClient,
  runId: string,
  opts: WatchOptions,
): Promise<RunDetail> {
  const lines = opts.follow && !opts.json ? new StepLines(client) : undefined;
  const controller = new AbortController();
  let ended = false;
  let wake = () => undefined as void;
  let buffered: CCEvent[] | undefined = [];

  const handle = (event: CCEvent) => {
    if (opts.follow && opts.json) printJsonLine(event);
    lines?.event(event);
    if (event.type.startsWith('workflow.run.') && isFinal(event.data)) {
      ended = true;
      wake();
    }
  };

  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const feed = (async () => {
    const events = client.events(
      { run: runId },
      { signal: controller.signal, onOpen: () => opened() },
    );
    for await (const { event } of events) {
      if (event.runId !== runId) continue;
      if (buffered) buffered.push(event);
      else handle(event);
    }
  })();
  let feedError: unknown;
  const feedDone = feed.catch((err: unknown) => {
    feedError = err;
    wake();
  });

  try {
    // The first connection's failure (hub unreachable, bad token) is the command's failure.
    await Promise.race([open, feed]);
    let run = await client.getRun(runId);
    if (opts.follow && opts.json) printJsonLine(run);
    await lines?.fromRun(run);
    const early = buffered ?? [];
    buffered = undefined;
    for (const event of early) handle(event);

    while (!FINAL_RUN_STATUSES.includes(run.status)) {
      if (feedError) throw feedError;
      if (!ended) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, recheckMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      ended = false;
      run = await client.getRun(runId);
    }
    // Steps whose events the feed did not deliver (printed once: lines are deduplicated).
    await lines?.fromRun(run);
    return run;
  } finally {
    controller.abort();
    await feedDone;
  }
}

function isFinal(data: unknown): boolean {
  const status = (data as { status?: unknown }).status;
  return FINAL_RUN_STATUSES.includes(status as never);
}

/** Prints how a run ended and answers the exit code: 0 succeeded, 2 anything else. */
export function printOutcome(run: RunDetail, json: boolean, follow: boolean): number {
  if (json && !follow) printJson(run);
  if (!json) {
    const took =
      run.durationMs === null || run.durationMs === undefined
        ? ''
        : ` in ${duration(run.durationMs)}`;
    if (run.status === 'succeeded') {
      line(`run ${run.id} succeeded${took}`);
      printBlock('output', run.output ?? null);
    } else {
      line(`run ${run.id} ${run.status}${took}${run.error ? `: ${errorText(run.error)}` : ''}`);
      line(`re-run it from the failed step: commandcenter runs rerun ${run.id}`);
    }
  }
  return run.status === 'succeeded' ? exitCodes.ok : exitCodes.runFailed;
}
