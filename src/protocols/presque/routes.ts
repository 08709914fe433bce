/**
 * presque's API under /presque (SPEC section 9, originals.md B): every route of B.2 with
 * presque's codes and bodies, over the broker's own queues, B.10's bugs fixed. Registered by
 * http/app.ts. Counters, workers and uniq tokens are in the store (presque-contract.ts), shared
 * by every broker on it.
 */
import type { FastifyInstance } from 'fastify';
import type { QueueService } from '../../core/queue-service.js';
import { MAX_BATCH } from '../../core/queue-service.js';
import { registerAdminRoutes } from './admin.js';
import { installPresqueHttp } from './http.js';
import { registerJobRoutes } from './jobs.js';
import type { PresqueBooks } from '../../core/presque-books.js';

/** Body limit: a batch of MAX_BATCH small jobs, or one job of a few MB. */
const BODY_LIMIT = Math.max(8 * 1024 * 1024, MAX_BATCH * 1024);

export function registerPresqueRoutes(app: FastifyInstance, service: QueueService, presque: PresqueBooks): void {
  service.onDeleted((queue) => void presque.purged(queue).catch(() => undefined));
  void app.register(
    async (scoped) => {
      installPresqueHttp(scoped, BODY_LIMIT);
      registerJobRoutes(scoped, service, presque);
      registerAdminRoutes(scoped, service, presque);
    },
    { prefix: '/presque' },
  );
}
