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

/** What this broker last told the store of its long polls (PollReporter). */
export interface ReportedPolls {
  reported(queue: string): number;
  /** Calls fn for each queue of the last report. */
  eachReported?(fn: (queue: string, n: number) => void): void;
}

/** The counts of each queue; `registered[i]` and `polling[i]` are the store's counts (every
 *  broker's streams, every broker's waiting long polls) for `queues[i]`. */
export function countConsumers(queues: readonly string[], registered: readonly number[], polling: readonly number[], streams: LocalConsumers, polls: Waiters,
  reports?: ReportedPolls): ConsumerCounts[] {
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
    // Other brokers' polls as reported; this broker's own as they are now (a report lags).
    const others = Math.max(0, (polling[i] ?? 0) - (reports?.reported(queue) ?? 0));
    return { ...mine, poll: others + (waiting.get(queue) ?? 0), total: Math.max(registered[i] ?? 0, here) };
  });
}

/** The counts of every queue not `kept`, summed, as countConsumers would sum them queue by
 *  queue; `registered` and `polling` are the store's sums over those queues. The total is the
 *  larger of the two sums (per queue it is the larger of the two counts). */
export function sumConsumers(kept: ReadonlySet<string>, registered: number, polling: number, streams: LocalConsumers, polls: Waiters,
  reports?: ReportedPolls): ConsumerCounts {
  const mine: Record<Transport, number> = { comet: 0, sse: 0, ws: 0 };
  streams.eachConsumer((queue, transport) => {
    if (!kept.has(queue)) mine[transport]++;
  });
  let waiting = 0;
  for (const [queue, n] of polls.waitingByQueue()) if (!kept.has(queue)) waiting += n;
  let reported = 0;
  reports?.eachReported?.((queue, n) => {
    if (!kept.has(queue)) reported += n;
  });
  return { ...mine, poll: Math.max(0, polling - reported) + waiting, total: Math.max(registered, mine.comet + mine.sse + mine.ws) };
}

/** How often the counts are compared with what was reported, and how long a report lives. */
const REPORT_EVERY_MS = 250;
const REPORT_TTL_MS = 5000;

/** Reports this broker's waiting long polls to the store when they change, and before they lapse. */
export class PollReporter implements ReportedPolls {
  private timer: NodeJS.Timeout | undefined;
  /** The counts of the last report the store took. */
  private counts = new Map<string, number>();
  private last = '';
  private lastAt = 0;
  private busy = false;

  constructor(
    private readonly store: Pick<MeterStore, 'reportPolls'>,
    private readonly polls: Waiters,
    private readonly log: Log,
  ) {}

  reported(queue: string): number {
    return this.counts.get(queue) ?? 0;
  }

  eachReported(fn: (queue: string, n: number) => void): void {
    for (const [queue, n] of this.counts) fn(queue, n);
  }

  start(): void {
    this.timer = setInterval(() => void this.report(), REPORT_EVERY_MS).unref();
  }

  /** Withdraws this broker's counts. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await this.store.reportPolls(new Map(), REPORT_TTL_MS).catch((err: unknown) => this.log.warn({ err }, 'withdrawing long-poll counts failed'));
    this.counts = new Map();
  }

  private async report(): Promise<void> {
    if (this.busy) return;
    const waiting = this.polls.waitingByQueue();
    const now = Date.now();
    const text = JSON.stringify([...waiting].sort());
    if (text === this.last && (waiting.size === 0 || now - this.lastAt < REPORT_TTL_MS / 3)) return;
    this.busy = true;
    try {
      // Counted as reported from the start: a read meanwhile may see it already.
      const before = this.counts;
      this.counts = new Map([...before, ...waiting]);
      await this.store.reportPolls(waiting, REPORT_TTL_MS).catch((err: unknown) => {
        this.counts = before;
        throw err;
      });
      this.counts = waiting;
      [this.last, this.lastAt] = [text, now];
    } catch (err) {
      // Retried at the next refresh, not every tick (an outage would flood the log); a count
      // left in the store lapses on its own.
      [this.last, this.lastAt] = [text, now];
      this.log.warn({ err }, 'reporting long-poll counts failed; retrying');
    } finally {
      this.busy = false;
    }
  }
}
