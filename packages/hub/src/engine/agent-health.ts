import type { AgentHealth, AttemptUsage } from '@commandcenter/protocol';
import type { Store } from '../store/port.js';

export type { AgentHealth } from '@commandcenter/protocol';

const FAILED = new Set(['failed', 'timed_out', 'lost']);

/** Computes an agent's health from its steps and attempts (see {@link agentHealthSample}). */
export async function agentHealth(
  store: Store,
  project: string,
  agent: string,
  sampleSteps = 500,
): Promise<AgentHealth> {
  return (await agentHealthSample(store, project, agent, sampleSteps)).health;
}

/**
 * An agent's health and the attempts it was computed from (their wall time and usage, from which
 * the API computes the agent's cost over the same window). Bounded: it reads at most the latest
 * `sampleSteps` finished steps of the agent (an index on (project, agent, finished_at)).
 */
export async function agentHealthSample(
  store: Store,
  project: string,
  agent: string,
  sampleSteps = 500,
): Promise<{
  health: AgentHealth;
  attempts: { durationMs: number | null; usage: AttemptUsage | null }[];
}> {
  const r = await store.query<{
    status: string;
    ms: number | null;
    finished_at: Date;
    error: { code?: string; message?: string } | null;
    usage: AttemptUsage | null;
  }>(
    `WITH recent AS (
       SELECT run_id, key FROM steps
        WHERE project = $1 AND agent = $2 AND finished_at IS NOT NULL
          AND finished_at > now() - interval '24 hours'
        ORDER BY finished_at DESC LIMIT $3)
     SELECT a.status, a.finished_at, a.error, a.usage,
            extract(epoch FROM (a.finished_at - a.started_at)) * 1000 AS ms
       FROM recent s JOIN attempts a ON a.run_id = s.run_id AND a.step_key = s.key
      WHERE a.status <> 'skipped'`,
    [project, agent, sampleSteps],
  );
  const last = async (statuses: string[]) => {
    const q = await store.query<{
      finished_at: Date;
      error: { code?: string; message?: string } | null;
    }>(
      `SELECT finished_at, error FROM steps
        WHERE project = $1 AND agent = $2 AND finished_at IS NOT NULL AND status = ANY ($3)
        ORDER BY finished_at DESC LIMIT 1`,
      [project, agent, statuses],
    );
    return q.rows[0];
  };
  const [ok, bad, running] = await Promise.all([
    last(['succeeded']),
    last(['failed', 'timed_out']),
    store.query<{ n: string }>(
      `SELECT count(*) AS n FROM steps
        WHERE project = $1 AND agent = $2 AND status = 'running' AND lease_owner IS NOT NULL`,
      [project, agent],
    ),
  ]);
  const attempts = r.rows.length;
  const failures = r.rows.filter((a) => FAILED.has(a.status)).length;
  const durations = r.rows
    .map((a) => (a.ms === null ? null : Number(a.ms)))
    .filter((n): n is number => n !== null && Number.isFinite(n))
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    durations.length === 0
      ? null
      : Math.round(durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!);
  const errorRate = attempts === 0 ? 0 : failures / attempts;
  const health: AgentHealth = {
    attempts,
    failures,
    errorRate: Math.round(errorRate * 10_000) / 10_000,
    p50Ms: pct(0.5),
    p95Ms: pct(0.95),
    lastSuccessAt: ok ? ok.finished_at.toISOString() : null,
    lastFailureAt: bad ? bad.finished_at.toISOString() : null,
    lastError:
      bad && bad.error
        ? {
            code: String(bad.error.code ?? 'CC_E_AGENT_ERROR'),
            message: String(bad.error.message ?? ''),
            at: bad.finished_at.toISOString(),
          }
        : null,
    running: Number(running.rows[0]?.n ?? 0),
    status:
      attempts === 0
        ? 'unknown'
        : errorRate < 0.1
          ? 'healthy'
          : errorRate < 0.5
            ? 'degraded'
            : 'failing',
  };
  const spent = r.rows.map((a) => ({
    durationMs: a.ms === null ? null : Number(a.ms),
    usage: a.usage ?? null,
  }));
  return { health, attempts: spent };
}
