/**
 * The SQS API on the broker's port. Requests are told apart from RestMQ's by what SQS always
 * sends and RestMQ never needs:
 * - AWS JSON 1.0: `POST /` with `X-Amz-Target: AmazonSQS.<Action>` or
 *   `Content-Type: application/x-amz-json-1.0` (a content type RestMQ refuses with 415);
 * - query protocol: `POST /` (form) or `GET /` whose arguments have `Action` and no `queue`
 *   (RestMQ's `/` always needs `queue`);
 * - either protocol at a queue URL `/<12-digit account>/<queue>` (no RestMQ route has that shape).
 * Errors take SQS's shapes: JSON `{"__type", "message"}` with `x-amzn-query-error:
 * <query code>;Sender|Receiver` (query-compatible SDKs read their error code from it), or the
 * query protocol's `<ErrorResponse>`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QueueService } from '../../core/queue-service.js';
import { isValidQueueName } from '../../core/names.js';
import { envelopeLimit, mediaType, FORM } from '../../http/kit/body.js';
import { queryOf } from '../../http/kit/args.js';
import { send } from '../../http/kit/reply.js';
import { replies } from '../replies.js';
import { SqsError } from './errors.js';
import { parseQueryForm, toJsonInput } from './query-input.js';
import { xmlError, xmlResponse } from './xml.js';
import { QUEUE_ACTIONS } from './queue-actions.js';
import { MESSAGE_ACTIONS, toSqsError } from './message-actions.js';
import { DEFAULT_REGION } from './queue-attributes.js';
import { queueOfUrl, type Input, type SqsContext } from './context.js';
import { authorize, type KeyRecords } from './auth.js';
import { nameOfArn } from './queue-attributes.js';

export const AMZ_JSON = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';
const ACTIONS = { ...QUEUE_ACTIONS, ...MESSAGE_ACTIONS };
const ACCOUNT = /^\d{12}$/;

export interface SqsDeps {
  service: QueueService;
  authkeys: KeyRecords;
  maxMessageBytes: number;
}

interface SqsRequest {
  protocol: 'json' | 'query';
  action: string;
  input: Input;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function bodyText(req: FastifyRequest): string {
  return Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
}

/** The SQS request this HTTP request carries, or undefined when it is RestMQ's. */
export function sqsRequestOf(req: FastifyRequest, atQueueUrl: boolean): SqsRequest | undefined {
  const target = header(req, 'x-amz-target');
  if (target?.startsWith(TARGET_PREFIX) || mediaType(req) === AMZ_JSON) {
    let input: unknown = {};
    const text = bodyText(req);
    try {
      if (text.trim() !== '') input = JSON.parse(text);
    } catch {
      return { protocol: 'json', action: '', input: { __malformed: true } };
    }
    const action = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    return { protocol: 'json', action, input: typeof input === 'object' && input !== null ? (input as Input) : {} };
  }
  if (req.method !== 'GET' && req.method !== 'POST') return undefined;
  const query = queryOf(req.url);
  const form = req.method === 'POST' && mediaType(req) === FORM ? bodyText(req) : '';
  if (!atQueueUrl && !/(^|&)Action=/.test(query) && !/(^|&)Action=/.test(form)) return undefined;
  const tree = parseQueryForm(query + (query && form ? '&' : '') + form);
  if (!atQueueUrl && (tree['queue'] !== undefined || typeof tree['Action'] !== 'string')) return undefined;
  const { Action, Version: _version, ...rest } = tree;
  return { protocol: 'query', action: typeof Action === 'string' ? Action : '', input: toJsonInput(rest) };
}

/** The queue an action is about, for the ACL (undefined: every queue, as ListQueues). */
function queueToAuthorize(r: SqsRequest, pathQueue: string | undefined): string | undefined {
  const text = (name: string) => (typeof r.input[name] === 'string' ? (r.input[name] as string) : undefined);
  try {
    const url = text('QueueUrl');
    if (url !== undefined) return queueOfUrl(url);
    const name = text('QueueName') ?? (text('SourceArn') === undefined ? undefined : nameOfArn(text('SourceArn')!, 'SourceArn'));
    return name ?? pathQueue;
  } catch {
    return pathQueue;
  }
}

