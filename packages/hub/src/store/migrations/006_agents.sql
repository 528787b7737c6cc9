-- Agents issue: per-project settings (approval policy, SSRF-guard exemptions) and what each
-- attempt consumed (LLM tokens and cost).

-- { approvalPolicy?: { threshold, allowAuto, alwaysRequire: [agent | agent.action] },
--   egressAllowHosts?: [host | ip | cidr] }
ALTER TABLE projects ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';

-- { model?, tokensIn?, tokensOut?, costUsd? }
ALTER TABLE attempts ADD COLUMN usage jsonb;

-- Agent health reads the latest finished steps of one agent (and their attempts). Partial, so a
-- step enters the index once, when it finishes.
CREATE INDEX steps_agent_finished ON steps (project, agent, finished_at DESC)
  WHERE finished_at IS NOT NULL AND agent IS NOT NULL;

-- Completes a batch, records the usage the attempts reported, and claims the next tasks in the
-- same transaction. Usage lands on the attempt row whatever its status (a lost attempt's tokens
-- were spent too).
CREATE OR REPLACE FUNCTION cc_complete_and_claim(p jsonb, p_worker text, p_limit int, p_lease_ms int) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE v_done jsonb; v_tasks jsonb; v_events jsonb;
BEGIN
  v_done := cc_complete(p);
  UPDATE attempts a SET usage = x.usage
    FROM jsonb_to_recordset(p) AS x("runId" uuid, key text, attempt int, usage jsonb)
   WHERE x.usage IS NOT NULL AND a.run_id = x."runId" AND a.step_key = x.key AND a.attempt = x.attempt;
  v_tasks := cc_claim(p_worker, p_limit, p_lease_ms);
  v_events := cc_take_events();
  PERFORM cc_flush_ready();
  RETURN v_done || jsonb_build_object('tasks', v_tasks, 'events', (v_done->'events') || v_events);
END $$;
