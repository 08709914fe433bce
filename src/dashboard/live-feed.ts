/**
 * The dashboard's live feed (`GET /dashboard/api/events`, Server-Sent Events). While at least
 * one page listens it samples once a period: the queue table from the store, and rates from
 * the Activity counters (differences between two samples). One sample is serialised once and
 * written to every listener, so ten open dashboards cost what one does; a slow sample (many
 * queues) stretches the period rather than keep the broker busy. The last hour is kept
 * (history.ts) so a page opened now draws its charts at once.
 */
import type { ServerResponse } from 'node:http';
import type { Activity } from '../core/activity.js';
import { byQueueName } from '../core/names.js';
import { replies } from '../protocols/replies.js';
import type { Json } from '../protocols/json-text.js';
import type { QueueRow } from '../wire.js';
import type { Snapshot } from './snapshot.js';
import { ChartHistory, HISTORY_DEFAULTS, type HistoryOptions, type Point } from './history.js';

/** Past this many queues the history keeps totals only (540 points × 1,000 queues is megabytes). */
const HISTORY_QUEUES = 100;
/** A sample may use at most 1/SLOWDOWN of the time: slow stores get a longer period. */
const SLOWDOWN = 5;
/** A page that stopped reading (a sleeping laptop) is dropped rather than buffered without end;
 *  its EventSource reconnects when it wakes. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

type Counters = { enqueued: number; delivered: number; acked: number };

export interface LiveFeedOptions {
  periodMs: number;
  /** What is kept for pages that connect later. */
  history: HistoryOptions;
}

export class LiveFeed {
  private readonly listeners = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private sampling = false;
  private closed = false;
  private previous: { time: number; counters: Map<string, Counters> } | undefined;
  private readonly history: ChartHistory;
  /** The latest sample, for readers that need the queue table without reading it again. */
  latest: Snapshot | undefined;

  constructor(
    private readonly sample: () => Promise<Snapshot>,
    private readonly activity: Activity,
    private readonly log: { warn(obj: object, msg: string): void },
    private readonly options: LiveFeedOptions = { periodMs: 1000, history: HISTORY_DEFAULTS },
  ) {
    this.history = new ChartHistory(options.history);
  }

  /** Starts streaming to `res` (headers already written): the history, then every sample. */
  add(res: ServerResponse): void {
    if (this.closed) {
      res.end();
      return;
    }
    this.listeners.add(res);
    res.once('close', () => {
      this.listeners.delete(res);
      if (this.listeners.size === 0) this.stopTimer();
    });
    res.write(replies.dashboardEvent('history', this.history.points()));
    if (!this.running) {
      this.running = true;
      void this.tick();
    }
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Ends every listener's stream (shutdown must not wait for open pages). */
  close(): void {
    this.closed = true;
    this.stopTimer();
    for (const res of this.listeners) res.end();
    this.listeners.clear();
  }

  private stopTimer(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    // A later page starts a fresh measurement: rates across an idle gap would mislead.
    this.previous = undefined;
  }

  private async tick(): Promise<void> {
    if (this.sampling || this.closed) return;
    this.sampling = true;
    const started = Date.now();
    try {
      const snapshot = await this.sample();
      this.latest = snapshot;
      this.addRates(snapshot);
      const point: Point = { t: snapshot.time, all: [0, 0, 0, 0, 0, 0, 0, 0], q: byQueueName<number[]>() };
      const keep = snapshot.queues.length <= HISTORY_QUEUES;
      for (const r of snapshot.queues) {
        const row = [r.ready, r.inflight, r.delayed, r.dead, r.rates.enqueued, r.rates.delivered, r.rates.acked, r.oldestAgeSeconds ?? 0];
        row.forEach((v, i) => (point.all[i] = i === 7 ? Math.max(point.all[i]!, v) : point.all[i]! + v));
        if (keep) point.q[r.queue] = row;
      }
      this.history.push(point);
      this.broadcast(replies.dashboardEvent('snapshot', snapshot as unknown as Json));
    } catch (err) {
      this.log.warn({ err }, 'dashboard: sampling the queues failed');
      this.broadcast(replies.dashboardEvent('failure', { error: 'the store is unavailable', time: Date.now() }));
    } finally {
      this.sampling = false;
      if (this.running) {
        const took = Date.now() - started;
        this.timer = setTimeout(() => void this.tick(), Math.max(this.options.periodMs - took, took * (SLOWDOWN - 1)));
      }
    }
  }

  private broadcast(frame: string): void {
    for (const res of this.listeners) {
      if (res.destroyed) continue;
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
      else res.write(frame);
    }
  }

  /** Rates per second since the previous sample (zero for the first one). */
  private addRates(snapshot: Snapshot): void {
    const counters = new Map<string, Counters>();
    for (const [queue, a] of this.activity.snapshot()) counters.set(queue, { enqueued: a.enqueued, delivered: a.delivered, acked: a.acked });
    const prev = this.previous;
    const seconds = prev ? Math.max(0.001, (snapshot.time - prev.time) / 1000) : 0;
    const rate = (now: number, before: number | undefined) => (prev ? Math.max(0, Math.round(((now - (before ?? 0)) / seconds) * 10) / 10) : 0);
    snapshot.queues = snapshot.queues.map((row): QueueRow => {
      const now = counters.get(row.queue);
      if (!now) return row;
      const before = prev?.counters.get(row.queue);
      return { ...row, rates: { enqueued: rate(now.enqueued, before?.enqueued), delivered: rate(now.delivered, before?.delivered), acked: rate(now.acked, before?.acked) } };
    });
    this.previous = { time: snapshot.time, counters };
  }
}
