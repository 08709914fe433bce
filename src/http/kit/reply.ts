/**
 * Sending a Reply built by protocols/replies.ts, and the route helper: each method with its
 * schema (validated params and arguments, documented bodies and replies, see schemas.ts), and
 * 405 for the methods a path does not serve (Fastify alone would answer 404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import { Readable } from 'node:stream';
import { replies, type ChunkedReply, type Reply } from '../../protocols/replies.js';
import type { Guard } from '../../auth/route-guards.js';
import type { Args } from './args.js';
import { argsOf } from './body.js';
import type { JsonSchema, RouteSchema } from './schemas.js';

export function send(reply: FastifyReply, r: Reply): FastifyReply {
  reply.code(r.status);
  if (r.type) reply.header('content-type', r.type);
  if (r.headers) reply.headers(r.headers);
  return reply.send(r.body);
}

/** Sends a reply piece by piece as the socket drains: a large list is never one string. */
export function sendChunks(reply: FastifyReply, r: ChunkedReply): FastifyReply {
  reply.code(r.status);
  reply.header('content-type', r.type);
  return reply.send(Readable.from(r.chunks, { objectMode: false }));
}

/** A route handler returns its Reply, or undefined when it answered itself (streams). */
export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<Reply | undefined> | Reply | undefined;

/** A handler with its schema (validated params and arguments, documented bodies and replies) and its ACL category. */
export interface Route {
  schema?: RouteSchema;
  /** Who may call it (the ACL section checked by the auth hook); kept in the route's config. */
  acl: Guard;
  handler: Handler;
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

const parsed = new WeakMap<FastifyRequest, Args>();

/** The request's arguments (argsOf), parsed once: the schema check and the handler share them. */
export function requestArgs(req: FastifyRequest): Args {
  let args = parsed.get(req);
  if (args === undefined) parsed.set(req, (args = argsOf(req)));
  return args;
}

/**
 * Arguments come from the query string and from form bodies alike (args.ts): the querystring
 * schema validates them merged, as the handler reads them. A request whose arguments do not
 * decode is left to the handler, which refuses it with the same error as before schemas.
 */
function argsAsQuery(onlyWith: string | undefined) {
  return (req: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    try {
      const args = requestArgs(req);
      req.query = onlyWith === undefined || args.has(onlyWith) ? Object.fromEntries(args) : {};
    } catch {
      req.query = {};
    }
    done();
  };
}

/**
 * Fastify route options for a schema: `validate` puts params and querystring in Fastify's
 * schema (checked before the handler runs); bodies and replies only ever go to the document
 * (config.openapi, merged by openapi.ts) so that Fastify neither parses nor serializes with them.
 */
export function schemaOptions(s: RouteSchema, validate = true): Pick<RouteOptions, 'schema' | 'config' | 'preValidation'> {
  const described = { summary: s.summary, tags: s.tags, ...(s.description === undefined ? {} : { description: s.description }) };
  const checked = { ...(s.params ? { params: s.params } : {}), ...(s.querystring ? { querystring: s.querystring } : {}) };
  const documented: OpenApiConfig = {
    ...(s.body ? { body: s.body } : {}),
    ...(s.bodyOptional ? { bodyOptional: true } : {}),
    ...(s.response ? { response: s.response } : {}),
  };
  return validate
    ? { schema: { ...described, ...checked }, config: { openapi: documented }, ...(s.querystring ? { preValidation: argsAsQuery(s.onlyWith) } : {}) }
    : { schema: described, config: { openapi: { ...checked, ...documented } } };
}

/** The documentation-only parts of a route schema, kept in its config. */
export interface OpenApiConfig {
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
  bodyOptional?: boolean;
  response?: Record<number, JsonSchema>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: OpenApiConfig;
    /** The route's ACL category (auth/route-guards.ts: absent means admin). */
    acl?: Guard;
  }
}

/** Registers `handlers` on `url`; every other method gets 405 with an Allow header. */
export function routes(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<'GET' | 'POST' | 'DELETE', Route>>,
  options: { head?: boolean } = {},
): void {
  const allowed = Object.keys(handlers) as ('GET' | 'POST' | 'DELETE')[];
  for (const method of allowed) {
    const { handler, schema, acl } = handlers[method]!;
    const documented = schema ? schemaOptions(schema) : {};
    // HEAD only where asked (health checks): a HEAD must never run a consuming GET.
    app.route({
      method,
      url,
      exposeHeadRoute: options.head === true && method === 'GET',
      ...documented,
      config: { ...documented.config, acl },
      handler: async (req, reply) => {
        const r = await handler(req, reply);
        return r === undefined ? reply : send(reply, r);
      },
    });
  }
  const notAllowed = async (_req: FastifyRequest, reply: FastifyReply) => {
    const r = replies.error('METHOD_NOT_ALLOWED');
    return send(reply, { ...r, headers: { allow: allowed.join(', ') } });
  };
  const others = ALL_METHODS.filter((m) => !allowed.includes(m as 'GET') && !(m === 'HEAD' && options.head === true));
  // A HEAD is guarded as the GET of its path, even where it answers 405.
  const headAcl = others.includes('HEAD') ? handlers.GET?.acl : undefined;
  // The 405 catch-all is not an operation of the API (hidden); a method a path does not serve is admin.
  if (headAcl !== undefined) app.route({ method: 'HEAD', url, schema: { hide: true }, config: { acl: headAcl }, handler: notAllowed });
  const rest = headAcl === undefined ? others : others.filter((m) => m !== 'HEAD');
  app.route({ method: rest, url, schema: { hide: true }, config: { acl: 'admin' }, handler: notAllowed });
}
