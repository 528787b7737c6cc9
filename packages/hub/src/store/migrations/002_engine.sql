-- The engine's state transitions, as server-side functions: each transition is ONE round trip
-- and one transaction, and the readiness of successors is decided in the transaction that records
-- a completion. Lock order everywhere: the run row first, then its steps (prevents deadlocks).
-- Events are written to the `events` outbox in the same transaction and handed back to the caller.

-- Appends an event to the outbox and remembers its id for cc_take_events() in this transaction.
CREATE FUNCTION cc_emit(p_project text, p_type text, p_run uuid, p_data jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE v_id bigint;
BEGIN
  INSERT INTO events (project, type, run_id, data) VALUES (p_project, p_type, p_run, p_data)
  RETURNING id INTO v_id;
  PERFORM set_config('cc.events', coalesce(current_setting('cc.events', true), '') || v_id || ',', true);
END $$;

CREATE FUNCTION cc_take_events() RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v text := coalesce(current_setting('cc.events', true), ''); v_out jsonb;
BEGIN
  IF v = '' THEN RETURN '[]'::jsonb; END IF;
  PERFORM set_config('cc.events', '', true);
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', e.id, 'project', e.project, 'type', e.type,
           'runId', e.run_id, 'data', e.data, 'time', e.created_at) ORDER BY e.id), '[]'::jsonb)
    INTO v_out FROM events e WHERE e.id = ANY (string_to_array(rtrim(v, ','), ',')::bigint[]);
  RETURN v_out;
END $$;

CREATE FUNCTION cc_notify(p_what text) RETURNS void
LANGUAGE sql AS $$ SELECT pg_notify(lower(current_schema()) || '_' || p_what, '') $$;

-- Steps became ready in this transaction: remember it; cc_flush_ready() notifies at the end of
-- the top-level call, and only if ready steps are left after this transaction's own claims
-- (waking every worker for work its creator already took costs each of them a round trip).
CREATE FUNCTION cc_mark_ready() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('cc.ready', '1', true) $$;

CREATE FUNCTION cc_flush_ready() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('cc.ready', true), '') = '1' THEN
    PERFORM set_config('cc.ready', '', true);
    IF EXISTS (SELECT 1 FROM steps WHERE status = 'ready' AND available_at <= now()) THEN
      PERFORM cc_notify('ready');
    END IF;
  END IF;
END $$;

-- Backoff with jitter in the upper half: d * [0.5, 1.0).
CREATE FUNCTION cc_retry_delay_ms(p_retry jsonb, p_attempt int) RETURNS double precision
LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN p_retry IS NULL THEN 0::float8 ELSE
    least(coalesce((p_retry->>'maxDelayMs')::float8, 60000),
      CASE p_retry->>'backoff'
        WHEN 'fixed' THEN coalesce((p_retry->>'delayMs')::float8, 0)
        WHEN 'linear' THEN coalesce((p_retry->>'delayMs')::float8, 0) * p_attempt
        ELSE coalesce((p_retry->>'delayMs')::float8, 0) * power(2, least(p_attempt - 1, 40))
      END) * (0.5 + random() * 0.5)
  END
$$;

