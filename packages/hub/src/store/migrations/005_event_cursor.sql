-- The event feed's exact cursor (ARCHITECTURE.md, "Event feed"). `events.id` is assigned at
-- insert, but transactions commit out of order, so "id > last seen" can skip an event whose
-- transaction commits after a later id was read. Each event also records the id of the
-- transaction that wrote it; the feed only hands out events of transactions older than the
-- oldest one still running (pg_snapshot_xmin), in (tx, id) order, and resumes from a (tx, id) pair.
-- Existing rows take this migration's transaction id, which orders them before every later event.
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_tx_id ON events (tx, id);
