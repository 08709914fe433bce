/**
 * The message routes of the original REST API: `/` (GET ?queue=, POST) and `/q/...`
 * (list, take, enqueue, purge). Replies come from protocols/replies.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors.js';
import type { QueueService } from '../../core/queue-service.js';
import { assertCallback, assertQueueName, enqueueOptions, parseCount, parseDelaySeconds, parseLeaseSeconds, parseWaitSeconds } from '../../core/names.js';
import { mediaType, queueParam, rawBody } from '../../http/kit/body.js';
import type { Args } from '../../http/kit/args.js';
import { requestArgs, routes, type Route } from '../../http/kit/reply.js';
import { replies, type Reply } from '../replies.js';
import { MESSAGE_SCHEMAS as SCHEMAS } from './schemas.js';
import { returnIfUnwritten } from '../undelivered.js';
import { DASHBOARD_PATH } from '../../dashboard/path.js';

/** `msg` wins over `value`, as on the original's /q/ (its `POST /` ignored msg: fixed). */
function formValue(args: Args): string | undefined {
  return args.get('msg') ?? args.get('value');
}

async function takeReply(service: QueueService, queue: string, args: Args, emptyStatus: 204 | 404, req: FastifyRequest, reply: FastifyReply): Promise<Reply> {
  const callback = assertCallback(args.get('callback'));
  const count = parseCount(args.get('count'));
  const lease = args.get('lease');
  const leaseSeconds = lease === undefined ? undefined : parseLeaseSeconds(lease);
  const wait = parseWaitSeconds(args.get('wait'));
  let result;
  if (wait > 0) {
    // A client that goes away stops waiting (and takes nothing).
    const gone = new AbortController();
    req.raw.once('close', () => gone.abort());
    result = await service.takeWaiting(queue, count ?? 1, wait, leaseSeconds, gone.signal);
  } else result = leaseSeconds === undefined ? await service.take(queue, count ?? 1) : await service.lease(queue, count ?? 1, leaseSeconds);
  if (result.messages.length > 0 && leaseSeconds === undefined) returnIfUnwritten(service, queue, result.messages, req, reply);
  if (result.messages.length === 0) {
    if (emptyStatus === 204) return replies.noContent(result.stopped);
    const r = replies.error('QUEUE_EMPTY', result.stopped ? 'queue is stopped' : undefined);
    return result.stopped ? { ...r, headers: { 'x-restmq-status': 'stopped' } } : r;
  }
  return count === undefined ? replies.envelope(result.messages[0]!, callback) : replies.envelopes(result.messages, callback);
}

async function enqueueReply(service: QueueService, queue: string, req: FastifyRequest, args: Args): Promise<Reply> {
  const callback = assertCallback(args.get('callback'));
  const options = enqueueOptions(args.get('ttl'), args.get('delay'), args.get('dedup'));
  if (args.get('batch') === '1' || args.get('batch') === 'true') {
    if (mediaType(req) !== 'application/json') throw new BrokerError('INVALID_BATCH', 'a batch needs Content-Type: application/json');
    const values = parseBatch(rawBody(req));
    return replies.keys(await service.add(queue, values, options), callback);
  }
  const value = formValue(args) ?? rawBody(req);
  if (value === undefined) throw new BrokerError('MISSING_ARGUMENT', 'msg or value is required');
  const [key] = await service.add(queue, [value], options);
  return replies.key(key!, callback);
}

function parseBatch(text: string | undefined): unknown[] {
  if (text === undefined) throw new BrokerError('INVALID_BATCH');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BrokerError('INVALID_JSON');
  }
  if (!Array.isArray(parsed)) throw new BrokerError('INVALID_BATCH');
  return parsed;
}


function receiptParam(req: FastifyRequest): string {
  return (req.params as { receipt: string }).receipt;
}

