-- Tracing (issue 7): every run has a trace id and a root span id from the moment it is created,
-- whichever process later runs its steps or ends it (docs/observability.md, "Traces").
--
-- Both are functions of what the run row already holds, so no engine function writes them and
-- every process derives the same ids without a query (packages/hub/src/telemetry/trace-ids.ts
-- computes the same values from a claimed task; a test checks that both agree):
--   * trace_id: the trace of the request that started the run when it carried a W3C
--     `traceparent` (the API and webhooks store it, validated and in the version-00 form, as
--     `trigger.traceparent`), else the run id itself without dashes (a uuidv7 is 128 bits: a run
--     id pasted into a tracing UI finds its trace);
--   * root_span_id: the span id of the run's `workflow.run` span, the parent of every step
--     attempt and approval span: the first 16 hex digits of md5(<run id>).
ALTER TABLE runs
  ADD COLUMN trace_id text GENERATED ALWAYS AS (
    CASE WHEN trigger->>'traceparent' ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'
      THEN substr(trigger->>'traceparent', 4, 32)
      ELSE replace(id::text, '-', '') END) STORED,
  ADD COLUMN root_span_id text GENERATED ALWAYS AS (substr(md5(id::text), 1, 16)) STORED;
