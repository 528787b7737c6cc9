/** Store rows as the API shows them: camelCase names and ISO times. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;

/** A store timestamp as an ISO 8601 string. */
export const isoTime = (d: Date | string) => new Date(d).toISOString();

export const iso = (d: Date | string | null | undefined) =>
  d === null || d === undefined ? null : isoTime(d);

const duration = (a: Row) =>
  a.started_at && a.finished_at
    ? new Date(a.finished_at).getTime() - new Date(a.started_at).getTime()
    : null;

export function runSummary(r: Row) {
  return {
    id: r.id as string,
    project: r.project as string,
    workflow: r.workflow as string,
    version: r.version as number,
    status: r.status as string,
    trigger: r.trigger as unknown,
    createdAt: iso(r.created_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: duration(r),
    rerunOf: (r.rerun_of as string | null) ?? null,
    /** The run's trace (`runs.trace_id`, 012_tracing.sql): its spans' id in the tracing UI. */
    traceId: r.trace_id as string,
  };
}

export function attemptView(a: Row) {
  return {
    attempt: a.attempt as number,
    worker: a.worker as string | null,
    status: a.status as string,
    input: a.input ?? null,
    output: a.output ?? null,
    error: a.error ?? null,
    usage: a.usage ?? null,
    startedAt: iso(a.started_at),
    finishedAt: iso(a.finished_at),
    durationMs: duration(a),
  };
}

export function runDetail(run: Row & { steps: Row[]; attempts: Row[] }) {
  const byStep = new Map<string, Row[]>();
  for (const a of run.attempts) {
    const list = byStep.get(a.step_key) ?? [];
    list.push(a);
    byStep.set(a.step_key, list);
  }
  return {
    ...runSummary(run),
    input: run.input ?? null,
    output: run.output ?? null,
    error: run.error ?? null,
    rerunMode: run.rerun_mode ?? null,
    agentVersions: run.agent_versions ?? {},
    steps: run.steps.map((s) => ({
      key: s.key as string,
      nodeId: s.node_id as string,
      parentKey: (s.parent_key as string | null) ?? null,
      itemIndex: (s.item_index as number | null) ?? null,
      status: s.status as string,
      agent: s.agent ?? null,
      action: s.action ?? null,
      attempt: s.attempt as number,
      maxAttempts: s.max_attempts as number,
      approval: s.approval ?? null,
      input: s.input ?? null,
      output: s.output ?? null,
      error: s.error ?? null,
      startedAt: iso(s.started_at),
      finishedAt: iso(s.finished_at),
      durationMs: duration(s),
      attempts: (byStep.get(s.key) ?? []).map(attemptView),
    })),
  };
}

export function approvalView(a: Row) {
  return {
    id: a.id as string,
    project: a.project as string,
    runId: a.run_id as string,
    workflow: (a.workflow as string | null) ?? null,
    stepKey: a.step_key as string,
    nodeId: (a.node_id as string | null) ?? null,
    status: a.status as string,
    snapshot: a.snapshot as unknown,
    requestedAt: iso(a.requested_at),
    expiresAt: iso(a.expires_at),
    decidedBy: (a.decided_by as string | null) ?? null,
    decidedAt: iso(a.decided_at),
    comment: (a.comment as string | null) ?? null,
  };
}
