-- Metrics and cost (issue 7): the engine's events carry what the counters need, so a process
-- derives its metrics from the events it commits, with no extra query.
--   * Every event that ends an attempt (workflow.step.succeeded, .skipped, .failed, .retrying from
--     a completion or a lost lease) carries `durationMs`, the attempt's wall time, and `usage`
--     (LLM tokens and cost) when the attempt reported some. An event without `durationMs` ended
--     no attempt (an approval rejected or expired, a forEach node closing).
--   * approval.decided carries `waitMs` (request to decision), and is also emitted with decision
--     `cancelled` when the end of a run cancels a pending approval.
--   * A completion stores the attempt's usage on its attempts row directly (cc_complete_and_claim
--     still sets it afterwards for attempts whose completion was not accepted).
-- The functions below are 002_engine.sql's with those additions only.

-- Active runs per project (the cc_runs_active gauge reads it at scrape time).
CREATE INDEX runs_active ON runs (project, status) WHERE status IN ('queued', 'running', 'waiting_approval');

-- What an attempt that ends now spent: its wall time and, when reported, its usage.
CREATE FUNCTION cc_attempt_spent(s steps, p_usage jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('durationMs', round(extract(epoch FROM (now() - s.attempt_started_at)) * 1000, 3))
    || CASE WHEN p_usage IS NULL OR jsonb_typeof(p_usage) <> 'object' THEN '{}'::jsonb
            ELSE jsonb_build_object('usage', p_usage) END
$$;

-- How long a decided approval waited, in milliseconds.
CREATE FUNCTION cc_approval_wait_ms(a approvals) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT round(extract(epoch FROM (coalesce(a.decided_at, now()) - a.requested_at)) * 1000)::bigint
$$;

CREATE OR REPLACE FUNCTION cc_finish_run(p_run uuid, p_status text, p_error jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE v_run runs; v_running int := 0; v_appr approvals; v_step steps;
BEGIN
  UPDATE runs SET status = p_status, error = p_error, finished_at = now(), steps_open = 0,
      started_at = coalesce(started_at, now()),
      output = CASE WHEN p_status = 'succeeded' THEN
        (SELECT coalesce(jsonb_object_agg(node_id, output), '{}'::jsonb) FROM steps
          WHERE run_id = p_run AND parent_key IS NULL AND successors = '{}' AND status = 'succeeded') END
    WHERE id = p_run AND status NOT IN ('succeeded', 'failed', 'cancelled', 'timed_out')
    RETURNING * INTO v_run;
  IF NOT FOUND THEN RETURN; END IF;

  -- A run that succeeded has nothing unfinished: skip the sweep (the hot path of every run).
  IF p_status <> 'succeeded' THEN
  INSERT INTO attempts (run_id, step_key, attempt, worker, status, lease_expires_at, input, error, started_at)
    SELECT run_id, key, attempt, lease_owner, 'cancelled', lease_expires_at, input,
        jsonb_build_object('type', 'cancelled', 'code', 'CC_E_STEP_CANCELLED', 'retryable', false,
          'message', 'the run ended (' || p_status || ') while this attempt was running'),
        attempt_started_at
      FROM steps WHERE run_id = p_run AND status = 'running' AND lease_owner IS NOT NULL
    ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_running = ROW_COUNT;
  UPDATE steps SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
    WHERE run_id = p_run AND status IN ('pending', 'ready', 'running', 'waiting_approval');
  -- Pending approvals end with the run: say so, as a decision, so consumers (metrics, the inbox)
  -- see every request resolved.
  FOR v_appr IN UPDATE approvals SET status = 'cancelled', decided_at = now()
      WHERE run_id = p_run AND status = 'pending' RETURNING *
  LOOP
    SELECT * INTO v_step FROM steps WHERE run_id = p_run AND key = v_appr.step_key;
    PERFORM cc_emit(v_run.project, 'approval.decided', p_run, cc_step_event(v_step, v_run,
      jsonb_build_object('approvalId', v_appr.id, 'decision', 'cancelled', 'waitMs', cc_approval_wait_ms(v_appr))));
  END LOOP;
  END IF;

  PERFORM cc_emit(v_run.project, 'workflow.run.' || p_status, v_run.id,
    cc_run_event(v_run, jsonb_build_object('error', p_error,
      'durationMs', round(extract(epoch FROM (v_run.finished_at - v_run.created_at)) * 1000))));
  IF v_running > 0 THEN PERFORM cc_notify('cancel'); END IF;
  IF v_run.concurrency_key IS NOT NULL THEN PERFORM cc_admit_next(v_run.concurrency_key); END IF;
END $$;

-- Records the outcomes of attempts (see 002_engine.sql); attempt-ending events carry durationMs and usage.
CREATE OR REPLACE FUNCTION cc_complete(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  v_run runs;
  v_step steps;
  v_results jsonb := '[]'::jsonb;
  v_n int;
  v_delay float8;
  v_lease timestamptz;
  v_spent jsonb;
BEGIN
  FOR c IN
    SELECT x.* FROM jsonb_to_recordset(p) AS x("runId" uuid, key text, attempt int, worker text,
      outcome text, output jsonb, error jsonb, input jsonb, items jsonb, snapshot jsonb,
      "expiresInMs" bigint, "approvalId" uuid, usage jsonb)
    ORDER BY x."runId", x.key
  LOOP
    SELECT * INTO v_run FROM runs WHERE id = c."runId" FOR UPDATE;
    SELECT * INTO v_step FROM steps
      WHERE run_id = c."runId" AND key = c.key AND status = 'running' AND attempt = c.attempt
        AND lease_owner = c.worker AND lease_expires_at >= now()
      FOR UPDATE;
    IF NOT FOUND THEN
      v_results := v_results || jsonb_build_object('runId', c."runId", 'key', c.key, 'accepted', false);
      CONTINUE;
    END IF;
    v_lease := v_step.lease_expires_at;
    v_spent := cc_attempt_spent(v_step, c.usage);

    IF c.outcome IN ('succeeded', 'skipped') THEN
      UPDATE steps SET status = c.outcome, output = c.output, input = coalesce(c.input, input),
          error = NULL, lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
        WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
      INSERT INTO attempts (run_id, step_key, attempt, worker, status, lease_expires_at, input, output, started_at, usage)
        VALUES (c."runId", c.key, c.attempt, c.worker, c.outcome, v_lease, v_step.input, c.output, v_step.attempt_started_at, c.usage);
      PERFORM cc_emit(v_run.project, 'workflow.step.' || c.outcome, v_run.id, cc_step_event(v_step, v_run, v_spent));
      PERFORM cc_step_resolved(c."runId", c.key);

    ELSIF c.outcome IN ('failed', 'timed_out') THEN
      INSERT INTO attempts (run_id, step_key, attempt, worker, status, lease_expires_at, input, error, started_at, usage)
        VALUES (c."runId", c.key, c.attempt, c.worker, c.outcome, v_lease, coalesce(c.input, v_step.input), c.error,
          v_step.attempt_started_at, c.usage);
      IF coalesce((c.error->>'retryable')::boolean, false) AND v_step.attempt < v_step.max_attempts THEN
        v_delay := cc_retry_delay_ms(v_step.retry, v_step.attempt);
        UPDATE steps SET status = 'ready', error = c.error, input = coalesce(c.input, input),
            lease_owner = NULL, lease_expires_at = NULL,
            available_at = now() + v_delay * interval '1 millisecond'
          WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
        PERFORM cc_emit(v_run.project, 'workflow.step.retrying', v_run.id, cc_step_event(v_step, v_run,
          jsonb_build_object('error', c.error, 'delayMs', round(v_delay), 'nextAttempt', v_step.attempt + 1) || v_spent));
        PERFORM cc_notify('timer');
      ELSE
        UPDATE steps SET status = c.outcome, error = c.error, input = coalesce(c.input, input),
            lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
          WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
        PERFORM cc_emit(v_run.project, 'workflow.step.failed', v_run.id, cc_step_event(v_step, v_run,
          jsonb_build_object('error', c.error) || v_spent));
        PERFORM cc_step_failed(c."runId", c.key);
      END IF;

    ELSIF c.outcome = 'expand' THEN
      v_n := jsonb_array_length(c.items);
      IF v_n = 0 THEN
        UPDATE steps SET status = 'succeeded', output = '[]'::jsonb, input = c.input, items_total = 0,
            items_open = 0, lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
          WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
        PERFORM cc_emit(v_run.project, 'workflow.step.succeeded', v_run.id, cc_step_event(v_step, v_run,
          jsonb_build_object('items', 0)));
        PERFORM cc_step_resolved(c."runId", c.key);
      ELSE
        UPDATE steps SET items_total = v_n, items_open = v_n, input = c.input,
            lease_owner = NULL, lease_expires_at = NULL
          WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
        INSERT INTO steps (run_id, key, node_id, project, agent, action, parent_key, item_index, item,
            status, deps_open, refs, on_failure, max_attempts, agent_limit, retry, approval, available_at)
          SELECT v_step.run_id, v_step.key || '[' || (i.ord - 1) || ']', v_step.node_id, v_step.project,
              v_step.agent, v_step.action, v_step.key, i.ord - 1, i.value, 'ready', 0, v_step.refs,
              v_step.on_failure, v_step.max_attempts, v_step.agent_limit, v_step.retry, v_step.approval, now()
            FROM jsonb_array_elements(c.items) WITH ORDINALITY AS i(value, ord);
        PERFORM cc_mark_ready();
      END IF;

    ELSIF c.outcome = 'approval' THEN
      INSERT INTO approvals (id, project, run_id, step_key, status, snapshot, expires_at)
        VALUES (c."approvalId", v_run.project, v_run.id, c.key, 'pending', c.snapshot,
          CASE WHEN c."expiresInMs" IS NOT NULL THEN now() + c."expiresInMs" * interval '1 millisecond' END);
      UPDATE steps SET status = 'waiting_approval', approval = 'pending', input = c.input,
          attempt = attempt - 1, lease_owner = NULL, lease_expires_at = NULL
        WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
      UPDATE runs SET status = 'waiting_approval' WHERE id = v_run.id AND status = 'running'
        RETURNING * INTO v_run;
      PERFORM cc_emit(v_step.project, 'approval.requested', v_step.run_id, cc_step_event(v_step, v_run,
        jsonb_build_object('approvalId', c."approvalId", 'expiresInMs', c."expiresInMs")));
      IF c."expiresInMs" IS NOT NULL THEN PERFORM cc_notify('timer'); END IF;

    ELSIF c.outcome = 'release' THEN
      UPDATE steps SET status = 'ready', attempt = attempt - 1, lease_owner = NULL,
          lease_expires_at = NULL, available_at = now()
        WHERE run_id = c."runId" AND key = c.key;
      PERFORM cc_mark_ready();
    ELSE
      RAISE EXCEPTION 'cc_complete: unknown outcome %', c.outcome;
    END IF;
    v_results := v_results || jsonb_build_object('runId', c."runId", 'key', c.key, 'accepted', true);
  END LOOP;
  RETURN jsonb_build_object('results', v_results, 'events', cc_take_events());
END $$;

CREATE OR REPLACE FUNCTION cc_tick(p_limit int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v record; v_step steps; v_run runs; v_delay float8; v_err jsonb; v_next timestamptz;
  v_spent jsonb; v_appr approvals;
BEGIN
  FOR v IN SELECT run_id, key FROM steps
      WHERE status = 'running' AND lease_owner IS NOT NULL AND lease_expires_at < now()
      ORDER BY run_id, key LIMIT p_limit
  LOOP
    SELECT * INTO v_run FROM runs WHERE id = v.run_id FOR UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;
    SELECT * INTO v_step FROM steps WHERE run_id = v.run_id AND key = v.key AND status = 'running'
      AND lease_owner IS NOT NULL AND lease_expires_at < now() FOR UPDATE;
    CONTINUE WHEN NOT FOUND;
    v_spent := cc_attempt_spent(v_step, NULL);
    v_err := jsonb_build_object('type', 'lost', 'code', 'CC_E_LEASE_LOST', 'retryable', true,
      'message', 'worker ' || v_step.lease_owner || ' lost its lease on attempt ' || v_step.attempt ||
        ' (it died, hung or lost the database)');
    INSERT INTO attempts (run_id, step_key, attempt, worker, status, lease_expires_at, input, error, started_at)
      VALUES (v_step.run_id, v_step.key, v_step.attempt, v_step.lease_owner, 'lost', v_step.lease_expires_at,
        v_step.input, v_err, v_step.attempt_started_at) ON CONFLICT DO NOTHING;
    IF v_step.attempt < v_step.max_attempts THEN
      v_delay := cc_retry_delay_ms(v_step.retry, v_step.attempt);
      UPDATE steps SET status = 'ready', error = v_err, lease_owner = NULL, lease_expires_at = NULL,
          available_at = now() + v_delay * interval '1 millisecond'
        WHERE run_id = v.run_id AND key = v.key RETURNING * INTO v_step;
      PERFORM cc_emit(v_run.project, 'workflow.step.retrying', v_run.id, cc_step_event(v_step, v_run,
        jsonb_build_object('error', v_err, 'delayMs', round(v_delay), 'nextAttempt', v_step.attempt + 1) || v_spent));
      PERFORM cc_mark_ready();
    ELSE
      v_err := v_err || jsonb_build_object('retryable', false, 'message',
        'lost the lease of its worker on all ' || v_step.max_attempts ||
        ' attempts: the step may be crashing or hanging its worker (last: ' || (v_err->>'message') || ')');
      UPDATE steps SET status = 'failed', error = v_err, lease_owner = NULL, lease_expires_at = NULL,
          finished_at = now()
        WHERE run_id = v.run_id AND key = v.key RETURNING * INTO v_step;
      PERFORM cc_emit(v_run.project, 'workflow.step.failed', v_run.id, cc_step_event(v_step, v_run,
        jsonb_build_object('error', v_err) || v_spent));
      PERFORM cc_step_failed(v.run_id, v.key);
    END IF;
  END LOOP;

  FOR v IN SELECT id FROM runs WHERE deadline_at < now() AND status IN ('running', 'waiting_approval')
      ORDER BY id LIMIT p_limit FOR UPDATE SKIP LOCKED
  LOOP
    PERFORM cc_finish_run(v.id, 'timed_out', jsonb_build_object('type', 'timeout', 'code', 'CC_E_RUN_TIMEOUT',
      'retryable', false, 'message', 'the run exceeded its timeout'));
  END LOOP;

  FOR v IN SELECT id, run_id, step_key FROM approvals WHERE status = 'pending' AND expires_at < now()
      ORDER BY run_id LIMIT p_limit
  LOOP
    SELECT * INTO v_run FROM runs WHERE id = v.run_id FOR UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;
    UPDATE approvals SET status = 'expired', decided_at = now() WHERE id = v.id AND status = 'pending'
      RETURNING * INTO v_appr;
    CONTINUE WHEN NOT FOUND;
    v_err := jsonb_build_object('type', 'expired', 'code', 'CC_E_APPROVAL_EXPIRED', 'retryable', false,
      'message', 'nobody decided on the approval before it expired');
    UPDATE steps SET status = 'timed_out', error = v_err, approval = NULL, finished_at = now()
      WHERE run_id = v.run_id AND key = v.step_key AND status = 'waiting_approval' RETURNING * INTO v_step;
    CONTINUE WHEN NOT FOUND;
    PERFORM cc_emit(v_run.project, 'approval.decided', v_run.id, cc_step_event(v_step, v_run,
      jsonb_build_object('approvalId', v.id, 'decision', 'expired', 'waitMs', cc_approval_wait_ms(v_appr))));
    PERFORM cc_emit(v_run.project, 'workflow.step.failed', v_run.id, cc_step_event(v_step, v_run,
      jsonb_build_object('error', v_err)));
    PERFORM cc_step_failed(v.run_id, v.step_key);
  END LOOP;

  SELECT least(
      (SELECT min(lease_expires_at) FROM steps WHERE status = 'running' AND lease_owner IS NOT NULL),
      (SELECT min(deadline_at) FROM runs WHERE deadline_at IS NOT NULL AND status IN ('running', 'waiting_approval')),
      (SELECT min(expires_at) FROM approvals WHERE status = 'pending' AND expires_at IS NOT NULL),
      (SELECT min(available_at) FROM steps WHERE status = 'ready' AND available_at > now()))
    INTO v_next;
  PERFORM cc_flush_ready();
  RETURN jsonb_build_object('events', cc_take_events(),
    'nextDueMs', CASE WHEN v_next IS NULL THEN NULL
                      ELSE greatest(0, ceil(extract(epoch FROM (v_next - now())) * 1000)) END);
END $$;

CREATE OR REPLACE FUNCTION cc_decide_approval(p_id uuid, p_decision text, p_by text, p_comment text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v_appr approvals; v_run runs; v_step steps; v_err jsonb;
BEGIN
  SELECT * INTO v_appr FROM approvals WHERE id = p_id;
  IF NOT FOUND THEN RETURN jsonb_build_object('ok', false, 'status', NULL, 'events', '[]'::jsonb); END IF;
  SELECT * INTO v_run FROM runs WHERE id = v_appr.run_id FOR UPDATE;
  UPDATE approvals SET status = p_decision, decided_by = p_by, decided_at = now(), comment = p_comment
    WHERE id = p_id AND status = 'pending' RETURNING * INTO v_appr;
  IF NOT FOUND THEN
    SELECT * INTO v_appr FROM approvals WHERE id = p_id;
    RETURN jsonb_build_object('ok', false, 'status', v_appr.status, 'events', '[]'::jsonb);
  END IF;
  IF p_decision = 'approved' THEN
    UPDATE steps SET status = 'ready', approval = 'approved', available_at = now()
      WHERE run_id = v_appr.run_id AND key = v_appr.step_key AND status = 'waiting_approval'
      RETURNING * INTO v_step;
    PERFORM cc_refresh_run_status(v_appr.run_id);
    PERFORM cc_mark_ready();
  ELSE
    v_err := jsonb_build_object('type', 'rejected', 'code', 'CC_E_APPROVAL_REJECTED', 'retryable', false,
      'message', 'rejected by ' || p_by || coalesce(': ' || nullif(p_comment, ''), ''));
    UPDATE steps SET status = 'failed', error = v_err, finished_at = now()
      WHERE run_id = v_appr.run_id AND key = v_appr.step_key AND status = 'waiting_approval'
      RETURNING * INTO v_step;
  END IF;
  PERFORM cc_emit(v_appr.project, 'approval.decided', v_appr.run_id, cc_step_event(v_step, v_run,
    jsonb_build_object('approvalId', p_id, 'decision', p_decision, 'decidedBy', p_by, 'comment', p_comment,
      'waitMs', cc_approval_wait_ms(v_appr))));
  IF p_decision <> 'approved' THEN
    PERFORM cc_emit(v_appr.project, 'workflow.step.failed', v_appr.run_id, cc_step_event(v_step, v_run,
      jsonb_build_object('error', v_err)));
    PERFORM cc_step_failed(v_appr.run_id, v_appr.step_key);
  END IF;
  PERFORM cc_flush_ready();
  RETURN jsonb_build_object('ok', true, 'status', p_decision, 'events', cc_take_events());
END $$;
