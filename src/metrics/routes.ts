/**
 * GET /metrics: Prometheus text (registry.ts names every metric). A scrape reads the queue
 * overview once, in one batched store read for all queues, then renders. Also times every
 * request for restmq_http_request_duration_seconds by route pattern (never the raw URL, which
 * carries queue names, receipts and query values).
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app.js';
import { routes } from '../http/reply.js';
import { reply, type RouteSchema } from '../http/schemas.js';
import { replies } from '../protocols/replies.js';
import { queueOverview } from '../core/overview.js';
import { BrokerMetrics } from './registry.js';

/** Requests that matched no route share one label value. */
const UNMATCHED = 'unmatched';

const METRICS: RouteSchema = {
  summary: 'Prometheus metrics: queues, message counters, request and store durations, process',
  description: 'Text exposition format 0.0.4. Queue figures are read from the store at each scrape; counters are this broker\'s since it started.',
  tags: ['ops'],
  response: { 200: reply('Prometheus text', 'text/plain') },
};

export function registerMetricsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const metrics = deps.metrics ?? new BrokerMetrics(deps.activity);
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(request.routeOptions.url ?? UNMATCHED, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  routes(app, '/metrics', {
    GET: {
      schema: METRICS,
      handler: async () => {
        try {
          metrics.setOverview(await queueOverview(deps.service));
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
