-- Triggers (SPEC §6): the triggers the latest version of each workflow declares, their state and
-- their history; webhook signing secrets; Alertmanager notifications.

-- One row per trigger a workflow declares (or declared: `active` is false once the latest version
-- no longer has it, or the workflow is archived). `key` identifies the trigger by its content
-- (kind and settings), so its state and history survive new versions that keep it.
CREATE TABLE triggers (
  id             uuid PRIMARY KEY,
  project        text NOT NULL REFERENCES projects (id),
  workflow       text NOT NULL,
  key            text NOT NULL,
  kind           text NOT NULL,          -- cron | webhook | event | alert | action
  spec           jsonb NOT NULL,         -- the normalized trigger of the workflow definition
  version        int  NOT NULL,          -- the workflow version that declared it last
  active         boolean NOT NULL DEFAULT true,
  paused         boolean NOT NULL DEFAULT false,
  next_fire_at   timestamptz,            -- cron: the next tick
  last_fire_at   timestamptz,            -- cron: the last tick handled; others: the last run it created
  last_run_id    uuid,
  last_error     text,
  last_error_at  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project, workflow, key)
);
CREATE INDEX triggers_kind ON triggers (kind, project) WHERE active;

-- What each trigger did: fired (run_id), duplicate (the run existed), rejected (why), skipped
-- (paused, missed tick), filtered (its `when` was false).
CREATE TABLE trigger_history (
  id          bigserial PRIMARY KEY,
  trigger_id  uuid NOT NULL,
  project     text NOT NULL,
  workflow    text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL,
  run_id      uuid,
  reason      text,
  source      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX trigger_history_trigger ON trigger_history (trigger_id, id DESC);
CREATE INDEX trigger_history_at ON trigger_history (at);

-- Webhook signing secrets, encrypted like project secrets (AES-256-GCM, key outside the
-- database). Two may be valid during a rotation: the previous one until `expires_at`.
CREATE TABLE webhook_secrets (
  trigger_id  uuid NOT NULL,
  id          uuid NOT NULL,
  key_id      text NOT NULL,
  iv          bytea NOT NULL,
  ciphertext  bytea NOT NULL,
  tag         bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  PRIMARY KEY (trigger_id, id)
);

-- Webhook deliveries seen (their delivery id), so a replay creates no second run.
CREATE TABLE webhook_deliveries (
  trigger_id   uuid NOT NULL,
  delivery_id  text NOT NULL,
  run_id       uuid,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (trigger_id, delivery_id)
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- Every Alertmanager notification received, matched or not (unmatched ones stay visible).
CREATE TABLE alert_notifications (
  id           bigserial PRIMARY KEY,
  project      text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  receiver     text,
  status       text NOT NULL,          -- firing | resolved
  group_key    text NOT NULL,
  group_labels jsonb NOT NULL DEFAULT '{}',
  alerts       int  NOT NULL,
  payload      jsonb NOT NULL,
  run_ids      uuid[] NOT NULL DEFAULT '{}',
  matched      boolean NOT NULL
);
CREATE INDEX alert_notifications_project ON alert_notifications (project, id DESC);
