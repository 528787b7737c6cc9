-- CommandCenter schema. One PostgreSQL dialect: runs unchanged on PGlite and PostgreSQL >= 15.
-- Every unqualified name resolves through search_path, so each test can use its own schema.

CREATE TABLE projects (
  id          text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO projects (id) VALUES ('default');

CREATE TABLE agents (
  project     text NOT NULL REFERENCES projects (id),
  name        text NOT NULL,
  version     text NOT NULL,
  seq         int  NOT NULL,
  manifest    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project, name, version)
);
CREATE INDEX agents_latest ON agents (project, name, seq DESC);

CREATE TABLE workflows (
  project         text NOT NULL REFERENCES projects (id),
  name            text NOT NULL,
  latest_version  int  NOT NULL,
  archived_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project, name)
);

CREATE TABLE workflow_versions (
  project     text NOT NULL,
  name        text NOT NULL,
  version     int  NOT NULL,
  hash        text NOT NULL,
  definition  jsonb NOT NULL,  -- normalized, defaults applied
  source      jsonb NOT NULL,  -- the document as applied (for lossless round trips)
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project, name, version),
  FOREIGN KEY (project, name) REFERENCES workflows (project, name)
);

-- status: queued | running | waiting_approval | succeeded | failed | cancelled | timed_out
CREATE TABLE runs (
  id               uuid PRIMARY KEY,
  project          text NOT NULL REFERENCES projects (id),
  workflow         text NOT NULL,
  version          int  NOT NULL,
  status           text NOT NULL,
  input            jsonb NOT NULL DEFAULT '{}',
  output           jsonb,
  error            jsonb,
  trigger          jsonb NOT NULL DEFAULT '{"type":"manual"}',
  idempotency_key  text,
  concurrency_key  text,          -- '<project>/<workflow>[/<key>]' when the workflow is limited
  concurrency_limit int,
  agent_versions   jsonb NOT NULL DEFAULT '{}',
  rerun_of         uuid,
  rerun_mode       text,
  steps_open       int  NOT NULL, -- top-level steps not yet in a final state
  timeout_ms       bigint,
  deadline_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  UNIQUE (project, idempotency_key)
);
CREATE INDEX runs_project_created ON runs (project, created_at DESC);
CREATE INDEX runs_workflow_created ON runs (project, workflow, created_at DESC);
CREATE INDEX runs_deadline ON runs (deadline_at)
  WHERE deadline_at IS NOT NULL AND status IN ('running', 'waiting_approval');
CREATE INDEX runs_concurrency_active ON runs (concurrency_key)
  WHERE concurrency_key IS NOT NULL AND status IN ('running', 'waiting_approval');
CREATE INDEX runs_concurrency_queued ON runs (concurrency_key, created_at)
  WHERE status = 'queued';
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;

-- Rows that belong to a run (steps, attempts, step_logs, approvals) carry no foreign key: the
-- checks cost a lookup on every hot-path insert, and retention deletes a run's rows explicitly.

-- One row per node of a run, and one per item of a forEach node (key 'node[3]').
-- status: pending | ready | running | waiting_approval | succeeded | failed | skipped | cancelled | timed_out
CREATE TABLE steps (
  run_id            uuid NOT NULL,
  key               text NOT NULL,
  node_id           text NOT NULL,
  project           text NOT NULL,
  agent             text,
  action            text,
  parent_key        text,          -- forEach item: the key of its node's step
  item_index        int,
  item              jsonb,
  status            text NOT NULL,
  deps_open         int  NOT NULL,
  successors        text[] NOT NULL DEFAULT '{}',
  refs              text[] NOT NULL DEFAULT '{}',  -- nodes whose outputs its templates read
  on_failure        text NOT NULL DEFAULT 'fail',
  attempt           int  NOT NULL DEFAULT 0,
  max_attempts      int  NOT NULL DEFAULT 1,
  agent_limit       int,
  retry             jsonb,         -- { backoff, delayMs, maxDelayMs }
  available_at      timestamptz,
  lease_owner       text,
  lease_expires_at  timestamptz,
  approval          text,          -- NULL | pending | approved
  input             jsonb,
  output            jsonb,
  error             jsonb,
  items_total       int,
  items_open        int,
  started_at        timestamptz,   -- first attempt
  attempt_started_at timestamptz,  -- current attempt
  finished_at       timestamptz,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX steps_ready ON steps (project, available_at) WHERE status = 'ready';
CREATE INDEX steps_leases ON steps (lease_expires_at) WHERE status = 'running' AND lease_owner IS NOT NULL;
CREATE INDEX steps_agent_running ON steps (project, agent) WHERE status = 'running' AND lease_owner IS NOT NULL;

-- Every finished attempt (the running one lives on its step row).
-- status: succeeded | failed | timed_out | cancelled | lost | skipped
CREATE TABLE attempts (
  run_id       uuid NOT NULL,
  step_key     text NOT NULL,
  attempt      int  NOT NULL,
  worker       text,
  status       text NOT NULL,
  lease_expires_at timestamptz,   -- the lease the attempt held when it ended
  input        jsonb,
  output       jsonb,
  error        jsonb,
  started_at   timestamptz,
  finished_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, step_key, attempt)
);

CREATE TABLE step_logs (
  id        bigserial PRIMARY KEY,
  run_id    uuid NOT NULL,
  step_key  text NOT NULL,
  attempt   int  NOT NULL,
  ts        timestamptz NOT NULL,
  line      text NOT NULL
);
CREATE INDEX step_logs_run ON step_logs (run_id, id);

-- status: pending | approved | rejected | expired | cancelled
CREATE TABLE approvals (
  id           uuid PRIMARY KEY,
  project      text NOT NULL,
  run_id       uuid NOT NULL,
  step_key     text NOT NULL,
  status       text NOT NULL,
  snapshot     jsonb NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  decided_by   text,
  decided_at   timestamptz,
  comment      text,
  UNIQUE (run_id, step_key)
);
CREATE INDEX approvals_pending ON approvals (project, requested_at) WHERE status = 'pending';
CREATE INDEX approvals_expiry ON approvals (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;

-- The outbox of every transition (SPEC §6). Ids give SSE resume (Last-Event-ID) for free.
CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  project     text NOT NULL,
  type        text NOT NULL,
  run_id      uuid,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_run ON events (run_id) WHERE run_id IS NOT NULL;
