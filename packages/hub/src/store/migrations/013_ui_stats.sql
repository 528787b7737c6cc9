-- Web UI support (issue 6): live log streams (`GET /api/v1/runs/{id}/logs/stream`).
--
-- The stream resumes from a cursor and must neither skip nor repeat a line, while several worker
-- processes write lines of one run at the same time. `step_logs.id` alone cannot be that cursor:
-- ids are drawn at insert and transactions commit in another order, so a reader that has passed
-- id 11 may later find id 10. As for the event feed (005_event_cursor.sql), each line records the
-- id of the transaction that wrote it; the stream hands out lines in (tx, id) order and only those
-- of transactions older than every running one (pg_snapshot_xmin), so nothing can appear behind
-- its cursor. Existing rows take this migration's transaction id (before every later line).
ALTER TABLE step_logs ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX step_logs_run_tx ON step_logs (run_id, tx, id);

-- The workflow list's stats and the overview need no new index: the latest runs of a workflow
-- come from runs_workflow_created (project, workflow, created_at DESC), the runs of a window from
-- runs_project_created (project, created_at DESC), their attempts and steps from the primary keys.
