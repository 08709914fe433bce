/**
 * How many consumers a queue has, counted in one place for every view (/stats, the JSON
 * `stats` command, the CLI, the dashboard, /metrics). Streaming consumers (COMET, SSE,
 * WebSocket, leased or not) are registered in the store by the broker holding them, so the
 * store's count covers every broker; long polls waiting right now are shown apart, as this
 * broker sees them (they are requests, not registrations).
 */
import type { Transport } from './consumer.js';

export interface ConsumerCounts extends Record<Transport, number> {
  /** Long-poll requests waiting on this broker (GET ?wait=). */
  poll: number;
  /** Streaming consumers, leased or not, on every broker sharing the store. */
  total: number;
}

/** What holds this broker's consumers. */
export interface LocalConsumers {
  /** Calls `fn` for each streaming consumer on this broker. */
  eachConsumer(fn: (queue: string, transport: Transport) => void): void;
}

export interface Waiters {
  /** Long polls waiting, by queue. */
  waitingByQueue(): Map<string, number>;
}

/** The counts of each queue; `registered[i]` is the store's count for `queues[i]`. */
export function countConsumers(queues: readonly string[], registered: readonly number[], streams: LocalConsumers, polls: Waiters): ConsumerCounts[] {
  const local = new Map<string, Record<Transport, number>>();
  streams.eachConsumer((queue, transport) => {
    let counts = local.get(queue);
    if (!counts) local.set(queue, (counts = { comet: 0, sse: 0, ws: 0 }));
    counts[transport]++;
  });
  const waiting = polls.waitingByQueue();
  return queues.map((queue, i) => {
    const mine = local.get(queue) ?? { comet: 0, sse: 0, ws: 0 };
    // The store's count can lag this broker's own by a registration in flight: never show fewer.
    const here = mine.comet + mine.sse + mine.ws;
    return { ...mine, poll: waiting.get(queue) ?? 0, total: Math.max(registered[i] ?? 0, here) };
  });
}
