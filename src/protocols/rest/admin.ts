/**
 * Queue settings of the original API: delivery policy (`/p/<q>`) and flow control
 * (`/control/`), with the original's 200 replies for unknown values.
 */
import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../../errors.js';
import type { QueueService } from '../../core/queue-service.js';
import { assertCallback, assertQueueName, parseLeaseSeconds } from '../../core/names.js';
import type { Args } from '../../http/kit/args.js';
import { queueParam } from '../../http/kit/body.js';
import { requestArgs, routes } from '../../http/kit/reply.js';
import type { Policy, QueueSettings, QueueStatus } from '../../wire.js';
import { replies } from '../replies.js';
import { ADMIN_SCHEMAS as SCHEMAS } from './schemas.js';

const POLICIES: readonly string[] = ['broadcast', 'roundrobin'] satisfies Policy[];
const STATUS_WORDS: Record<string, QueueStatus> = { start: 'started', stop: 'stopped' };

/** The reliability settings of SPEC section 6 given on POST /p/<q>, if any. */
function settingsOf(args: Args): QueueSettings | undefined {
  const settings: QueueSettings = {};
  const lease = args.get('lease');
  const maxAttempts = args.get('max_attempts');
  const deadLetter = args.get('dead_letter');
  if (lease !== undefined) settings.leaseSeconds = parseLeaseSeconds(lease);
  if (maxAttempts !== undefined) {
    if (!/^\d{1,4}$/.test(maxAttempts) || Number(maxAttempts) < 1) throw new BrokerError('INVALID_SETTING', 'max_attempts must be a whole number from 1 to 9999');
    settings.maxAttempts = Number(maxAttempts);
  }
  if (deadLetter !== undefined) settings.deadLetter = assertQueueName(deadLetter);
  return Object.keys(settings).length > 0 ? settings : undefined;
}


export function registerAdminRoutes(app: FastifyInstance, service: QueueService): void {
  routes(app, '/p/:queue', {
    GET: {
      schema: SCHEMAS.getPolicy,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        const [policy, settings] = await Promise.all([service.getPolicy(queue), service.getSettings(queue)]);
        return replies.policy(queue, policy, settings, assertCallback(requestArgs(req).get('callback')));
      },
    },
    POST: {
      schema: SCHEMAS.setPolicy,
      acl: 'admin',
      handler: async (req) => {
        const queue = queueParam(req);
        const args = requestArgs(req);
        const callback = assertCallback(args.get('callback'));
        const policy = args.get('policy');
        const settings = settingsOf(args);
        if (settings) await service.setSettings(queue, settings);
        if (policy === undefined) {
          if (settings) return replies.policySet(true, callback);
          throw new BrokerError('MISSING_ARGUMENT', 'policy (or lease, max_attempts, dead_letter) is required');
        }
        // The original answers 200 `null` for an unknown policy; kept for old clients.
        if (!POLICIES.includes(policy)) return replies.policySet(false, callback);
        await service.setPolicy(queue, policy as Policy);
        return replies.policySet(true, callback);
      },
    },
  });

  // The queue itself, not its messages (DELETE /q/<q> purges and keeps the queue).
  routes(app, '/queues/:queue', {
    DELETE: {
      schema: SCHEMAS.deleteQueue,
      acl: 'admin',
      handler: async (req) => {
        await service.deleteQueue(queueParam(req));
        return replies.queueDeleted();
      },
    },
  });

  routes(app, '/control/', {
    GET: {
      schema: SCHEMAS.controlAll,
      acl: 'rest:consumer',
      handler: async () => {
        const stats = await service.allStats();
        return replies.controlAll(service.storeKind, stats.map((s) => [s.queue, s.status]));
      },
    },
  });

  routes(app, '/control/:queue', {
    GET: {
      schema: SCHEMAS.control,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        const status = await service.getStatus(queue);
        return replies.control(service.storeKind, queue, status === 'stopped' ? 0 : 1);
      },
    },
    POST: {
      schema: SCHEMAS.setControl,
      acl: 'admin',
      handler: async (req) => {
        const queue = queueParam(req);
        const args = requestArgs(req);
        const callback = assertCallback(args.get('callback'));
        const word = args.get('status');
        const status = word === undefined ? undefined : STATUS_WORDS[word];
        if (status === undefined) return replies.controlSet(queue, { invalid: word ?? null }, callback);
        await service.setStatus(queue, status);
        return replies.controlSet(queue, status === 'stopped' ? 0 : 1, callback);
      },
    },
  });
}
