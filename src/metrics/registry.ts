/**
 * The broker's metrics (peers.md section 7, prefix `restmq_`): prom-client's registry holds the
 * histograms, the broker-wide gauges and the process metrics; the per-queue families are in
 * queue-families.ts. Queue gauges and message counters are not updated as things happen: they
 * are read from the latest queue overview and the Activity counters when Prometheus scrapes,
 * so the hot path pays one Map increment per batch and a scrape reads the queues once.
 * Labels are the queue name and small enums; never a message id, a receipt or an address.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Activity } from '../core/activity.js';
import type { QueueOverview } from '../core/overview.js';
import { renderQueueFamilies } from './queue-families.js';

/** Sub-millisecond to a minute: broker calls are fast, long polls and streams are not. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const TRANSPORTS = ['comet', 'sse', 'ws'] as const;

export class BrokerMetrics {
  readonly registry = new Registry();
  /** The latest overview; the scrape route refreshes it before each render. */
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
    this.brokerGauges(registers);
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

  /** The whole exposition: prom-client's registry, then the per-queue families. */
  async render(): Promise<string> {
    const rows = this.overview;
    return (await this.registry.metrics()) + renderQueueFamilies(rows, this.activity);
  }

  private brokerGauges(registers: Registry[]): void {
    const rows = () => this.overview;
    const storeUp = () => this.storeUp;
    new Gauge({
      name: 'restmq_store_up', help: '1 when the last scrape could read the queues from the store, else 0.', registers,
      collect: function () {
        this.set(storeUp());
      },
    });
    new Gauge({
      name: 'restmq_stream_connections', help: 'Open streaming connections on this broker by transport.',
      labelNames: ['transport'], registers,
      collect: function () {
        const sum = { comet: 0, sse: 0, ws: 0 };
        for (const q of rows()) for (const t of TRANSPORTS) sum[t] += q.consumers[t];
        for (const t of TRANSPORTS) this.labels(t).set(sum[t]);
      },
    });
  }
}
