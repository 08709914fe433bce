/**
 * Reads the dashboard's live feed (/dashboard/api/events) over a real HTTP connection and
 * lets a test wait for an event that satisfies a condition (woken by each event, no sleeps).
 */
import http from 'node:http';
import type { Snapshot } from '../../src/dashboard/snapshot.js';
import type { QueueRow } from '../../src/wire.js';
import { parseSse } from '../../src/protocols/stream/framing.js';
import { Waiters } from '../harness/wait.js';

/** The feed carries the dashboard's own snapshot rows, as JSON. */
export type FeedRow = QueueRow;
export type FeedSnapshot = Snapshot;

export class FeedClient {
  readonly events: { event: string; data: unknown }[] = [];
  status = 0;
  contentType = '';
  ended = false;
  private buffer = '';
  private readonly waiters = new Waiters();
  private req: http.ClientRequest | undefined;

  static open(base: string): Promise<FeedClient> {
    const c = new FeedClient();
    return new Promise((resolve, reject) => {
      c.req = http.get(`${base}/dashboard/api/events`, { headers: { accept: 'text/event-stream' } }, (res) => {
        c.status = res.statusCode ?? 0;
        c.contentType = String(res.headers['content-type'] ?? '');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.onData(chunk));
        res.on('end', () => c.onEnd());
        res.on('error', () => c.onEnd());
        resolve(c);
      });
      c.req.on('error', reject);
    });
  }

  private onData(chunk: string): void {
    const { events, rest } = parseSse(this.buffer + chunk);
    this.buffer = rest;
    for (const e of events) this.events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) as unknown });
    this.waiters.notify();
  }

  private onEnd(): void {
    this.ended = true;
    this.waiters.end('feed: ended');
  }

  /** Resolves once `cond` holds (checked at each event); rejects after `timeoutMs` or when the feed ends. */
  waitUntil(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.waiters.wait(cond, timeoutMs, () => `feed: ${what}`);
  }

  snapshots(): FeedSnapshot[] {
    return this.events.filter((e) => e.event === 'snapshot').map((e) => e.data as FeedSnapshot);
  }

  /** Waits for a snapshot whose row for `queue` satisfies `pred`; returns that row. */
  async row(queue: string, pred: (r: FeedRow) => boolean, timeoutMs = 10_000): Promise<FeedRow> {
    const find = () => {
      for (const s of this.snapshots().reverse()) {
        const r = s.queues.find((q) => q.queue === queue);
        if (r && pred(r)) return r;
      }
      return undefined;
    };
    await this.waitUntil(`a snapshot row of ${queue} that matches`, () => find() !== undefined, timeoutMs);
    return find()!;
  }

  close(): void {
    this.req?.destroy();
  }
}
