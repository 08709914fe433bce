/**
 * Every metric the broker exports, named once here (peers.md section 7, prefix `restmq_`).
 * Queue gauges and message counters are not updated as things happen: their collect()
 * callbacks copy the latest queue overview and the Activity counters when Prometheus scrapes,
 * so the hot path pays one Map increment per batch and a scrape pays for the queues once.
 * Labels are the queue name and small enums; never a message id, a receipt or an address.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Activity, QueueActivity } from '../core/activity.js';
import type { QueueOverview } from '../core/overview.js';

/** Sub-millisecond to a minute: broker calls are fast, long polls and streams are not. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const STATES = ['ready', 'inflight', 'delayed', 'dead'] as const;
const TRANSPORTS = ['poll', 'comet', 'sse', 'ws'] as const;

/** Activity counters exported one-to-one, by the counter they read. */
const COUNTERS: readonly [name: string, help: string, field: keyof QueueActivity][] = [
  ['restmq_messages_enqueued_total', 'Messages accepted by enqueue calls on this broker.', 'enqueued'],
  ['restmq_messages_acked_total', 'Leased messages acknowledged (removed for good).', 'acked'],
  ['restmq_messages_redelivered_total', 'Leases of messages leased before (their earlier lease expired or was nacked).', 'redelivered'],
  ['restmq_messages_dead_lettered_total', 'Messages moved to a dead-letter queue from this queue.', 'deadLettered'],
  ['restmq_messages_expired_total', 'Messages whose TTL had passed, dropped when a consumer reached them.', 'expired'],
  ['restmq_receives_empty_total', 'Receives (GET, take, lease, long polls at their end) that found no message.', 'emptyReceives'],
];

export class BrokerMetrics {
  readonly registry = new Registry();
  /** The latest overview, read by the gauges' collect(); the scrape route refreshes it. */
  private overview: readonly QueueOverview[] = [];
  private storeUp = 1;
  private readonly http: Histogram<'route' | 'method' | 'code'>;
  private readonly store: Histogram<'op'>;
  /** Label children cached by key: observe() then skips hashing the label set. */
  private readonly httpChildren = new Map<string, Histogram.Internal<'route' | 'method' | 'code'>>();
  private readonly storeChildren = new Map<string, Histogram.Internal<'op'>>();

  constructor(private readonly activity: Activity) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http = new Histogram({
      name: 'restmq_http_request_duration_seconds',
      help: 'HTTP request durations by route pattern, method and status code (streams: their lifetime).',
      labelNames: ['route', 'method', 'code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.store = new Histogram({
      name: 'restmq_store_call_duration_seconds',
      help: 'Durations of calls into the store (Redis or SQLite) by method.',
      labelNames: ['op'],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.queueGauges(registers);
    this.activityCounters(registers);
  }

  /** Called by the scrape route before rendering; an error means the store did not answer. */
  setOverview(overview: readonly QueueOverview[] | Error): void {
    this.storeUp = overview instanceof Error ? 0 : 1;
    this.overview = overview instanceof Error ? [] : overview;
  }

  observeHttp(route: string, method: string, code: number, seconds: number): void {
    const key = `${route} ${method} ${code}`;
    let child = this.httpChildren.get(key);
    if (!child) this.httpChildren.set(key, (child = this.http.labels(route, method, String(code))));
    child.observe(seconds);
  }

  observeStore(op: string, seconds: number): void {
    let child = this.storeChildren.get(op);
    if (!child) this.storeChildren.set(op, (child = this.store.labels(op)));
    child.observe(seconds);
  }

  private queueGauges(registers: Registry[]): void {
    const rows = () => this.overview;
    const storeUp = () => this.storeUp;
    new Gauge({
      name: 'restmq_store_up', help: '1 when the last scrape could read the queues from the store, else 0.', registers,
      collect: function () {
        this.set(storeUp());
      },
    });
    new Gauge({
      name: 'restmq_queue_messages', help: 'Messages by state: ready, inflight (leased), delayed, dead (in <queue>.dead).',
      labelNames: ['queue', 'state'], registers,
      collect: function () {
        this.reset();
        for (const q of rows()) for (const state of STATES) this.labels(q.queue, state).set(q[state]);
      },
    });
    new Gauge({
      name: 'restmq_queue_oldest_message_age_seconds', help: 'Age of the oldest ready message (absent when the queue is empty).',
      labelNames: ['queue'], registers,
      collect: function () {
        this.reset();
        for (const q of rows()) if (q.oldestAgeSeconds !== null) this.labels(q.queue).set(q.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'restmq_queue_paused', help: '1 when the queue is stopped (no delivery), else 0.', labelNames: ['queue'], registers,
      collect: function () {
        this.reset();
        for (const q of rows()) this.labels(q.queue).set(q.status === 'stopped' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'restmq_queue_consumers', help: 'Consumers on this broker by transport (poll: waiting long polls).',
      labelNames: ['queue', 'transport'], registers,
      collect: function () {
        this.reset();
        for (const q of rows()) for (const t of TRANSPORTS) this.labels(q.queue, t).set(q.consumers[t]);
      },
    });
    new Gauge({
      name: 'restmq_queue_consumers_all_brokers', help: 'Streaming consumers of the queue on every broker sharing the store.',
      labelNames: ['queue'], registers,
      collect: function () {
        this.reset();
        for (const q of rows()) this.labels(q.queue).set(q.consumers.total);
      },
    });
    new Gauge({
      name: 'restmq_stream_connections', help: 'Open streaming connections on this broker by transport.',
      labelNames: ['transport'], registers,
      collect: function () {
        const sum = { comet: 0, sse: 0, ws: 0 };
        for (const q of rows()) for (const t of ['comet', 'sse', 'ws'] as const) sum[t] += q.consumers[t];
        for (const t of ['comet', 'sse', 'ws'] as const) this.labels(t).set(sum[t]);
      },
    });
  }

  private activityCounters(registers: Registry[]): void {
    const activity = this.activity;
    for (const [name, help, field] of COUNTERS) {
      new Counter({
        name, help, labelNames: ['queue'], registers,
        collect: function () {
          this.reset();
          for (const [queue, a] of activity.snapshot()) if (a[field] > 0) this.labels(queue).inc(a[field]);
        },
      });
    }
    new Counter({
      name: 'restmq_messages_delivered_total',
      help: 'Messages handed to consumers: pull (GET, take, lease) or push (written to a stream; one per consumer copy).',
      labelNames: ['queue', 'mode'], registers,
      collect: function () {
        this.reset();
        for (const [queue, a] of activity.snapshot()) {
          const pull = a.delivered - a.deliveredPush;
          if (pull > 0) this.labels(queue, 'pull').inc(pull);
          if (a.deliveredPush > 0) this.labels(queue, 'push').inc(a.deliveredPush);
        }
      },
    });
  }
}
