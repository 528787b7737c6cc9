-- The event bus (SPEC §6): how far the leader has handed the outbox (`events`) to the bus (NATS
-- JetStream, or the in-process bus). One row per bus name; `(tx, event_id)` is the event feed's
-- exact cursor (see 005_event_cursor.sql): every event up to it was published (or dispatched),
-- so a restart resumes after it. A re-publish after a crash is deduplicated by JetStream (the
-- message id is the event id) and by the runs' idempotency keys.
CREATE TABLE event_bus_cursor (
  name        text PRIMARY KEY,
  tx          xid8 NOT NULL,
  event_id    bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