CREATE FUNCTION cc_run_event(r runs, p_extra jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('runId', r.id, 'workflow', r.workflow, 'version', r.version,
    'status', r.status, 'trigger', r.trigger->>'type') || p_extra
$$;

CREATE FUNCTION cc_step_event(s steps, r runs, p_extra jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('runId', s.run_id, 'workflow', r.workflow, 'version', r.version,
    'nodeId', s.node_id, 'stepKey', s.key, 'agent', s.agent, 'action', s.action,
    'attempt', s.attempt, 'status', s.status) || p_extra
$$;

-- Admits queued runs of a concurrency group while it has free slots (FIFO).
CREATE FUNCTION cc_admit_next(p_ckey text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE v_run runs; v_active int;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('cc-concurrency:' || p_ckey));
  LOOP
    SELECT count(*) INTO v_active FROM runs
      WHERE concurrency_key = p_ckey AND status IN ('running', 'waiting_approval');
    SELECT * INTO v_run FROM runs WHERE concurrency_key = p_ckey AND status = 'queued'
      ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
    EXIT WHEN NOT FOUND OR v_active >= v_run.concurrency_limit;
    UPDATE runs SET status = 'running', started_at = now(),
        deadline_at = CASE WHEN timeout_ms IS NOT NULL THEN now() + timeout_ms * interval '1 millisecond' END
      WHERE id = v_run.id RETURNING * INTO v_run;
    UPDATE steps SET status = 'ready', available_at = now()
      WHERE run_id = v_run.id AND status = 'pending' AND deps_open = 0 AND parent_key IS NULL;
    PERFORM cc_emit(v_run.project, 'workflow.run.started', v_run.id, cc_run_event(v_run));
    PERFORM cc_mark_ready();
  END LOOP;
END $$;

-- Creates a run and its steps. p: { id, project, workflow, version, input, trigger, idempotencyKey,
-- concurrencyKey, concurrencyLimit, timeoutMs, agentVersions, rerunOf, rerunMode, steps: [...] }.
-- Idempotent on (project, idempotencyKey): a repeat returns the first run with created=false.
CREATE FUNCTION cc_create_run(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_run runs;
  v_ckey text := p->>'concurrencyKey';
  v_limit int := (p->>'concurrencyLimit')::int;
  v_admit boolean := true;
  v_open int;
  v_ready int;
  v_agents jsonb;
  v_limits jsonb;
BEGIN
  IF p->>'idempotencyKey' IS NOT NULL THEN
    SELECT * INTO v_run FROM runs WHERE project = p->>'project' AND idempotency_key = p->>'idempotencyKey';
    IF FOUND THEN
      RETURN jsonb_build_object('id', v_run.id, 'created', false, 'status', v_run.status,
        'workflow', v_run.workflow, 'version', v_run.version, 'events', '[]'::jsonb);
    END IF;
  END IF;
  -- The caller resolved "latest version" from its cache: make sure it still is (one round trip).
  IF coalesce((p->>'expectLatest')::boolean, false) AND NOT EXISTS (
      SELECT 1 FROM workflows w WHERE w.project = p->>'project' AND w.name = p->>'workflow'
        AND w.latest_version = (p->>'version')::int AND w.archived_at IS NULL) THEN
    RETURN jsonb_build_object('stale', true, 'created', false, 'events', '[]'::jsonb);
  END IF;
  IF v_ckey IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext('cc-concurrency:' || v_ckey));
    v_admit := NOT EXISTS (SELECT 1 FROM runs WHERE concurrency_key = v_ckey AND status = 'queued')
      AND (SELECT count(*) FROM runs WHERE concurrency_key = v_ckey
             AND status IN ('running', 'waiting_approval')) < v_limit;
  END IF;
  SELECT count(*) FILTER (WHERE NOT coalesce((s->>'reused')::boolean, false)) INTO v_open
    FROM jsonb_array_elements(p->'steps') s;
  -- Pin agent versions: the given ones (re-run on the pinned version) or the latest registered.
  SELECT coalesce(jsonb_object_agg(a.name, a.version), '{}'::jsonb),
         coalesce(jsonb_object_agg(a.name, a.manifest->'concurrency'), '{}'::jsonb)
    INTO v_agents, v_limits
    FROM (SELECT DISTINCT ON (ag.name) ag.name, ag.version, ag.manifest FROM agents ag
           WHERE ag.project = p->>'project'
             AND ag.name IN (SELECT DISTINCT x->>'agent' FROM jsonb_array_elements(p->'steps') x)
             AND (p->'agentVersions' IS NULL OR ag.version = p->'agentVersions'->>ag.name)
           ORDER BY ag.name, ag.seq DESC) a;

  INSERT INTO runs (id, project, workflow, version, status, input, trigger, idempotency_key,
      concurrency_key, concurrency_limit, agent_versions, rerun_of, rerun_mode, steps_open,
      timeout_ms, deadline_at, started_at)
    VALUES ((p->>'id')::uuid, p->>'project', p->>'workflow', (p->>'version')::int,
      CASE WHEN v_admit THEN 'running' ELSE 'queued' END,
      coalesce(p->'input', '{}'::jsonb), coalesce(p->'trigger', '{"type":"manual"}'::jsonb),
      p->>'idempotencyKey', v_ckey, v_limit, v_agents,
      (p->>'rerunOf')::uuid, p->>'rerunMode', v_open, (p->>'timeoutMs')::bigint,
      CASE WHEN v_admit AND p->>'timeoutMs' IS NOT NULL
        THEN now() + (p->>'timeoutMs')::bigint * interval '1 millisecond' END,
      CASE WHEN v_admit THEN now() END)
    ON CONFLICT (project, idempotency_key) DO NOTHING
    RETURNING * INTO v_run;
  IF NOT FOUND THEN -- a concurrent request with the same key won the race
    SELECT * INTO v_run FROM runs WHERE project = p->>'project' AND idempotency_key = p->>'idempotencyKey';
    RETURN jsonb_build_object('id', v_run.id, 'created', false, 'status', v_run.status,
      'workflow', v_run.workflow, 'version', v_run.version, 'events', '[]'::jsonb);
  END IF;

  INSERT INTO steps (run_id, key, node_id, project, agent, action, status, deps_open, successors,
      refs, on_failure, max_attempts, agent_limit, retry, output, finished_at, available_at)
    SELECT v_run.id, s.key, s.key, v_run.project, s.agent, s.action,
      CASE WHEN coalesce(s.reused, false) THEN 'succeeded'
           WHEN s.deps = 0 AND v_admit THEN 'ready' ELSE 'pending' END,
      s.deps, coalesce(s.successors, '{}'), coalesce(s.refs, '{}'), coalesce(s.on_failure, 'fail'),
      coalesce(s.max_attempts, 1), (v_limits->>s.agent)::int, s.retry, s.output,
      CASE WHEN coalesce(s.reused, false) THEN now() END, now()
    FROM jsonb_to_recordset(p->'steps') AS s(key text, agent text, action text, deps int,
      successors text[], refs text[], on_failure text, max_attempts int,
      retry jsonb, reused boolean, output jsonb);
  GET DIAGNOSTICS v_ready = ROW_COUNT;

  PERFORM cc_emit(v_run.project, 'workflow.run.queued', v_run.id, cc_run_event(v_run));
  IF v_admit THEN
    PERFORM cc_emit(v_run.project, 'workflow.run.started', v_run.id, cc_run_event(v_run));
    PERFORM cc_mark_ready();
  END IF;
  RETURN jsonb_build_object('id', v_run.id, 'created', true, 'status', v_run.status,
    'workflow', v_run.workflow, 'version', v_run.version, 'events', cc_take_events());
END $$;

-- Claims up to p_limit ready steps for p_worker, fairly across projects, honouring per-agent
-- concurrency limits. Returns the claimed tasks with everything needed to run them.
CREATE FUNCTION cc_claim(p_worker text, p_limit int, p_lease_ms int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_projects text[];
  v_running bigint[];
  v_per int;
  v_runs uuid[] := '{}';
  v_keys text[] := '{}';
  v_lim_runs uuid[] := '{}';
  v_lim_keys text[] := '{}';
  v_row record;
  v_tasks jsonb;
  v_ids text;
BEGIN
  IF p_limit <= 0 THEN RETURN '[]'::jsonb; END IF;
  -- Fair share: every project with ready work offers an equal number of candidates; they are
  -- taken round-robin (rank within the project), the project with the fewest running steps first.
  SELECT array_agg(pr.id), array_agg(pr.running) INTO v_projects, v_running
    FROM (SELECT p.id, (SELECT count(*) FROM steps x WHERE x.project = p.id AND x.status = 'running'
                          AND x.lease_owner IS NOT NULL) AS running
            FROM projects p
           WHERE EXISTS (SELECT 1 FROM steps s WHERE s.project = p.id AND s.status = 'ready'
                           AND s.available_at <= now())) pr;
  IF v_projects IS NULL THEN RETURN '[]'::jsonb; END IF;
  v_per := greatest(1, ceil(p_limit::numeric / array_length(v_projects, 1)));

  FOR v_row IN
    SELECT c.run_id, c.key, c.project, c.agent, c.agent_limit
      FROM unnest(v_projects, v_running) AS pr(id, running)
      CROSS JOIN LATERAL (
        SELECT s.run_id, s.key, s.project, s.agent, s.agent_limit, s.available_at FROM steps s
          WHERE s.project = pr.id AND s.status = 'ready' AND s.available_at <= now()
          ORDER BY s.available_at LIMIT v_per FOR UPDATE SKIP LOCKED) c
      ORDER BY row_number() OVER (PARTITION BY pr.id ORDER BY c.available_at), pr.running, c.available_at
      LIMIT p_limit
  LOOP
    IF v_row.agent_limit IS NULL THEN
      v_runs := v_runs || v_row.run_id; v_keys := v_keys || v_row.key;
    ELSE
      PERFORM pg_advisory_xact_lock(hashtext('cc-agent:' || v_row.project || '/' || v_row.agent));
      IF (SELECT count(*) FROM steps x WHERE x.project = v_row.project AND x.agent = v_row.agent
            AND x.status = 'running' AND x.lease_owner IS NOT NULL) < v_row.agent_limit THEN
        UPDATE steps SET status = 'running', lease_owner = p_worker
          WHERE run_id = v_row.run_id AND key = v_row.key;
        v_lim_runs := v_lim_runs || v_row.run_id; v_lim_keys := v_lim_keys || v_row.key;
      END IF;
    END IF;
  END LOOP;
  v_runs := v_runs || v_lim_runs; v_keys := v_keys || v_lim_keys;
  IF array_length(v_runs, 1) IS NULL THEN RETURN '[]'::jsonb; END IF;

  WITH upd AS (
    UPDATE steps s SET status = 'running', attempt = s.attempt + 1, lease_owner = p_worker,
        lease_expires_at = now() + p_lease_ms * interval '1 millisecond',
        started_at = coalesce(s.started_at, now()), attempt_started_at = now()
      FROM unnest(v_runs, v_keys) AS c(run_id, key)
      WHERE s.run_id = c.run_id AND s.key = c.key
      RETURNING s.*
  ), ev AS (
    INSERT INTO events (project, type, run_id, data)
      SELECT u.project, 'workflow.step.started', u.run_id,
          cc_step_event(u::steps, r, jsonb_build_object('worker', p_worker))
        FROM upd u JOIN runs r ON r.id = u.run_id
        WHERE u.approval IS DISTINCT FROM 'pending'
      RETURNING id
  )
  SELECT jsonb_agg(jsonb_build_object(
      'runId', u.run_id, 'key', u.key, 'nodeId', u.node_id, 'attempt', u.attempt,
      'maxAttempts', u.max_attempts, 'item', u.item, 'itemIndex', u.item_index,
      'parentKey', u.parent_key, 'approval', u.approval, 'input', u.input,
      'project', r.project, 'workflow', r.workflow, 'version', r.version, 'runInput', r.input,
      'trigger', r.trigger, 'agentVersions', r.agent_versions,
      'leaseExpiresAt', u.lease_expires_at,
      'upstream', (SELECT jsonb_object_agg(x.node_id, jsonb_build_object('output', x.output, 'status', x.status))
                     FROM steps x WHERE x.run_id = u.run_id AND x.key = ANY (u.refs)))),
    (SELECT string_agg(ev.id::text, ',') FROM ev)
    INTO v_tasks, v_ids
    FROM upd u JOIN runs r ON r.id = u.run_id;
  IF v_ids IS NOT NULL THEN
    PERFORM set_config('cc.events', coalesce(current_setting('cc.events', true), '') || v_ids || ',', true);
  END IF;
  RETURN coalesce(v_tasks, '[]'::jsonb);
END $$;

-- Claim with an asynchronous commit: losing a claim in a server crash is harmless (the step is
-- still ready and its lease never existed), so claims need not wait for the WAL flush.
CREATE FUNCTION cc_claim_async(p_worker text, p_limit int, p_lease_ms int) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN jsonb_build_object('tasks', cc_claim(p_worker, p_limit, p_lease_ms), 'events', cc_take_events());
END $$;

-- Sets a live run's status to waiting_approval while any step waits for a decision, else running.
CREATE FUNCTION cc_refresh_run_status(p_run uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE runs SET status = CASE WHEN EXISTS (SELECT 1 FROM steps WHERE run_id = p_run AND status = 'waiting_approval')
                              THEN 'waiting_approval' ELSE 'running' END
    WHERE id = p_run AND status IN ('running', 'waiting_approval')
$$;

-- Ends a run: final status, output of its leaf steps, everything unfinished cancelled, its
-- concurrency slot handed to the next queued run. No-op for a run already final.
CREATE FUNCTION cc_finish_run(p_run uuid, p_status text, p_error jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE v_run runs; v_running int := 0;
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
  UPDATE approvals SET status = 'cancelled', decided_at = now()
    WHERE run_id = p_run AND status = 'pending';
  END IF;

  PERFORM cc_emit(v_run.project, 'workflow.run.' || p_status, v_run.id,
    cc_run_event(v_run, jsonb_build_object('error', p_error,
      'durationMs', round(extract(epoch FROM (v_run.finished_at - v_run.created_at)) * 1000))));
  IF v_running > 0 THEN PERFORM cc_notify('cancel'); END IF;
  IF v_run.concurrency_key IS NOT NULL THEN PERFORM cc_admit_next(v_run.concurrency_key); END IF;
END $$;

-- A step ended in a way that lets its successors go on: succeeded, skipped, or failed with
-- onFailure: continue. Decrements successors (readying those with no open dependencies), closes
-- forEach parents, and finishes the run when no step is left open.
CREATE FUNCTION cc_step_resolved(p_run uuid, p_key text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE v_step steps; v_parent steps; v_run runs; v_ready int; v_open int; v_failed int;
BEGIN
  SELECT * INTO v_step FROM steps WHERE run_id = p_run AND key = p_key;
  IF v_step.parent_key IS NOT NULL THEN
    UPDATE steps SET items_open = items_open - 1
      WHERE run_id = p_run AND key = v_step.parent_key AND status = 'running'
      RETURNING * INTO v_parent;
    IF NOT FOUND OR v_parent.items_open > 0 THEN RETURN; END IF;
    SELECT count(*) FILTER (WHERE status <> 'succeeded') INTO v_failed
      FROM steps WHERE run_id = p_run AND parent_key = v_parent.key;
    UPDATE steps SET status = 'succeeded', finished_at = now(),
        output = (SELECT coalesce(jsonb_agg(CASE WHEN status = 'succeeded' THEN output END ORDER BY item_index), '[]'::jsonb)
                    FROM steps WHERE run_id = p_run AND parent_key = v_parent.key),
        error = CASE WHEN v_failed > 0 THEN jsonb_build_object('type', 'agent', 'code', 'CC_E_AGENT_ERROR',
          'retryable', false, 'message', v_failed || ' of ' || v_parent.items_total || ' items failed (onFailure: continue)') END
      WHERE run_id = p_run AND key = v_parent.key RETURNING * INTO v_parent;
    SELECT * INTO v_run FROM runs WHERE id = p_run;
    PERFORM cc_emit(v_run.project, 'workflow.step.succeeded', p_run, cc_step_event(v_parent, v_run,
      jsonb_build_object('items', v_parent.items_total)));
    PERFORM cc_step_resolved(p_run, v_parent.key);
    RETURN;
  END IF;

  IF v_step.successors <> '{}' THEN
    UPDATE steps SET deps_open = deps_open - 1,
        status = CASE WHEN deps_open = 1 THEN 'ready' ELSE status END, available_at = now()
      WHERE run_id = p_run AND key = ANY (v_step.successors) AND status = 'pending'
        AND EXISTS (SELECT 1 FROM runs WHERE id = p_run AND status IN ('running', 'waiting_approval'));
    SELECT count(*) INTO v_ready FROM steps
      WHERE run_id = p_run AND key = ANY (v_step.successors) AND status = 'ready';
    IF v_ready > 0 THEN PERFORM cc_mark_ready(); END IF;
  END IF;
  -- The last open step finishes the run in the same single update of the run row.
  UPDATE runs SET steps_open = steps_open - 1 WHERE id = p_run AND steps_open > 1 RETURNING steps_open INTO v_open;
  IF NOT FOUND THEN PERFORM cc_finish_run(p_run, 'succeeded', NULL); END IF;
END $$;

-- A step ended failed or timed out for good. onFailure: continue lets the run go on; otherwise
-- the failure reaches its forEach parent (if any) and then fails the run.
CREATE FUNCTION cc_step_failed(p_run uuid, p_key text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE v_step steps; v_run runs;
BEGIN
  SELECT * INTO v_step FROM steps WHERE run_id = p_run AND key = p_key;
  IF v_step.on_failure = 'continue' THEN
    PERFORM cc_step_resolved(p_run, p_key);
    PERFORM cc_refresh_run_status(p_run);
    RETURN;
  END IF;
  SELECT * INTO v_run FROM runs WHERE id = p_run;
  IF v_step.parent_key IS NOT NULL THEN
    UPDATE steps SET status = 'failed', finished_at = now(),
        error = v_step.error || jsonb_build_object('item', v_step.item_index,
          'message', 'item ' || v_step.item_index || ' failed: ' || coalesce(v_step.error->>'message', ''))
      WHERE run_id = p_run AND key = v_step.parent_key AND status = 'running'
      RETURNING * INTO v_step;
    IF NOT FOUND THEN RETURN; END IF;
    PERFORM cc_emit(v_run.project, 'workflow.step.failed', p_run, cc_step_event(v_step, v_run,
      jsonb_build_object('error', v_step.error)));
  END IF;
  PERFORM cc_finish_run(p_run, 'failed',
    jsonb_build_object('nodeId', v_step.node_id, 'stepKey', v_step.key) || coalesce(v_step.error, '{}'::jsonb));
END $$;

-- Records the outcomes of attempts, fenced by their lease (callers use cc_complete_and_claim,
-- which also sends the ready notification). p: array of
-- { runId, key, attempt, worker, outcome, output?, error?, input?, items?, snapshot?, expiresInMs?, approvalId? }
-- outcome: succeeded | skipped | failed | timed_out | expand | approval | release.
-- Returns { results: [{ runId, key, accepted, status }], events }.
CREATE FUNCTION cc_complete(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  v_run runs;
  v_step steps;
  v_results jsonb := '[]'::jsonb;
  v_n int;
  v_delay float8;
  v_lease timestamptz;
BEGIN
  FOR c IN
    SELECT x.* FROM jsonb_to_recordset(p) AS x("runId" uuid, key text, attempt int, worker text,
      outcome text, output jsonb, error jsonb, input jsonb, items jsonb, snapshot jsonb,
      "expiresInMs" bigint, "approvalId" uuid)
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

    IF c.outcome IN ('succeeded', 'skipped') THEN
      UPDATE steps SET status = c.outcome, output = c.output, input = coalesce(c.input, input),
          error = NULL, lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
        WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
      INSERT INTO attempts (run_id, step_key, attempt, worker, status, lease_expires_at, input, output, started_at)
        VALUES (c."runId", c.key, c.attempt, c.worker, c.outcome, v_lease, v_step.input, c.output, v_step.attempt_started_at);
      PERFORM cc_emit(v_run.project, 'workflow.step.' || c.outcome, v_run.id, cc_step_event(v_step, v_run,
        jsonb_build_object('durationMs', round(extract(epoch FROM (now() - v_step.attempt_started_at)) * 1000, 3))));
      PERFORM cc_step_resolved(c."runId", c.key);

    ELSIF c.outcome IN ('failed', 'timed_out') THEN
      INSERT INTO attempts (run_id, step_key, attempt, worker, status, lease_expires_at, input, error, started_at)
        VALUES (c."runId", c.key, c.attempt, c.worker, c.outcome, v_lease, coalesce(c.input, v_step.input), c.error,
          v_step.attempt_started_at);
      IF coalesce((c.error->>'retryable')::boolean, false) AND v_step.attempt < v_step.max_attempts THEN
        v_delay := cc_retry_delay_ms(v_step.retry, v_step.attempt);
        UPDATE steps SET status = 'ready', error = c.error, input = coalesce(c.input, input),
            lease_owner = NULL, lease_expires_at = NULL,
            available_at = now() + v_delay * interval '1 millisecond'
          WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
        PERFORM cc_emit(v_run.project, 'workflow.step.retrying', v_run.id, cc_step_event(v_step, v_run,
          jsonb_build_object('error', c.error, 'delayMs', round(v_delay), 'nextAttempt', v_step.attempt + 1)));
        PERFORM cc_notify('timer');
      ELSE
        UPDATE steps SET status = c.outcome, error = c.error, input = coalesce(c.input, input),
            lease_owner = NULL, lease_expires_at = NULL, finished_at = now()
          WHERE run_id = c."runId" AND key = c.key RETURNING * INTO v_step;
        PERFORM cc_emit(v_run.project, 'workflow.step.failed', v_run.id, cc_step_event(v_step, v_run,
          jsonb_build_object('error', c.error)));
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

-- Completes a batch and claims the next tasks in the same round trip (the hot path of chains).
CREATE FUNCTION cc_complete_and_claim(p jsonb, p_worker text, p_limit int, p_lease_ms int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v_done jsonb; v_tasks jsonb; v_events jsonb;
BEGIN
  v_done := cc_complete(p);
  v_tasks := cc_claim(p_worker, p_limit, p_lease_ms);
  v_events := cc_take_events();
  PERFORM cc_flush_ready();
  RETURN v_done || jsonb_build_object('tasks', v_tasks, 'events', (v_done->'events') || v_events);
END $$;

-- Creates a run and claims its first tasks for a local worker in one transaction.
CREATE FUNCTION cc_create_and_claim(p jsonb, p_worker text, p_limit int, p_lease_ms int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v_run jsonb; v_tasks jsonb;
BEGIN
  v_run := cc_create_run(p);
  IF p_limit > 0 AND (v_run->>'created')::boolean AND v_run->>'status' = 'running' THEN
    v_tasks := cc_claim(p_worker, p_limit, p_lease_ms);
    PERFORM cc_flush_ready();
    RETURN v_run || jsonb_build_object('tasks', v_tasks, 'events', (v_run->'events') || cc_take_events());
  END IF;
  PERFORM cc_flush_ready();
  RETURN v_run || jsonb_build_object('tasks', '[]'::jsonb);
END $$;

-- Extends the leases a worker still holds; returns the attempts it must abandon (cancelled,
-- taken over, or already expired). Rows locked by a concurrent transition are left for next time.
CREATE FUNCTION cc_heartbeat(p_worker text, p_lease_ms int, p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v_lost jsonb;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT coalesce(jsonb_agg(jsonb_build_object('runId', k."runId", 'key', k.key, 'attempt', k.attempt)), '[]'::jsonb)
    INTO v_lost
    FROM jsonb_to_recordset(p) AS k("runId" uuid, key text, attempt int)
    WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.run_id = k."runId" AND s.key = k.key
      AND s.attempt = k.attempt AND s.lease_owner = p_worker AND s.status = 'running'
      AND s.lease_expires_at >= now());
  WITH mine AS (
    SELECT s.run_id, s.key FROM steps s JOIN jsonb_to_recordset(p) AS k("runId" uuid, key text, attempt int)
        ON s.run_id = k."runId" AND s.key = k.key AND s.attempt = k.attempt
      WHERE s.lease_owner = p_worker AND s.status = 'running' AND s.lease_expires_at >= now()
      FOR UPDATE OF s SKIP LOCKED
  )
  UPDATE steps s SET lease_expires_at = now() + p_lease_ms * interval '1 millisecond'
    FROM mine WHERE s.run_id = mine.run_id AND s.key = mine.key;
  RETURN v_lost;
END $$;

-- Durable timers: expired leases (retried or failed), run deadlines, approval expiry.
-- Returns { events, nextDueMs } where nextDueMs is the delay to the next timer (null if none).
CREATE FUNCTION cc_tick(p_limit int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v record; v_step steps; v_run runs; v_delay float8; v_err jsonb; v_next timestamptz;
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
        jsonb_build_object('error', v_err, 'delayMs', round(v_delay), 'nextAttempt', v_step.attempt + 1)));
      PERFORM cc_mark_ready();
    ELSE
      v_err := v_err || jsonb_build_object('retryable', false, 'message',
        'lost the lease of its worker on all ' || v_step.max_attempts ||
        ' attempts: the step may be crashing or hanging its worker (last: ' || (v_err->>'message') || ')');
      UPDATE steps SET status = 'failed', error = v_err, lease_owner = NULL, lease_expires_at = NULL,
          finished_at = now()
        WHERE run_id = v.run_id AND key = v.key RETURNING * INTO v_step;
      PERFORM cc_emit(v_run.project, 'workflow.step.failed', v_run.id, cc_step_event(v_step, v_run,
        jsonb_build_object('error', v_err)));
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
    UPDATE approvals SET status = 'expired', decided_at = now() WHERE id = v.id AND status = 'pending';
    CONTINUE WHEN NOT FOUND;
    v_err := jsonb_build_object('type', 'expired', 'code', 'CC_E_APPROVAL_EXPIRED', 'retryable', false,
      'message', 'nobody decided on the approval before it expired');
    UPDATE steps SET status = 'timed_out', error = v_err, approval = NULL, finished_at = now()
      WHERE run_id = v.run_id AND key = v.step_key AND status = 'waiting_approval' RETURNING * INTO v_step;
    CONTINUE WHEN NOT FOUND;
    PERFORM cc_emit(v_run.project, 'approval.decided', v_run.id, cc_step_event(v_step, v_run,
      jsonb_build_object('approvalId', v.id, 'decision', 'expired')));
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

-- Cancels a run that has not finished. Returns { ok, status, events }.
CREATE FUNCTION cc_cancel_run(p_run uuid, p_reason jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v_run runs;
BEGIN
  SELECT * INTO v_run FROM runs WHERE id = p_run FOR UPDATE;
  IF NOT FOUND THEN RETURN jsonb_build_object('ok', false, 'status', NULL, 'events', '[]'::jsonb); END IF;
  IF v_run.status IN ('succeeded', 'failed', 'cancelled', 'timed_out') THEN
    RETURN jsonb_build_object('ok', false, 'status', v_run.status, 'events', '[]'::jsonb);
  END IF;
  PERFORM cc_finish_run(p_run, 'cancelled', p_reason);
  PERFORM cc_flush_ready();
  RETURN jsonb_build_object('ok', true, 'status', 'cancelled', 'events', cc_take_events());
END $$;

-- Decides a pending approval; the first decision wins. Returns { ok, status, events }.
CREATE FUNCTION cc_decide_approval(p_id uuid, p_decision text, p_by text, p_comment text) RETURNS jsonb
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
    jsonb_build_object('approvalId', p_id, 'decision', p_decision, 'decidedBy', p_by, 'comment', p_comment)));
  IF p_decision <> 'approved' THEN
    PERFORM cc_emit(v_appr.project, 'workflow.step.failed', v_appr.run_id, cc_step_event(v_step, v_run,
      jsonb_build_object('error', v_err)));
    PERFORM cc_step_failed(v_appr.run_id, v_appr.step_key);
  END IF;
  PERFORM cc_flush_ready();
  RETURN jsonb_build_object('ok', true, 'status', p_decision, 'events', cc_take_events());
END $$;

-- Retention: deletes up to p_limit finished runs that ended before p_before, with everything
-- that belongs to them. Runs that have not finished are never touched. Returns the count.
CREATE FUNCTION cc_prune(p_before timestamptz, p_limit int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE v_ids uuid[];
BEGIN
  SELECT array_agg(id) INTO v_ids FROM (
    SELECT id FROM runs
     WHERE finished_at < p_before AND status IN ('succeeded', 'failed', 'cancelled', 'timed_out')
     ORDER BY finished_at LIMIT p_limit FOR UPDATE SKIP LOCKED) r;
  IF v_ids IS NULL THEN RETURN 0; END IF;
  DELETE FROM step_logs WHERE run_id = ANY (v_ids);
  DELETE FROM attempts WHERE run_id = ANY (v_ids);
  DELETE FROM approvals WHERE run_id = ANY (v_ids);
  DELETE FROM steps WHERE run_id = ANY (v_ids);
  DELETE FROM events WHERE run_id = ANY (v_ids);
  DELETE FROM runs WHERE id = ANY (v_ids);
  RETURN array_length(v_ids, 1);
END $$;
