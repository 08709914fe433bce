/**
 * The HTTP side of presque under its prefix: the route helper (presque's 405), its error
 * handler (`{"error"}` bodies, never a bare 500 for bad input), its body parsers, and the
 * readers of names, headers, bodies and query parameters.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Guard } from '../../auth/route-guards.js';
import { isBrokerError } from '../../errors.js';
import { assertQueueName } from '../../core/names.js';
import { decodeUtf8, parseForm, queryOf, type Args } from '../../http/kit/args.js';
import { toBrokerError } from '../../http/kit/errors.js';
import { schemaOptions, send } from '../../http/kit/reply.js';
import type { RouteSchema } from '../../http/kit/schemas.js';
import type { Reply } from '../replies.js';
import { MESSAGES, presqueReplies } from './replies.js';

/** A presque error: its status and `{"error": message}`. */
export class PresqueError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PresqueError';
  }
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
export type PresqueHandler = (req: FastifyRequest) => Promise<Reply> | Reply;
const ALL: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];

/** Registers handlers on `url` with each method's ACL category (a GET's HEAD is guarded as the GET);
 *  other methods get presque's 405, guarded as admin. A GET without an explicit HEAD answers HEAD
 *  itself (only for read-only routes: consuming routes give their own HEAD). */
export function presqueRoutes<M extends Method>(
  app: FastifyInstance,
  url: string,
  handlers: Record<M, PresqueHandler>,
  acl: Record<M, Guard>,
  docs: Partial<Record<Method, RouteSchema>> | 'hidden' = {},
): void {
  const methods = Object.keys(handlers) as M[];
  const served: Partial<Record<Method, PresqueHandler>> = handlers;
  for (const method of methods) {
    const handler = handlers[method];
    const schema = docs === 'hidden' ? undefined : docs[method];
    // Documented, not validated: presque answers bad input with its own codes and bodies.
    const documented = docs === 'hidden' ? { schema: { hide: true } } : schema ? schemaOptions(schema, false) : {};
    app.route({
      method,
      url,
      exposeHeadRoute: method === 'GET' && served.HEAD === undefined,
      ...documented,
      config: { ...documented.config, acl: acl[method] },
      handler: async (req, reply) => send(reply, await handler(req)),
    });
  }
  const allowed: Method[] = served.GET && !served.HEAD ? [...methods, 'HEAD'] : methods;
  const others = [...ALL, 'PATCH' as const, 'OPTIONS' as const].filter((m) => !allowed.includes(m as Method));
  app.route({ method: others, url, schema: { hide: true }, config: { acl: 'admin' }, handler: async (_req, reply) => send(reply, presqueReplies.methodNotAllowed(allowed)) });
}

export function installPresqueHttp(app: FastifyInstance, bodyLimit: number): void {
  // Every body is kept raw; the routes check the content type as presque does (a substring).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
    done(null, body),
  );
  app.setErrorHandler((err, req, reply: FastifyReply) => {
    if (err instanceof PresqueError) return send(reply, presqueReplies.error(err.status, err.message));
    const known = isBrokerError(err) ? err : toBrokerError(err);
    if (known) return send(reply, presqueReplies.error(known.status, known.message));
    req.log.error({ err }, 'unhandled error (presque)');
    return send(reply, presqueReplies.error(500, 'internal error'));
  });
  app.setNotFoundHandler((_req, reply) => send(reply, presqueReplies.notFound()));
}

/** The queue name from a `/x/*` route: 404 when empty (presque), 400 when invalid. */
export function queueOf(req: FastifyRequest): string {
  // `/w` (no slash, no wildcard) names no queue, as `/w/`.
  const name = (req.params as { '*'?: string })['*'] ?? '';
  if (name === '') throw new PresqueError(404, MESSAGES.nameMissing);
  return assertQueueName(name);
}

export function workerOf(req: FastifyRequest): string | undefined {
  const h = req.headers['x-presque-workerid'];
  const id = Array.isArray(h) ? h[0] : h;
  return id === undefined || id === '' ? undefined : id;
}

export function queryArgs(req: FastifyRequest): Args {
  return parseForm(queryOf(req.url));
}

/** The body as strict UTF-8 text, or '' when there is none. */
export function bodyText(req: FastifyRequest): string {
  return Buffer.isBuffer(req.body) && req.body.length > 0 ? decodeUtf8(req.body) : '';
}

/** POST and PUT on /q and /qb: content type containing application/json, a non-empty body. */
export function jobContent(req: FastifyRequest): string {
  if (!(req.headers['content-type'] ?? '').toLowerCase().includes('application/json')) throw new PresqueError(400, MESSAGES.contentType);
  const text = bodyText(req);
  if (text === '') throw new PresqueError(400, MESSAGES.jobMissing);
  return text;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PresqueError(400, MESSAGES.invalidJson);
  }
}

/** `delayed`: an absolute epoch time in seconds; absent, empty or 0 for now. → delayMs. */
export function delayOf(args: Args, now = Date.now()): number | undefined {
  const raw = args.get('delayed');
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  if (!/^\d{1,12}(\.\d{1,6})?$/.test(raw)) throw new PresqueError(400, 'delayed must be an epoch time in seconds');
  const ms = Math.ceil(Number(raw) * 1000 - now);
  if (ms > 366 * 24 * 3600 * 1000) throw new PresqueError(400, 'delayed is more than a year away');
  return ms > 0 ? ms : undefined;
}

/** `batch_size` on GET /qb: 1 to 100, default 10. */
export function batchSizeOf(args: Args): number {
  const raw = args.get('batch_size');
  if (raw === undefined || raw === '' || raw === '0') return 10;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new PresqueError(400, 'batch_size must be a whole number between 1 and 100');
  return n;
}
