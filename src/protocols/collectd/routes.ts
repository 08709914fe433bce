/**
 * collectd ingest (originals.md A.13): `POST /collectd/data` stores write_http posts in queue
 * `collectd_data`, `POST /collectd/event` notifications in `collectd_event` (parse.ts shapes
 * them); the reply is the new key, `collectd_data:<n>`, as the original's. GET and DELETE on
 * `/collectd/<q>` are those of `/q/<q>`. Fixed from the original: the media type is matched
 * without its parameters (`text/plain; charset=utf-8` works), an unknown type is 415 and a
 * body that does not parse 400 (it answered 503 for both).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { QueueService } from '../../core/queue-service.js';
import { assertCallback } from '../../core/names.js';
import { BrokerError } from '../../errors.js';
import { mediaType } from '../../http/kit/body.js';
import { decodeUtf8 } from '../../http/kit/args.js';
import { requestArgs, routes } from '../../http/kit/reply.js';
import { args, failure, reply, type RouteSchema } from '../../http/kit/schemas.js';
import { replies } from '../replies.js';
import { takeAndPurgeRoutes } from '../rest/messages.js';
import { checkJson, looksLikeJson, parseNotification, parsePutvals } from './parse.js';

export const COLLECTD_QUEUES = { data: 'collectd_data', event: 'collectd_event' } as const;

const SCHEMA: RouteSchema = {
  summary: 'collectd ingest: write_http metrics (data) or a notification (event)',
  description:
    '`/collectd/data`: `text/plain` PUTVAL lines (write_http `Format Command`) become a JSON array of `{host, plugin_instance, type_instance, interval, value}`; ' +
    '`application/json` (`Format JSON`) is stored as sent. `/collectd/event`: a notification in the exec plugin\'s text format becomes ' +
    '`[{severity}, {time}, …, {event_text}]`; JSON is stored as sent. Queues: `collectd_data`, `collectd_event`.',
  tags: ['collectd'],
  // Checked by the handler: an unknown name is INVALID_COLLECTD.
  params: { type: 'object', properties: { queue: { type: 'string', description: 'data or event' } }, required: ['queue'] },
  querystring: args(['callback']),
  body: { content: { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: {} } } },
  response: { 200: reply('the new key, `collectd_data:<n>` or `collectd_event:<n>`, and CRLF', 'text/html'), 400: failure('INVALID_COLLECTD', 'INVALID_JSON', 'INVALID_UTF8'), 413: failure('PAYLOAD_TOO_LARGE'), 415: failure('UNSUPPORTED_MEDIA_TYPE') },
};

/** The message a post becomes; throws the catalogue error for a wrong name, type or body. */
export function collectdMessage(name: string, type: string, body: string): { queue: string; value: string } {
  if (name !== 'data' && name !== 'event') throw new BrokerError('INVALID_COLLECTD', 'collectd posts go to /collectd/data or /collectd/event');
  if (type !== 'text/plain' && type !== 'application/json') throw new BrokerError('UNSUPPORTED_MEDIA_TYPE', 'collectd posts are text/plain or application/json');
  const json = type === 'application/json' || (name === 'event' && looksLikeJson(body));
  const value = json ? checkJson(body) : name === 'data' ? parsePutvals(body) : parseNotification(body);
  return { queue: COLLECTD_QUEUES[name], value };
}

function bodyText(req: FastifyRequest): string {
  return Buffer.isBuffer(req.body) ? decodeUtf8(req.body) : '';
}

export function registerCollectdRoutes(app: FastifyInstance, service: QueueService): void {
  const { GET, DELETE } = takeAndPurgeRoutes(service);
  routes(app, '/collectd/:queue', {
    GET,
    POST: {
      schema: SCHEMA,
      acl: 'rest:producer',
      handler: async (req) => {
        const callback = assertCallback(requestArgs(req).get('callback'));
        const { queue, value } = collectdMessage((req.params as { queue: string }).queue, mediaType(req), bodyText(req));
        const [key] = await service.add(queue, [value]);
        return replies.key(key!, callback);
      },
    },
    DELETE,
  });
}
