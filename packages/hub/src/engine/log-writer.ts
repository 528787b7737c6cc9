import { channelName, type Store } from '../store/port.js';

/**
 * The NOTIFY channel (per schema, see `channelName`) the writer signals after each stored batch,
 * with the run id as payload: live log streams (`GET /runs/{id}/logs/stream`) in any process
 * re-read the run's lines when woken instead of polling.
 */
export const LOG_CHANNEL = 'cc_logs';

interface LogLine {
  run_id: string;
  step_key: string;
  attempt: number;
  ts: string;
  line: string;
}

/**
 * Buffers step log lines and writes them in batches (one INSERT per flush), so a chatty agent
 * costs one round trip per interval rather than one per line. The same statement notifies
 * {@link LOG_CHANNEL} once per run in the batch (delivered when it commits).
 */
export class LogWriter {
  private buffer: LogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly channel: string;

  constructor(
    private readonly store: Store,
    private readonly intervalMs = 100,
    private readonly onLine?: (l: LogLine) => void,
  ) {
    this.channel = channelName(store.schema, LOG_CHANNEL);
  }

  append(runId: string, stepKey: string, attempt: number, line: string): void {
    const entry = { run_id: runId, step_key: stepKey, attempt, ts: new Date().toISOString(), line };
    this.buffer.push(entry);
    this.onLine?.(entry);
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Writes everything buffered so far; resolves once it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing
      .then(() =>
        this.store.query(
          `WITH ins AS (
             INSERT INTO step_logs (run_id, step_key, attempt, ts, line)
             SELECT run_id, step_key, attempt, ts, line FROM jsonb_to_recordset($1::jsonb)
               AS x(run_id uuid, step_key text, attempt int, ts timestamptz, line text)
             RETURNING run_id)
           SELECT pg_notify($2, r.run_id::text) FROM (SELECT DISTINCT run_id FROM ins) r`,
          [JSON.stringify(batch), this.channel],
        ),
      )
      .then(
        () => undefined,
        (err: unknown) => console.error('could not store step logs', err),
      );
    return this.writing;
  }
}
