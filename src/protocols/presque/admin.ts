/**
 * presque's information and control routes: `/j/<q>` counters, `/status/` sizes,
 * `/control/<q>` open/closed, `/w/` worker registry, and the index page.
 */
import type { FastifyInstance } from 'fastify';
import type { QueueService } from '../../core/queue-service.js';
import { assertQueueName, MAX_TAKE_COUNT } from '../../core/names.js';
import { bodyText, parseJson, PresqueError, presqueRoutes, queryArgs, queueOf, workerOf, type PresqueHandler } from './http.js';
import { MESSAGES, presqueReplies } from './replies.js';
import type { PresqueBooks } from '../../core/presque-books.js';
import { ADMIN_DOCS } from './schemas.js';

const STATUS_WORDS = { start: 'started', stop: 'stopped' } as const;
/** Most jobs listed by `/status/<q>?with_desc=1`. */
const MAX_DESC = 10 * MAX_TAKE_COUNT;

export function registerAdminRoutes(app: FastifyInstance, service: QueueService, presque: PresqueBooks): void {
  presqueRoutes(app, '/', { GET: () => presqueReplies.index() }, { GET: 'rest:consumer' }, ADMIN_DOCS.index);

  presqueRoutes(app, '/j/*', {
    GET: async (req) => {
      const queue = queueOf(req);
      const [stats, { processed, failed }] = await Promise.all([service.stats(queue), presque.counters(queue)]);
      return presqueReplies.counters(queue, stats.len, failed, processed);
    },
  }, { GET: 'rest:consumer' }, ADMIN_DOCS.counters);

  presqueRoutes(app, '/status/*', {
    GET: async (req) => {
      const name = (req.params as { '*': string })['*'];
      if (name === '') return presqueReplies.queues(await service.listQueues());
      const queue = assertQueueName(name);
      const stats = await service.stats(queue);
      if (queryArgs(req).get('with_desc') !== '1') return presqueReplies.size(queue, stats.len);
      // An empty queue lists no jobs (P7: presque's MGET with no keys failed).
      const jobs = stats.len === 0 ? [] : await service.peek(queue, Math.min(stats.len, MAX_DESC));
      return presqueReplies.size(
        queue,
        stats.len,
        jobs.map((m) => m.value),
      );
    },
  }, { GET: 'rest:consumer' }, ADMIN_DOCS.status);

  presqueRoutes(app, '/control/*', {
    GET: async (req) => {
      const queue = queueOf(req);
      return presqueReplies.status(queue, (await service.getStatus(queue)) !== 'stopped');
    },
    POST: async (req) => {
      const queue = queueOf(req);
      const text = bodyText(req);
      if (text === '') throw new PresqueError(400, MESSAGES.contentMissing);
      const parsed = parseJson(text);
      const word = typeof parsed === 'object' && parsed !== null ? (parsed as { status?: unknown }).status : undefined;
      if (word !== 'start' && word !== 'stop') throw new PresqueError(400, `invalid status ${typeof word === 'string' ? word : JSON.stringify(word ?? null)}`);
      await service.setStatus(queue, STATUS_WORDS[word]);
      return presqueReplies.updated(queue);
    },
  }, { GET: 'rest:consumer', POST: 'admin' }, ADMIN_DOCS.control);

  const workers: Record<'GET' | 'POST' | 'DELETE', PresqueHandler> = {
    // Any suffix is ignored, as presque; queue_name wins over worker_id.
    GET: async (req) => {
      const args = queryArgs(req);
      const queueName = args.get('queue_name');
      const workerId = args.get('worker_id');
      if (queueName !== undefined && queueName !== '') {
        const queue = assertQueueName(queueName);
        const [workers, { processed, failed }] = await Promise.all([presque.workers(queue), presque.counters(queue)]);
        return presqueReplies.queueWorkers(queue, workers, processed, failed);
      }
      if (workerId !== undefined && workerId !== '') {
        // P5 fixed: the per-worker counters (404 for a worker that is not registered).
        const stats = await presque.worker(workerId);
        if (!stats) throw new PresqueError(404, 'worker is not registered');
        return presqueReplies.worker(workerId, stats.processed, stats.failed);
      }
      return presqueReplies.workers(await presque.workers());
    },
    POST: async (req) => {
      const worker = workerOf(req);
      if (worker === undefined) throw new PresqueError(400, MESSAGES.workerMissing);
      await presque.register(worker, queueOf(req));
      return presqueReplies.created();
    },
    DELETE: async (req) => {
      const worker = workerOf(req);
      if (worker === undefined) throw new PresqueError(400, MESSAGES.workerMissing);
      await presque.unregister(worker, queueOf(req));
      return presqueReplies.deleted();
    },
  };
  // Workers register and unregister themselves: consumers.
  const workerAcl = { GET: 'rest:consumer', POST: 'rest:consumer', DELETE: 'rest:consumer' } as const;
  presqueRoutes(app, '/w/*', workers, workerAcl, ADMIN_DOCS.workers);
  // Net::Presque asks for `/w` without the slash: answered as `/w/` (not documented twice).
  presqueRoutes(app, '/w', workers, workerAcl, 'hidden');
}
