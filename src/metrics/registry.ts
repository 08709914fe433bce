/**
 * The broker's metrics (peers.md section 7, prefix `restmq_`): prom-client's registry holds the
 * broker-wide gauges and the process metrics; the request and store-call histograms, observed
 * on the hot path, are histogram.ts; the per-queue families are queue-families.ts. Queue gauges and message counters are not updated as things happen: they
 * are read from the latest queue overview and the Activity counters when Prometheus scrapes,
 * so the hot path pays one Map increment per batch and a scrape reads the queues once.
 * Labels are the queue name and small enums; never a message id, a receipt or an address.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Activity } from '../core/activity.js';
import type { CappedOverview, QueueOverview } from '../core/overview.js';
import { defaultOf } from '../config/settings.js';
import { renderQueueFamilies } from './queue-families.js';
import { Histogram, type Series } from './histogram.js';

/** Sub-millisecond to a minute: broker calls are fast, long polls and streams are not. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const TRANSPORTS = ['comet', 'sse', 'ws'] as const;

/** --metrics-max-queues when no config is given (tests, benchmarks). */
const DEFAULT_MAX_QUEUES = defaultOf('metrics-max-queues') as number;

export class BrokerMetrics {
  readonly registry = new Registry();
  /** The latest overview (at most maxQueues rows and the sums); the scrape route refreshes it
   *  before each render. */
  private overview: CappedOverview = { rows: [], rest: null };
  private storeUp = 1;
  private readonly http = new Histogram('restmq_http_request_duration_seconds',
    'HTTP request durations by route pattern, method and status code (streams: their lifetime).', ['route', 'method', 'code'], HTTP_BUCKETS);
  private readonly store = new Histogram('restmq_store_call_duration_seconds',
    'Durations of calls into the store (Redis or SQLite) by method.', ['op'], STORE_BUCKETS);
  private readonly httpSeries = new Map<string, Map<string, Map<number, Series>>>();
  private readonly denied = new Counter({
    name: 'restmq_acl_denied_total', help: 'Requests and commands the ACL refused: ip (host rules), auth (no or bad credentials), forbidden (an API key without the right).',
    labelNames: ['reason'], registers: [this.registry],
  });

  private readonly syslog = new Counter({
    name: 'restmq_syslog_lines_total',
    help: 'syslog messages received, by transport (tcp, udp) and outcome: stored, truncated (cut to --syslog-max-line-bytes, then stored), refused (ACL host rules), dropped (not stored).',
    labelNames: ['transport', 'outcome'], registers: [this.registry],
  });

  /** maxQueues: queues with their own series (--metrics-max-queues; 0: every queue). */
  constructor(private readonly activity: Activity, private readonly maxQueues = DEFAULT_MAX_QUEUES) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.brokerGauges(registers);
  }

  /** Queues with their own series (--metrics-max-queues; 0: every queue). */
  get queueCap(): number {
    return this.maxQueues;
  }

  /** Called by the scrape route before rendering; an error means the store did not answer. */
  setOverview(overview: CappedOverview | Error): void {
    this.storeUp = overview instanceof Error ? 0 : 1;
    this.overview = overview instanceof Error ? { rows: [], rest: null } : overview;
  }

  observeHttp(route: string, method: string, code: number, seconds: number): void {
    // Found by route, method and code in turn: no key string is built per request.
    let byMethod = this.httpSeries.get(route);
    if (!byMethod) this.httpSeries.set(route, (byMethod = new Map()));
    let byCode = byMethod.get(method);
    if (!byCode) byMethod.set(method, (byCode = new Map()));
    let series = byCode.get(code);
    if (!series) byCode.set(code, (series = this.http.of(`${route} ${method} ${code}`, () => ({ route, method, code: String(code) }))));
    series.observe(seconds);
  }

  /** One refusal by the ACL (the reason is a small enum: never who or from where). */
  aclDenied(reason: 'ip' | 'auth' | 'forbidden'): void {
    this.denied.inc({ reason });
  }

  syslogLine(transport: 'tcp' | 'udp', outcome: 'stored' | 'truncated' | 'refused' | 'dropped'): void {
    this.syslog.inc({ transport, outcome });
  }

  observeStore(op: string, seconds: number): void {
    this.store.of(op, () => ({ op })).observe(seconds);
  }

  /** The whole exposition: prom-client's registry, the hot-path histograms, the queue families. */
  async render(): Promise<string> {
    const rows = this.overview;
    const out: string[] = [];
    this.http.render(out);
    this.store.render(out);
    out.push('');
    return (await this.registry.metrics()) + out.join('\n') + renderQueueFamilies(rows, this.activity, this.maxQueues);
  }

  private brokerGauges(registers: Registry[]): void {
    const rows = (): readonly Pick<QueueOverview, 'consumers'>[] => (this.overview.rest ? [...this.overview.rows, this.overview.rest] : this.overview.rows);
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
