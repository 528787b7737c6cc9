import type { AttemptDetail, RunDetail, StepDetail } from '@commandcenter/protocol/client';
import { memo } from 'react';
import { formatDuration } from '../../ui/format.js';
import { statusClass, statusLabels } from '../../ui/status.js';

const ms = (iso: string | null) => (iso ? new Date(iso).getTime() : null);

/** Tick spacings the axis may use: about six ticks over the run's span. */
const STEPS = [
  10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

export function axisTicks(span: number): number[] {
  const step = STEPS.find((s) => span / s <= 6) ?? STEPS.at(-1)!;
  const out: number[] = [];
  for (let t = 0; t <= span && out.length < 50; t += step) out.push(t);
  return out;
}

/** Steps in the order they started; the ones that never started last, in plan order. */
function rowsOf(run: RunDetail): StepDetail[] {
  const order = new Map(run.steps.map((s, i) => [s.key, i]));
  return run.steps.slice().sort((a, b) => {
    const sa = ms(a.startedAt ?? a.attempts[0]?.startedAt ?? null);
    const sb = ms(b.startedAt ?? b.attempts[0]?.startedAt ?? null);
    if (sa !== null && sb !== null && sa !== sb) return sa - sb;
    if (sa === null && sb !== null) return 1;
    if (sb === null && sa !== null) return -1;
    return order.get(a.key)! - order.get(b.key)!;
  });
}

interface Scale {
  t0: number;
  span: number;
  now: number;
}

function Bar({ a, scale, keyLabel }: { a: AttemptDetail; scale: Scale; keyLabel: string }) {
  const start = ms(a.startedAt);
  if (start === null) return null;
  const end = ms(a.finishedAt) ?? scale.now;
  const left = ((start - scale.t0) / scale.span) * 100;
  const width = Math.max(((end - start) / scale.span) * 100, 0.4);
  const running = a.finishedAt === null;
  const label = `${keyLabel}, attempt ${a.attempt}: ${statusLabels[a.status] ?? a.status}, ${formatDuration(end - start)}${running ? ' so far' : ''}`;
  return (
    <span
      className={`gantt-bar gantt-${statusClass(a.status)}${running ? ' is-running' : ''}`}
      style={{
        left: `${Math.max(left, 0)}%`,
        width: `${Math.min(width, 100 - Math.max(left, 0))}%`,
      }}
      role="img"
      aria-label={label}
      title={label}
    >
      {a.attempt > 1 && <span className="gantt-attempt">#{a.attempt}</span>}
    </span>
  );
}

const Row = memo(function Row({
  step,
  t0,
  span,
  now,
  selected,
  onSelect,
}: {
  step: StepDetail;
  t0: number;
  span: number;
  now: number;
  selected: boolean;
  onSelect: (key: string) => void;
}) {
  const scale: Scale = { t0, span, now };
  const item = step.parentKey !== null;
  const running = step.attempts.some((a) => a.finishedAt === null && a.startedAt);
  const duration =
    step.durationMs ?? (running && step.startedAt ? scale.now - ms(step.startedAt)! : null);
  return (
    <tr className={selected ? 'is-selected' : undefined}>
      <th scope="row" className={item ? 'gantt-item' : undefined}>
        <button
          type="button"
          className="gantt-step"
          onClick={() => onSelect(step.key)}
          aria-pressed={selected}
          title={`Show step ${step.key}`}
        >
          <span className={`gantt-dot gantt-${statusClass(step.status)}`} aria-hidden="true" />
          {step.key}
        </button>
      </th>
      <td className="gantt-track">
        {step.attempts.some((a) => a.startedAt) ? (
          step.attempts.map((a) => <Bar key={a.attempt} a={a} scale={scale} keyLabel={step.key} />)
        ) : (
          <span className="gantt-none">{statusLabels[step.status] ?? step.status}</span>
        )}
      </td>
      <td className="num gantt-duration">{formatDuration(duration)}</td>
    </tr>
  );
});

/**
 * The timeline of a run: one row per step, one bar per attempt (coloured by its status; retries
 * are separate bars, running ones grow with `now`), on a time axis from the run's start. It is
 * a table, so screen readers get each step's attempts by their labels.
 */
export function Timeline({
  run,
  now,
  selected,
  onSelect,
}: {
  run: RunDetail;
  now: number;
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  const starts = run.steps
    .flatMap((s) => s.attempts.map((a) => ms(a.startedAt)))
    .filter((t) => t !== null);
  const t0 = ms(run.startedAt) ?? (starts.length ? Math.min(...starts) : ms(run.createdAt)!);
  const end = ms(run.finishedAt) ?? now;
  // A finished run's rows do not depend on the clock: they render once.
  const scale: Scale = { t0, span: Math.max(end - t0, 1), now: run.finishedAt ? end : now };
  // A label at the very end would overflow the axis.
  const ticks = axisTicks(scale.span).filter((t) => t / scale.span <= 0.9);
  const rows = rowsOf(run);
  if (starts.length === 0) {
    return (
      <p className="muted gantt-empty">
        No step has started yet; bars appear here as attempts run.
      </p>
    );
  }
  return (
    <div className="gantt-scroll">
      <table className="gantt" aria-label="Timeline of attempts">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col" className="gantt-axis">
              <span className="visually-hidden">Attempts over time</span>
              {ticks.map((t) => (
                <span
                  key={t}
                  className="gantt-tick"
                  style={{ left: `${(t / scale.span) * 100}%` }}
                  aria-hidden="true"
                >
                  {t === 0 ? '0' : `+${formatDuration(t)}`}
                </span>
              ))}
            </th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <Row
              key={s.key}
              step={s}
              t0={scale.t0}
              span={scale.span}
              now={scale.now}
              selected={s.key === selected}
              onSelect={onSelect}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
