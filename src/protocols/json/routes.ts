/** `POST /queue` (the JSON protocol) and `GET /queue` (302 to the protocol's help page). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors.js';
import type { QueueService } from '../../core/queue-service.js';
import { rawBody } from '../../http/kit/body.js';
import { requestArgs, routes } from '../../http/kit/reply.js';
import { replies } from '../replies.js';
import { parseCommand, runCommand } from './commands.js';
import { returnIfUnwritten } from '../undelivered.js';
import type { Json } from '../json-text.js';
import { args, empty, failure, json, type RouteSchema } from '../../http/kit/schemas.js';

export const HELP_PATH = '/static/help.html';

const command = {
  type: 'object',
  required: ['cmd'],
  properties: {
    cmd: { type: 'string', enum: ['add', 'get', 'take', 'del', 'drop', 'lease', 'ack', 'nack', 'extend', 'len', 'stats', 'policy', 'status'] },
    queue: { type: 'string' },
    value: { type: 'string' },
  },
  additionalProperties: true,
  example: { cmd: 'add', queue: 'orders', value: 'hello' },
};

const SCHEMAS = {
  help: { summary: 'The JSON protocol help page', tags: ['json'], response: { 302: empty(`to ${HELP_PATH}`) } },
  run: {
    summary: 'Run a JSON protocol command',
    description: 'The command comes from the form field `msg`, else `body`, else the raw JSON body.',
    tags: ['json'],
    querystring: args(['msg', 'body']),
    bodyOptional: true,
    body: {
      content: {
        'application/json': { schema: command },
        'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { body: { type: 'string', description: 'the command as JSON text' }, msg: { type: 'string' } } } },
      },
    },
    response: {
      200: json('the command result (or `{"error": ...}` for an unknown command or value)'),
      400: failure('MISSING_ARGUMENT', 'INVALID_JSON', 'INVALID_COMMAND', 'INVALID_QUEUE_NAME', 'INVALID_KEY', 'INVALID_RECEIPT', 'INVALID_LEASE', 'INVALID_COUNT', 'INVALID_TTL', 'INVALID_WAIT'),
      404: failure('QUEUE_NOT_FOUND'),
      409: failure('STALE_RECEIPT'),
    },
  },
} satisfies Record<string, RouteSchema>;

/** A `take` whose reply cannot be written gives its message back (see undelivered.ts). */
function returnTaken(service: QueueService, result: Json, req: FastifyRequest, reply: FastifyReply): void {
  const r = result as { queue?: unknown; key?: unknown; value?: unknown };
  if (typeof r.queue === 'string' && typeof r.key === 'string' && typeof r.value === 'string') {
    returnIfUnwritten(service, r.queue, [{ key: r.key, value: r.value }], req, reply);
  }
}

export function registerJsonRoutes(app: FastifyInstance, service: QueueService): void {
  routes(app, '/queue', {
    GET: { schema: SCHEMAS.help, acl: 'open', handler: () => replies.redirect(HELP_PATH) },
    POST: {
      schema: SCHEMAS.run,
      acl: 'command',
      handler: async (req, reply) => {
        const args = requestArgs(req);
        // The original reads the `msg` field, else `body`; we also take a raw JSON body.
        const text = args.get('msg') ?? args.get('body') ?? rawBody(req);
        if (text === undefined) throw new BrokerError('MISSING_ARGUMENT', 'a JSON command is required (form field body or msg, or a JSON body)');
        const command = parseCommand(text);
        await req.authorizeCommand?.('json', command);
        // A client that goes away stops a waiting take (`wait`).
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        const result = await runCommand(service, command, gone.signal);
        if (command['cmd'] === 'take') returnTaken(service, result, req, reply);
        return replies.command(result);
      },
    },
  });
}
