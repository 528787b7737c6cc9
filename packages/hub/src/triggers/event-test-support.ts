import type { BusMessage } from '../bus/event-bus.js';
import { node } from '../testing/api-harness.js';
import type { Store } from '../store/port.js';
import { parseEventPayload } from './event-dispatcher.js';

/** The messages the event triggers handled (a bridge's `onDelivered`), and waits on them. */
export class Deliveries {
  readonly seen: BusMessage[] = [];
  private readonly waiters = new Set<() => void>();

  /** Pass as the bridge's `onDelivered`. */
  readonly onDelivered = (m: BusMessage): void => {
    this.seen.push(m);
    for (const w of [...this.waiters]) w();
  };

  /** Resolves once `count` handled messages satisfy `pred` (those seen already count). */
  async wait(
    pred: (m: BusMessage, event: unknown) => boolean,
    count = 1,
    timeoutMs = 20_000,
  ): Promise<BusMessage[]> {
    const matching = () => this.seen.filter((m) => pred(m, parseEventPayload(m.data).event));
    if (matching().length >= count) return matching();
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = matching();
        if (found.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `only ${matching().length} of ${count} expected messages were handled within ${timeoutMs} ms; handled: ${this.seen.map((m) => m.subject).join(', ')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}

/** A workflow of the `test` agent started by `event:` triggers. */
export const eventWorkflow = (
  name: string,
  triggers: unknown[],
  extra: Record<string, unknown> = {},
) => ({
  name,
  triggers,
  nodes: [node('n', 'echo', { inputs: { got: '{{ input }}' } })],
  ...extra,
});

/** Runs of a workflow, oldest first, with what their trigger recorded. */
export async function runsOf(
  store: Store,
  project: string,
  workflow: string,
): Promise<{ id: string; input: Record<string, unknown>; trigger: Record<string, unknown> }[]> {
  const r = await store.query<{
    id: string;
    input: Record<string, unknown>;
    trigger: Record<string, unknown>;
  }>(
    'SELECT id, input, trigger FROM runs WHERE project = $1 AND workflow = $2 ORDER BY created_at, id',
    [project, workflow],
  );
  return r.rows;
}

/** The outcomes in a workflow's trigger history, oldest first. */
export async function outcomesOf(store: Store, project: string, workflow: string) {
  const r = await store.query<{ outcome: string; reason: string | null; run_id: string | null }>(
    'SELECT outcome, reason, run_id FROM trigger_history WHERE project = $1 AND workflow = $2 ORDER BY id',
    [project, workflow],
  );
  return r.rows;
}

/** The lines two database dumps do not share (for "nothing changed" failures). */
export function dumpDiff(a: string, b: string): string {
  const la = new Set(a.split('\n'));
  const lb = new Set(b.split('\n'));
  const gone = [...la].filter((l) => !lb.has(l)).map((l) => `- ${l}`);
  const added = [...lb].filter((l) => !la.has(l)).map((l) => `+ ${l}`);
  return [...gone, ...added].join('\n').slice(0, 4000);
}