export function registerMessageRoutes(app: FastifyInstance, service: QueueService): void {
  routes(app, '/', {
    GET: {
      schema: SCHEMAS.rootGet,
      acl: 'rest:consumer',
      handler: async (req, reply) => {
        const args = requestArgs(req);
        const queue = args.get('queue');
        if (queue === undefined) return replies.redirect(DASHBOARD_PATH);
        return takeReply(service, assertQueueName(queue), args, 404, req, reply);
      },
    },
    POST: {
      schema: SCHEMAS.rootPost,
      acl: 'rest:producer',
      handler: async (req) => {
        const args = requestArgs(req);
        const queue = args.get('queue');
        if (queue === undefined) throw new BrokerError('MISSING_ARGUMENT', 'queue is required');
        return enqueueReply(service, assertQueueName(queue), req, args);
      },
    },
  });

  const emptyName = () => {
    throw new BrokerError('INVALID_QUEUE_NAME');
  };
  // The original created a queue named "" here (R29): refused.
  routes(app, '/q/', {
    GET: { schema: SCHEMAS.list, acl: 'rest:consumer', handler: async () => replies.queueList(await service.listQueues()) },
    POST: { schema: SCHEMAS.noName, acl: 'rest:producer', handler: emptyName },
    DELETE: { schema: SCHEMAS.noName, acl: 'admin', handler: emptyName },
  });

  // Reliable delivery (SPEC section 6): acknowledge, return or prolong a leased message.
  routes(app, '/q/:queue/:receipt', {
    DELETE: {
      schema: SCHEMAS.ack,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        await service.ack(queue, receiptParam(req));
        return replies.receipt(queue, receiptParam(req), 'acked');
      },
    },
  });
  routes(app, '/q/:queue/:receipt/nack', {
    POST: {
      schema: SCHEMAS.nack,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        await service.nack(queue, receiptParam(req), parseDelaySeconds(requestArgs(req).get('delay')));
        return replies.receipt(queue, receiptParam(req), 'returned');
      },
    },
  });
  routes(app, '/q/:queue/:receipt/extend', {
    POST: {
      schema: SCHEMAS.extend,
      acl: 'rest:consumer',
      handler: async (req) => {
        const queue = queueParam(req);
        await service.extend(queue, receiptParam(req), parseLeaseSeconds(requestArgs(req).get('lease')));
        return replies.receipt(queue, receiptParam(req), 'extended');
      },
    },
  });
  // Moving writes to another queue and deletes here, as a redrive does: admin.
  routes(app, '/q/:queue/:receipt/move', {
    POST: {
      schema: SCHEMAS.move,
      acl: 'admin',
      handler: async (req) => {
        const queue = queueParam(req);
        const to = requestArgs(req).get('to');
        if (to === undefined) throw new BrokerError('MISSING_ARGUMENT', 'to is required');
        // The hook checked this queue; an API key must reach the target as well.
        await req.authorizeQueue?.('admin', assertQueueName(to));
        await service.moveLeased(queue, receiptParam(req), assertQueueName(to));
        return replies.receipt(queue, receiptParam(req), 'moved');
      },
    },
  });
  routes(app, '/q/:queue/redrive', {
    POST: {
      schema: SCHEMAS.redrive,
      acl: 'admin',
      handler: async (req) => {
        const queue = queueParam(req);
        return replies.redriven(queue, await service.redrive(queue));
      },
    },
  });

  const { GET, DELETE } = takeAndPurgeRoutes(service);
  routes(app, '/q/:queue', {
    GET,
    POST: { schema: SCHEMAS.enqueue, acl: 'rest:producer', handler: async (req) => enqueueReply(service, queueParam(req), req, requestArgs(req)) },
    DELETE,
  });
}

/** GET (take) and DELETE (purge) of `:queue`: /q/<q>, and /collectd/<q> which behaves the same. */
export function takeAndPurgeRoutes(service: QueueService): { GET: Route; DELETE: Route } {
  return {
    GET: { schema: SCHEMAS.take, acl: 'rest:consumer', handler: async (req, reply) => takeReply(service, queueParam(req), requestArgs(req), 204, req, reply) },
    DELETE: {
      schema: SCHEMAS.purge,
      acl: 'admin',
      handler: async (req) => {
        const queue = queueParam(req);
        const callback = assertCallback(requestArgs(req).get('callback'));
        return replies.purged(queue, await service.purge(queue), callback);
      },
    },
  };
}
