import type {
  AttemptDetail,
  CCEvent,
  RunDetail,
  RunStatus,
  StepDetail,
  StepStatus,
} from '@commandcenter/protocol/client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useLiveEvents } from '../../api/live.js';
import { useProject } from '../../app/session.js';

/**
 * A run with its steps, kept current two ways: the live feed invalidates the run's query (the
 * full refetch, coalesced by the LiveProvider), and — so a node changes colour the moment its
 * step starts rather than after that refetch — each step event patches the cached run at once.
 * Patches are applied once per animation frame, so a burst of events (a 200-node run) costs
 * one render, not hundreds.
 */
export function useRun(id: string) {
  const client = useClient();
  const project = useProject();
  const queryClient = useQueryClient();
  // When each attempt started and on which worker, as the live feed told (the API lists an
  // attempt only once it has ended).
  const started = useMemo(() => new Map<string, Started>(), [id]);
  const select = useCallback((run: RunDetail) => withRunningAttempts(run, started), [started]);
  const query = useQuery({
    queryKey: keys.run(project, id),
    queryFn: () => client.getRun(id),
    select,
  });

  const pending = useRef<CCEvent[]>([]);
  const frame = useRef<number | null>(null);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );
  useLiveEvents((e) => {
    if (e.runId !== id || !affectsRun(e)) return;
    if (e.type === 'workflow.step.started') {
      started.set(`${e.data.stepKey}#${e.data.attempt}`, {
        at: e.time,
        worker: e.data.worker,
      });
    }
    pending.current.push(e);
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      const events = pending.current;
      pending.current = [];
      queryClient.setQueryData<RunDetail>(keys.run(project, id), (run) =>
        run ? events.reduce((r, e) => applyEvent(r, e, started), run) : run,
      );
    });
  });
  return query;
}

interface Started {
  at: string;
  worker: string;
}

/**
 * The run with the attempt each running step is on. The API lists attempts once they end, but
 * the timeline draws a running attempt as a growing bar and the panel lists it: its start comes
 * from the live event, else (first attempt) from the step's start.
 */
export function withRunningAttempts(run: RunDetail, started: Map<string, Started>): RunDetail {
  let changed = false;
  const steps = run.steps.map((s) => {
    if (s.status !== 'running' || s.attempt < 1 || s.attempts.some((a) => a.attempt === s.attempt))
      return s;
    const seen = started.get(`${s.key}#${s.attempt}`);
    const startedAt = seen?.at ?? (s.attempts.length === 0 ? s.startedAt : null);
    changed = true;
    return {
      ...s,
      attempts: [...s.attempts, runningAttempt(s.attempt, startedAt, seen?.worker ?? null)],
    };
  });
  return changed ? { ...run, steps } : run;
}

function affectsRun(e: CCEvent): boolean {
  return (
    e.type.startsWith('workflow.step.') ||
    e.type.startsWith('workflow.run.') ||
    e.type === 'approval.requested'
  );
}

/**
 * The run as it is after `e`, as far as the event tells (status, attempt, times). Anything it
 * does not carry (outputs, errors in full, new forEach items) arrives with the refetch.
 */
export function applyEvent(run: RunDetail, e: CCEvent, started: Map<string, Started>): RunDetail {
  if (e.type.startsWith('workflow.run.')) {
    const data = e.data as { status: RunStatus };
    const ended = !['queued', 'running', 'waiting_approval'].includes(data.status);
    return {
      ...run,
      status: data.status,
      startedAt: run.startedAt ?? (data.status === 'running' ? e.time : null),
      finishedAt: ended ? (run.finishedAt ?? e.time) : run.finishedAt,
    };
  }
  const data = e.data as { stepKey?: string; status?: StepStatus; attempt?: number };
  if (!data.stepKey || !data.status) return run;
  const index = run.steps.findIndex((s) => s.key === data.stepKey);
  if (index < 0) return run;
  const steps = run.steps.slice();
  const attempt = data.attempt ?? 0;
  const seen = started.get(`${data.stepKey}#${attempt}`);
  steps[index] = patchStep(steps[index]!, e.type, data.status, attempt, e.time, seen);
  return { ...run, status: run.status === 'queued' ? 'running' : run.status, steps };
}

function patchStep(
  step: StepDetail,
  type: string,
  status: StepStatus,
  attempt: number,
  time: string,
  seen: Started | undefined,
): StepDetail {
  const attempts = step.attempts.slice();
  const i = attempts.findIndex((a) => a.attempt === attempt);
  if (type === 'workflow.step.started') {
    return {
      ...step,
      status,
      attempt: Math.max(step.attempt, attempt),
      startedAt: step.startedAt ?? time,
      attempts,
    };
  }
  const ended = ['succeeded', 'failed', 'skipped', 'cancelled', 'timed_out'].includes(status);
  // The attempt that just ended, until the refetch lists it (so its bar does not blink out).
  const attemptStatus: StepStatus = type === 'workflow.step.retrying' ? 'failed' : status;
  if (i < 0 && seen && type !== 'approval.requested') {
    attempts.push({
      ...runningAttempt(attempt, seen.at, seen.worker),
      status: attemptStatus,
      finishedAt: time,
    });
  }
  return {
    ...step,
    status,
    finishedAt: ended ? (step.finishedAt ?? time) : step.finishedAt,
    attempts,
  };
}

function runningAttempt(
  attempt: number,
  startedAt: string | null,
  worker: string | null,
): AttemptDetail {
  return {
    attempt,
    worker,
    status: 'running',
    input: null,
    output: null,
    error: null,
    usage: null,
    startedAt,
    finishedAt: null,
    durationMs: null,
  };
}
