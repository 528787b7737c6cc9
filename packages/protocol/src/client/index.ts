/** The typed client of the hub's REST API and live event feed. Platform-neutral (global `fetch`). */
export { HubClient, type HubClientOptions, type IdempotencyOptions } from './hub-client.js';
export type { EventStreamOptions } from './event-stream.js';
export type { FollowLogsOptions } from './log-stream.js';
export type { ResumableSseOptions } from './sse-connection.js';
export { SseParser, type SseMessage } from './sse.js';
export { problemToError, unreachable } from './problem.js';
export type { RequestBody } from './transport.js';
export type * from './api-types.js';
