import type { EventBus } from './event-bus.js';

/** What the API needs of a running event bridge: publishing external events. */
export type EventPublisher = Pick<EventBus, 'kind' | 'publish'>;

const publishers = new WeakMap<object, EventPublisher>();

/**
 * Makes a running bridge's publisher reachable from what the API already holds (the engine of
 * its services), without widening `ApiDeps`: the routes look it up per request, so the bridge
 * may start before or after the app is built.
 */
export function attachEventPublisher(owner: object, publisher: EventPublisher): void {
  publishers.set(owner, publisher);
}

/** Removes the publisher (when the bridge stops), unless another one replaced it since. */
export function detachEventPublisher(owner: object, publisher: EventPublisher): void {
  if (publishers.get(owner) === publisher) publishers.delete(owner);
}

/** The publisher of the bridge running for `owner`, if any. */
export function eventPublisherOf(owner: object): EventPublisher | undefined {
  return publishers.get(owner);
}
