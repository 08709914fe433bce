/**
 * Queue settings of the original API: delivery policy (`/p/<q>`) and flow control
 * (`/control/`), with the original's 200 replies for unknown values.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors.js';
import type { QueueService } from '../../core/queue-service.js';
import { assertCallback, assertQueueName } from '../../core/names.js';
import { argsOf } from '../../http/body.js';
import { routes } from '../../http/reply.js';
import type { Policy, QueueStatus } from '../../wire.js';
import { replies } from '../replies.js';

const POLICIES: readonly string[] = ['broadcast', 'roundrobin'] satisfies Policy[];
const STATUS_WORDS: Record<string, QueueStatus> = { start: 'started', stop: 'stopped' };

function queueParam(req: FastifyRequest): string {
  return assertQueueName((req.params as { queue: string }).queue);
}

export function registerAdminRoutes(app: FastifyInstance, service: QueueService): void {
  routes(app, '/p/:queue', {
    GET: async (req) => {
      const queue = queueParam(req);
      return replies.policy(queue, await service.getPolicy(queue), assertCallback(argsOf(req).get('callback')));
    },
    POST: async (req) => {
      const queue = queueParam(req);
      const args = argsOf(req);
      const callback = assertCallback(args.get('callback'));
      const policy = args.get('policy');
      if (policy === undefined) throw new BrokerError('MISSING_ARGUMENT', 'policy is required');
      // The original answers 200 `null` for an unknown policy; kept for old clients.
      if (!POLICIES.includes(policy)) return replies.policySet(false, callback);
      await service.setPolicy(queue, policy as Policy);
      return replies.policySet(true, callback);
    },
  });

  routes(app, '/control/', {
    GET: async () => {
      const stats = await service.allStats();
      return replies.controlAll(service.storeKind, stats.map((s) => [s.queue, s.status]));
    },
  });

  routes(app, '/control/:queue', {
    GET: async (req) => {
      const queue = queueParam(req);
      const status = await service.getStatus(queue);
      return replies.control(service.storeKind, queue, status === 'stopped' ? 0 : 1);
    },
    POST: async (req) => {
      const queue = queueParam(req);
      const args = argsOf(req);
      const callback = assertCallback(args.get('callback'));
      const word = args.get('status');
      const status = word === undefined ? undefined : STATUS_WORDS[word];
      if (status === undefined) return replies.controlSet(queue, { invalid: word ?? null }, callback);
      await service.setStatus(queue, status);
      return replies.controlSet(queue, status === 'stopped' ? 0 : 1, callback);
    },
  });
}
