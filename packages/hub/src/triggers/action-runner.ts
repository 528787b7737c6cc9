import {
  CCError,
  canonicalJson,
  validateAgainstSchema,
  type Problem,
} from '@commandcenter/protocol';
import type { Catalog } from '../engine/catalog.js';
import type { Store } from '../store/port.js';
import type { TriggerFirer } from './trigger-firer.js';
import type { TriggerOutcome, TriggerRow, TriggerStore } from './trigger-store.js';

/** A named UI action and the workflows bound to it (`- action: <name>` triggers). */
export interface ActionBinding {
  name: string;
  workflows: { workflow: string; triggerId: string; paused: boolean }[];
}

/** What running an action did for one bound workflow. */
export interface ActionRunOutcome {
  workflow: string;
  triggerId: string;
  outcome: TriggerOutcome;
  /** The run created (`fired`), or the one the same idempotency key created (`duplicate`). */
  runId: string | null;
  /** Why no run started (`skipped`: the trigger is paused; `rejected`: why). */
  reason: string | null;
}

/** How an action is run. */
export interface RunActionOptions {
  input?: unknown;
  /** Same key, same runs: a repeated request answers the runs the first one created. */
  idempotencyKey: string;
  /** Who ran it (token name), kept in the runs' trigger and the trigger history. */
  by: string;
}

/** The idempotency key of the run an action starts for one workflow (keys are per project). */
export const actionRunKey = (action: string, workflow: string, key: string) =>
  `action:${action}:${workflow}:${key}`;

/**
 * UI actions (issue 5): a named button runs every workflow bound to it with the same input,
 * through the trigger firer (idempotent, honouring pauses, recorded in each trigger's history).
 */
export class ActionRunner {
  constructor(
    private readonly store: Store,
    private readonly catalog: Pick<Catalog, 'definition'>,
    private readonly triggers: TriggerStore,
    private readonly firer: TriggerFirer,
  ) {}

  /** Every action of the project with its workflows, by name. */
  async list(project: string): Promise<ActionBinding[]> {
    const byName = new Map<string, ActionBinding>();
    for (const t of await this.triggers.active('action', project)) {
      if (t.spec.kind !== 'action') continue;
      const name = t.spec.action;
      const binding = byName.get(name) ?? { name, workflows: [] };
      binding.workflows.push({ workflow: t.workflow, triggerId: t.id, paused: t.paused });
      byName.set(name, binding);
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Runs every workflow bound to `name`. All or nothing for bad requests: when the input fails
   * a bound workflow's `inputs` schema, or the idempotency key was used with another input,
   * nothing starts (and nothing is recorded). 404 when no workflow binds the action.
   */
  async run(project: string, name: string, opts: RunActionOptions): Promise<ActionRunOutcome[]> {
    const bound = await this.triggers.byKey(project, `action:${name}`);
    if (bound.length === 0) {
      throw new CCError('CC_E_NOT_FOUND', {
        detail: `no workflow of project ${project} is bound to action ${name}: add \`- action: ${name}\` to the triggers of a workflow (list the actions with GET /api/v1/actions)`,
      });
    }
    const input = opts.input ?? {};
    await this.checkInput(project, bound, input);
    await this.checkKeyReuse(project, name, bound, input, opts.idempotencyKey);
    const out: ActionRunOutcome[] = [];
    for (const t of bound) {
      const r = await this.firer.fire(t, {
        input,
        idempotencyKey: actionRunKey(name, t.workflow, opts.idempotencyKey),
        source: { action: name, by: opts.by },
      });
      out.push({
        workflow: t.workflow,
        triggerId: t.id,
        outcome: r.outcome,
        runId: 'runId' in r ? r.runId : null,
        reason: 'reason' in r ? r.reason : null,
      });
    }
    return out;
  }

  private async checkInput(project: string, bound: TriggerRow[], input: unknown): Promise<void> {
    const problems: Problem[] = [];
    for (const t of bound) {
      if (t.paused) continue;
      const def = await this.catalog.definition(project, t.workflow, t.version);
      if (!def.inputs) continue;
      for (const p of validateAgainstSchema(def.inputs, input, 'CC_E_INPUT_INVALID', 'input')) {
        problems.push({ ...p, message: `workflow ${t.workflow}: ${p.message}` });
      }
    }
    if (problems.length > 0) throw CCError.invalid('CC_E_INPUT_INVALID', problems);
  }

  private async checkKeyReuse(
    project: string,
    name: string,
    bound: TriggerRow[],
    input: unknown,
    key: string,
  ): Promise<void> {
    const keys = bound.map((t) => actionRunKey(name, t.workflow, key));
    const r = await this.store.query<{ id: string; input: unknown }>(
      `SELECT id, input FROM runs WHERE project = $1 AND idempotency_key = ANY ($2::text[])`,
      [project, keys],
    );
    const other = r.rows.find((run) => canonicalJson(run.input) !== canonicalJson(input));
    if (other) {
      throw new CCError('CC_E_IDEMPOTENCY_MISMATCH', {
        detail: `Idempotency-Key ${JSON.stringify(key)} already ran action ${name} with another input (run ${other.id})`,
      });
    }
  }
}