/** The region a SigV4 credential scope names (queue ARNs carry it), else us-east-1. */
function regionOf(req: FastifyRequest): string {
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/sqs\//.exec(header(req, 'authorization') ?? '');
  return m?.[1] ?? DEFAULT_REGION;
}

async function answer(deps: SqsDeps, req: FastifyRequest, reply: FastifyReply, r: SqsRequest, pathQueue?: string): Promise<FastifyReply> {
  const requestId = randomUUID();
  const gone = new AbortController();
  const socket = req.raw.socket;
  const onClose = () => gone.abort();
  socket?.once('close', onClose);
  try {
    if (r.input['__malformed']) throw new SqsError('InvalidParameterValue', 'The request body is not valid JSON.');
    const run = Object.hasOwn(ACTIONS, r.action) ? ACTIONS[r.action] : undefined;
    if (!run) throw new SqsError('InvalidAction', `The action ${r.action || '(none)'} is not valid for this endpoint.`);
    await authorize(req, deps.authkeys, r.action, queueToAuthorize(r, pathQueue));
    const ctx: SqsContext = {
      service: deps.service, input: r.input, origin: `${req.protocol}://${req.host}`, region: regionOf(req),
      brokerMax: deps.maxMessageBytes, signal: gone.signal, ...(pathQueue === undefined ? {} : { pathQueue }),
    };
    const output = await run(ctx);
    reply.header('x-amzn-requestid', requestId);
    if (r.protocol === 'json') return send(reply, { status: 200, type: AMZ_JSON, body: JSON.stringify(output) });
    return send(reply, { status: 200, type: 'text/xml', body: xmlResponse(r.action, output, requestId) });
  } catch (err) {
    const e = toSqsError(err);
    if (e.code === 'InternalFailure') req.log.error({ err }, 'SQS action failed');
    reply.header('x-amzn-requestid', requestId);
    if (r.protocol === 'json') {
      reply.header('x-amzn-query-error', `${e.queryCode};${e.fault}`);
      return send(reply, { status: e.status, type: AMZ_JSON, body: JSON.stringify({ __type: `com.amazonaws.sqs#${e.code}`, message: e.message }) });
    }
    return send(reply, { status: e.status, type: 'text/xml', body: xmlError(e, requestId) });
  } finally {
    socket?.off('close', onClose);
  }
}

export function registerSqsRoutes(app: FastifyInstance, deps: SqsDeps): void {
  app.addContentTypeParser(AMZ_JSON, { parseAs: 'buffer', bodyLimit: envelopeLimit(deps) }, (_req, body, done) => done(null, body));
  // `/` is RestMQ's route; SQS requests to it are answered before its schema and handler run.
  app.addHook('preValidation', async (req, reply) => {
    if (req.routeOptions.url !== '/') return;
    const r = sqsRequestOf(req, false);
    if (r) return answer(deps, req, reply, r);
    // Let through unchecked by the auth hook as SQS, but RestMQ's: refused, never run unchecked.
    if (req.sqsDeferred) return send(reply, replies.error('AUTH_REQUIRED'));
  });
  const atQueueUrl = async (req: FastifyRequest, reply: FastifyReply) => {
    const { account, queue } = req.params as { account: string; queue: string };
    if (!ACCOUNT.test(account)) return send(reply, replies.error('NOT_FOUND'));
    const r = sqsRequestOf(req, true);
    if (!r) return send(reply, replies.error('NOT_FOUND'));
    return answer(deps, req, reply, r, isValidQueueName(queue) ? queue : undefined);
  };
  // Each action is checked on its own (auth.ts): the hook leaves the route to it.
  app.route({ method: ['GET', 'POST'], url: '/:account/:queue', schema: { hide: true }, config: { acl: 'command' }, handler: atQueueUrl });
}
