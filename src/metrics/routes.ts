/**
 * GET /metrics: Prometheus text (registry.ts names every metric). A scrape asks the store for
 * the deepest --metrics-max-queues queues and the sums over the others (one query on SQLite),
 * reads those queues' rows, then renders: its cost follows the cap, not the number of queues. Also times every
 * request for restmq_http_request_duration_seconds by route pattern (never the raw URL, which
 * carries queue names, receipts and query values).
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Activity } from '../core/activity.js';
import type { QueueService } from '../core/queue-service.js';
import { routes } from '../http/kit/reply.js';
import { reply, type RouteSchema } from '../http/kit/schemas.js';
import { replies } from '../protocols/replies.js';
import { cappedOverview } from '../core/overview.js';
import { BrokerMetrics } from './registry.js';

/** Requests that matched no route share one label value. */
const UNMATCHED = 'unmatched';

const METRICS: RouteSchema = {
  summary: 'Prometheus metrics: queues, message counters, request and store durations, process',
  description: 'Text exposition format 0.0.4. Queue figures are read from the store at each scrape; counters are this broker\'s since it started.',
  tags: ['ops'],
  response: { 200: reply('Prometheus text', 'text/plain') },
};

export interface MetricsRouteOptions {
  /** Per-queue counters, for a registry made here. */
  activity: Activity;
  /** The queue overview's source (consumer counts included), read at each scrape. */
  service: QueueService;
  logger: FastifyBaseLogger;
  /** The broker's metrics (main.ts also times the store with it); absent: the route makes its own. */
  metrics?: BrokerMetrics;
}

export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsRouteOptions): void {
  const metrics = deps.metrics ?? new BrokerMetrics(deps.activity);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(request.routeOptions.url ?? UNMATCHED, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  routes(app, '/metrics', {
    GET: {
      schema: METRICS,
      acl: 'rest:consumer',
      handler: async () => {
        try {
          metrics.setOverview(await cappedOverview(deps.service, metrics.queueCap));
        } catch (err) {
          // Process metrics are most wanted when the store is down: answer with store_up 0.
          deps.logger.warn({ err }, 'metrics: reading the queues failed');
          metrics.setOverview(err instanceof Error ? err : new Error(String(err)));
        }
        return replies.metrics(await metrics.render(), metrics.registry.contentType);
      },
    },
  });
}
