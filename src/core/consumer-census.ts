/**
 * How many consumers a queue has, counted in one place for every view (/stats, the JSON
 * `stats` command, the CLI, the dashboard, /metrics). Streaming consumers (COMET, SSE,
 * WebSocket, leased or not) are registered in the store by the broker holding them, so the
 * store's count covers every broker; long polls waiting right now are shown apart, also over
 * every broker: each broker reports its counts to the store (PollReporter, a few times a
 * second when they change, refreshed before they lapse).
 */
import type { Transport } from './consumer.js';
import type { MeterStore } from '../storage/meter-contract.js';
import type { Log } from './distributor.js';

export interface ConsumerCounts extends Record<Transport, number> {
  /** Long-poll requests waiting (GET ?wait=) on every broker sharing the store. */
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

/** The counts of each queue; `registered[i]` and `polling[i]` are the store's counts (every
 *  broker's streams, every broker's waiting long polls) for `queues[i]`. */
export function countConsumers(queues: readonly string[], registered: readonly number[], polling: readonly number[], streams: LocalConsumers, polls: Waiters): ConsumerCounts[] {
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
    return { ...mine, poll: Math.max(polling[i] ?? 0, waiting.get(queue) ?? 0), total: Math.max(registered[i] ?? 0, here) };
  });
}

/** How often the counts are compared with what was reported, and how long a report lives. */
const REPORT_EVERY_MS = 250;
const REPORT_TTL_MS = 5000;

/** Reports this broker's waiting long polls to the store when they change, and before they lapse. */
export class PollReporter {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private lastAt = 0;
  private busy = false;

  constructor(
    private readonly store: Pick<MeterStore, 'reportPolls'>,
    private readonly polls: Waiters,
    private readonly log: Log,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.report(), REPORT_EVERY_MS).unref();
  }

  /** Withdraws this broker's counts. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await this.store.reportPolls(new Map(), REPORT_TTL_MS).catch((err: unknown) => this.log.warn({ err }, 'withdrawing long-poll counts failed'));
  }

  private async report(): Promise<void> {
    if (this.busy) return;
    const waiting = this.polls.waitingByQueue();
    const now = Date.now();
    const text = JSON.stringify([...waiting].sort());
    if (text === this.last && (waiting.size === 0 || now - this.lastAt < REPORT_TTL_MS / 3)) return;
    this.busy = true;
    try {
      await this.store.reportPolls(waiting, REPORT_TTL_MS);
      [this.last, this.lastAt] = [text, now];
    } catch (err) {
      this.log.warn({ err }, 'reporting long-poll counts failed; retrying');
    } finally {
      this.busy = false;
    }
  }
}
