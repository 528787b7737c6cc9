import type { Registry } from 'prom-client';
import type { Engine } from '../engine/engine.js';
import { TriggerFirer, type FireRequest, type FireResult } from '../triggers/trigger-firer.js';
import type { TriggerRow, TriggerStore } from '../triggers/trigger-store.js';
import { PREFIX, counter, labelValue } from './metrics.js';

/** `cc_triggers_fired_total`: one per firing (manual runs are counted from their events). */
export function triggersFired(registry: Registry) {
  return counter(registry, {
    name: `${PREFIX}triggers_fired_total`,
    help: 'Trigger firings by kind (cron, webhook, event, alert, action, manual) and outcome',
    labelNames: ['project', 'kind', 'outcome'],
  });
}

/** The firer's outcomes as the catalogue names them (`fired` is `started`). */
const OUTCOME: Record<FireResult['outcome'], string> = {
  fired: 'started',
  duplicate: 'duplicate',
  skipped: 'skipped',
  filtered: 'filtered',
  rejected: 'rejected',
};

/** A TriggerFirer that counts what every firing did; the firing itself is unchanged. */
export class MeteredFirer extends TriggerFirer {
  private readonly fired: ReturnType<typeof triggersFired>;

  constructor(engine: Engine, triggers: TriggerStore, registry: Registry) {
    super(engine, triggers);
    this.fired = triggersFired(registry);
  }

  override async fire(t: TriggerRow, req: FireRequest): Promise<FireResult> {
    const result = await super.fire(t, req);
    this.fired.inc({
      project: labelValue(t.project),
      kind: labelValue(t.kind),
      outcome: OUTCOME[result.outcome],
    });
    return result;
  }
}
