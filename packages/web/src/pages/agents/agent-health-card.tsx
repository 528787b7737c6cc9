import type { AgentHealth, CostSummary } from '@commandcenter/protocol/client';
import { formatDuration, formatPercent, formatRelative, formatTime } from '../../ui/format.js';
import { HealthBadge } from './health-badge.js';

const usd = new Intl.NumberFormat('en', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 4,
});
const count = new Intl.NumberFormat('en');

/** How the agent has been doing over its latest (≤ 500) attempts of the last 24 hours. */
export function AgentHealthCard({ health: h }: { health: AgentHealth }) {
  return (
    <section className="card" aria-labelledby="agent-health-title">
      <div className="card-title-row">
        <h2 id="agent-health-title">Health, last 24 h</h2>
        <HealthBadge status={h.status} />
      </div>
      {h.attempts === 0 ? (
        <p className="muted">
          No attempt finished in the last 24 hours{h.running ? ` (${h.running} running now)` : ''}.
          Use <strong>Test action</strong> or run a workflow that uses it.
        </p>
      ) : (
        <dl className="props">
          <dt>Attempts</dt>
          <dd>
            {count.format(h.attempts)} ({count.format(h.failures)} failed)
          </dd>
          <dt>Error rate</dt>
          <dd>{formatPercent(h.errorRate)}</dd>
          <dt>Duration</dt>
          <dd>
            p50 {formatDuration(h.p50Ms)} · p95 {formatDuration(h.p95Ms)}
          </dd>
          <dt>Running now</dt>
          <dd>{h.running}</dd>
          <dt>Last success</dt>
          <dd title={formatTime(h.lastSuccessAt)}>
            {h.lastSuccessAt ? formatRelative(h.lastSuccessAt) : 'none'}
          </dd>
          <dt>Last failure</dt>
          <dd title={formatTime(h.lastFailureAt)}>
            {h.lastFailureAt ? formatRelative(h.lastFailureAt) : 'none'}
          </dd>
        </dl>
      )}
      {h.lastError && (
        <div className="agent-last-error" role="group" aria-label="Last error">
          <strong>Last error</strong> <code>{h.lastError.code}</code>{' '}
          <span className="muted">{formatRelative(h.lastError.at)}</span>
          <p>{h.lastError.message}</p>
        </div>
      )}
    </section>
  );
}

/** What the agent's attempts of the same window cost (compute time and LLM tokens). */
export function AgentCostCard({ cost: c }: { cost: CostSummary }) {
  return (
    <section className="card" aria-labelledby="agent-cost-title">
      <h2 id="agent-cost-title">Cost, last 24 h</h2>
      <dl className="props">
        <dt>Total</dt>
        <dd>
          <strong>{usd.format(c.totalUsd)}</strong>
        </dd>
        <dt>Compute</dt>
        <dd>
          {usd.format(c.computeUsd)}{' '}
          <span className="muted">({formatDuration(c.computeSeconds * 1000)})</span>
        </dd>
        <dt>LLM</dt>
        <dd>{usd.format(c.llmUsd)}</dd>
        <dt>Tokens</dt>
        <dd>
          {count.format(c.tokensIn)} in · {count.format(c.tokensOut)} out
        </dd>
      </dl>
    </section>
  );
}
