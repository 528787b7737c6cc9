import { LeaderLock } from '../cluster/leader.js';
import type { Services } from '../server/services.js';
import { EventDispatcher } from '../triggers/event-dispatcher.js';
import { EventTriggerIndex } from '../triggers/event-trigger-index.js';
import { attachEventPublisher, detachEventPublisher, type EventPublisher } from './bus-registry.js';
import type {
  BusMessage,
  EventBus,
  EventSink,
  PublishOptions,
  PublishResult,
} from './event-bus.js';
import type { StreamSettings } from './jetstream-streams.js';
import { LocalEventBus } from './local-bus.js';
import { NatsEventBus, type NatsEventBusOptions } from './nats-bus.js';
import { OutboxReader } from './outbox-reader.js';

/** The row of `event_bus_cursor` the bridge keeps (one for both buses: a switch continues). */
export const BUS_CURSOR = 'bus';

export interface EventBridgeOptions {
  /** NATS server(s); default `config.natsUrl`. `null` forces the in-process bus. */
  natsUrl?: string | null;
  /** Leadership for reading the outbox; default a lock of its own (`event-bus`) on the store. */
  leader?: { readonly isLeader: boolean };
  /** Pause of the outbox reader when nothing is new (default 250 ms). */
  pollMs?: number;
  /** How long the list of event triggers is kept (default 2000 ms). */
  triggerCacheMs?: number;
  /** How often NATS consumers follow the triggers (default 2000 ms). */
  syncMs?: number;
  streams?: StreamSettings;
  consumer?: NatsEventBusOptions['consumer'];
  /** Connection name for NATS (default `commandcenter-event-bus`). */
  connectionName?: string;
  /** Called after the event triggers handled a message (all its firings recorded): tests, metrics. */
  onDelivered?: (message: BusMessage) => void;
}

/** The running event bus of a hub process (see {@link startEventBridge}). */
export interface EventBridge {
  /** `nats` with NATS_URL, else `local`. */
  readonly kind: 'nats' | 'local';
  /** Starts (again, after `stop`); resolves once consuming and reading the outbox. */
  start(): Promise<void>;
  /** Stops reading, publishing and consuming; in-flight messages finish first. */
  stop(): Promise<void>;
  /** Re-reads the event triggers now (e.g. right after workflows were applied). */
  refresh(): Promise<void>;
  /** Publishes an external event (what `POST /api/v1/events/publish` does). */
  publish(
    project: string,
    subject: string,
    payload: unknown,
    opts?: PublishOptions,
  ): Promise<PublishResult>;
}

type BridgeServices = Pick<Services, 'config' | 'store' | 'engine' | 'triggers' | 'firer'>;

interface Running {
  bus: EventBus;
  index: EventTriggerIndex;
  reader: OutboxReader;
  lock: LeaderLock | undefined;
  unsubscribe: () => void;
  publisher: EventPublisher;
}

/**
 * The event bus of a hub process (SPEC §6), not started: engine events of the outbox are handed
 * to the bus by the leader (NATS: published on `cc.<project>.<type>`; in-process: to the event
 * triggers), and the bus's messages fire `event:` triggers through the {@link EventDispatcher}.
 */
export function createEventBridge(
  services: BridgeServices,
  log: (line: string) => void,
  opts: EventBridgeOptions = {},
): EventBridge {
  const natsUrl =
    opts.natsUrl === undefined ? services.config.natsUrl : (opts.natsUrl ?? undefined);
  const kind = natsUrl ? 'nats' : 'local';
  let running: Running | undefined;
  let starting: Promise<void> | undefined;

  async function start(): Promise<void> {
    const lock = opts.leader
      ? undefined
      : new LeaderLock(services.store, 'event-bus', {
          onChange: () => reader.wake(),
          onError: (err) => log(`event bus: leadership: ${String(err)}`),
        });
    const leader = opts.leader ?? lock!;
    const index = new EventTriggerIndex(services.triggers, opts.triggerCacheMs);
    const dispatcher = new EventDispatcher(services.store, index, services.firer);
    const sink: EventSink = {
      interest: (o) => dispatcher.interest(o),
      async deliver(m) {
        await dispatcher.deliver(m);
        try {
          opts.onDelivered?.(m);
        } catch (err) {
          log(`event bus: onDelivered failed: ${String(err)}`);
        }
      },
    };
    const bus: EventBus = natsUrl
      ? new NatsEventBus({
          servers: natsUrl,
          ...(opts.connectionName ? { name: opts.connectionName } : {}),
          ...(opts.streams ? { streams: opts.streams } : {}),
          ...(opts.consumer ? { consumer: opts.consumer } : {}),
          ...(opts.syncMs ? { syncMs: opts.syncMs } : {}),
          isLeader: () => leader.isLeader,
          log: (line) => log(`event bus: ${line}`),
        })
      : new LocalEventBus();
    const reader = new OutboxReader({
      store: services.store,
      name: BUS_CURSOR,
      active: () => leader.isLeader,
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
      handle: async (events) => {
        // In-process, the triggers are matched here: see workflows applied a moment ago.
        if (bus.kind === 'local') await index.refresh();
        await bus.publishEngineEvents(events);
      },
      onError: (err) =>
        log(`event bus: handing engine events on failed (retrying): ${String(err)}`),
    });
    const publisher: EventPublisher = {
      kind: bus.kind,
      async publish(project, subject, payload, o) {
        if (bus.kind === 'local') await index.refresh();
        return bus.publish(project, subject, payload, o);
      },
    };
    try {
      await bus.consume(sink);
      await lock?.start();
    } catch (err) {
      await bus.close().catch(() => {});
      await lock?.stop();
      throw err;
    }
    const unsubscribe = services.engine.subscribe(() => reader.wake());
    await reader.start();
    attachEventPublisher(services.engine, publisher);
    running = { bus, index, reader, lock, unsubscribe, publisher };
  }

  return {
    kind,
    start() {
      if (running) return Promise.resolve();
      starting ??= start().finally(() => {
        starting = undefined;
      });
      return starting;
    },
    async stop() {
      await starting?.catch(() => {});
      const r = running;
      running = undefined;
      if (!r) return;
      detachEventPublisher(services.engine, r.publisher);
      r.unsubscribe();
      await r.reader.stop();
      await r.bus.close();
      await r.lock?.stop();
    },
    async refresh() {
      await running?.index.refresh();
      await running?.bus.refresh();
    },
    publish(project, subject, payload, o) {
      if (!running) {
        return Promise.reject(new Error('the event bridge is not running: call start() first'));
      }
      return running.publisher.publish(project, subject, payload, o);
    },
  };
}

/**
 * Starts the event bus of a hub process (call it from `commandcenter up` and `worker`, and stop
 * it on close): with `NATS_URL` (config.natsUrl) engine events are published to JetStream and
 * `event:` triggers consume each project's stream durably; without it the in-process bus serves
 * the same triggers. Returns the started bridge (`stop()` it on close; `start()` restarts it).
 */
export async function startEventBridge(
  services: BridgeServices,
  log: (line: string) => void,
  opts: EventBridgeOptions = {},
): Promise<EventBridge> {
  const bridge = createEventBridge(services, log, opts);
  await bridge.start();
  return bridge;
}
