/**
 * Types that cross the wire: message envelopes, JSON-protocol commands and replies.
 * Shared with client/ so the SDK and the broker agree on shapes.
 */

/** Delivery policy of a queue's streaming consumers. */
export type Policy = 'broadcast' | 'roundrobin';

/** Flow-control status of a queue; a queue with no stored status is started. */
export type QueueStatus = 'started' | 'stopped';

/** A message as taken from a queue. `key` is `<queue>:<n>`. */
export interface Message {
  key: string;
  value: string;
}

/** The envelope `GET /q/<q>` replies with (the original's `count` is always 0). */
export interface Envelope extends Message {
  count: number;
}

/** Per-queue figures shown by `/stats/<q>` and the JSON `stats` command. */
export interface QueueStats {
  queue: string;
  len: number;
  status: 0 | 1;
  policy: 1 | 2;
  ready: number;
  inflight: number;
  delayed: number;
  dead: number;
  consumers: number;
}

/** The JSON protocol's commands (POST /queue, WebSocket frames). */
export type JsonCommandName = 'add' | 'get' | 'take' | 'del' | 'len' | 'stats' | 'policy' | 'status';

export interface JsonCommand {
  cmd: JsonCommandName | string;
  queue?: unknown;
  value?: unknown;
  values?: unknown;
  key?: unknown;
  ttl?: unknown;
  policy?: unknown;
  status?: unknown;
}
