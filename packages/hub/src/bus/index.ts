/** The event bus (SPEC §6): in-process or NATS JetStream, and the bridge a hub process runs. */
export {
  BUS_CURSOR,
  createEventBridge,
  startEventBridge,
  type EventBridge,
  type EventBridgeOptions,
} from './event-bridge.js';
export { eventPublisherOf, type EventPublisher } from './bus-registry.js';
export {
  EventBusError,
  type BusMessage,
  type EventBus,
  type EventSink,
  type OutboxEvent,
  type ProjectInterest,
  type PublishOptions,
  type PublishResult,
} from './event-bus.js';
export type { StreamSettings } from './jetstream-streams.js';
export {
  engineMsgId,
  matchSubject,
  natsSubject,
  publishSubjectProblem,
  streamName,
  streamSubjects,
} from './subjects.js';
