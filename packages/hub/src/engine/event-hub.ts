import type { CCEvent } from '@commandcenter/protocol';

export type EventListener = (event: CCEvent) => void;

/**
 * Fans the engine's committed events out to in-process listeners (the SSE stream, metrics,
 * tests). Listeners must not throw; one that does is reported and kept.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly CCEvent[] | undefined): void {
    if (!events?.length) return;
    for (const e of events) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          console.error('event listener failed', err);
        }
      }
    }
  }
}
