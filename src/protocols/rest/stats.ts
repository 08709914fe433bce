/** Read-only views: `/stats/`, `/stats/<q>` (JSON) and the job page `/j/<q>` (HTML or JSON). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { QueueService } from '../../core/queue-service.js';
import { assertCallback } from '../../core/names.js';
import { queueParam } from '../../http/kit/body.js';
import { requestArgs, routes, sendChunks } from '../../http/kit/reply.js';
import { replies } from '../replies.js';
import { STATS_SCHEMAS as SCHEMAS } from './schemas.js';

function wantsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.startsWith('text/html');
}

export function registerStatsRoutes(app: FastifyInstance, service: QueueService): void {
  routes(app, '/stats/', {
    GET: {
      schema: SCHEMAS.all,
      acl: 'rest:consumer',
      // Streamed a page of queues at a time, read as the socket drains: with many queues the
      // reply runs to megabytes, and no more than a page of stats is held at once. A store
      // failure after the first page cuts the reply short (the status line is gone by then).
      handler: async (req, reply) => {
        const callback = assertCallback(requestArgs(req).get('callback'));
        const names = await service.listQueues();
        sendChunks(reply, replies.allStatsStream(service.storeKind, names, (some) => service.someStats(some), callback));
        return undefined;
      },
    },
  });
  routes(app, '/stats/:queue', {
    GET: {
      schema: SCHEMAS.queue,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        return replies.queueStats(service.storeKind, await service.stats(queue), assertCallback(requestArgs(req).get('callback')));
      },
    },
  });
  routes(app, '/j/:queue', {
    GET: {
      schema: SCHEMAS.job,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        const [stats, oldest] = await Promise.all([service.stats(queue), service.peek(queue)]);
        return wantsJson(req) ? replies.jobJson(stats, oldest) : replies.jobPage(stats, oldest);
      },
    },
  });
}
