/**
 * Sending a Reply built by protocols/replies.ts, and the route helper that answers 405 for
 * the methods a path does not serve (Fastify alone would answer 404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { replies, type Reply } from '../protocols/replies.js';

export function send(reply: FastifyReply, r: Reply): FastifyReply {
  reply.code(r.status);
  if (r.type) reply.header('content-type', r.type);
  if (r.headers) reply.headers(r.headers);
  return reply.send(r.body);
}

/** A route handler returns its Reply, or undefined when it answered itself (streams). */
export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<Reply | undefined> | Reply | undefined;

const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** Registers `handlers` on `url`; every other method gets 405 with an Allow header. */
export function routes(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<'GET' | 'POST' | 'DELETE', Handler>>,
  options: { head?: boolean } = {},
): void {
  const allowed = Object.keys(handlers) as ('GET' | 'POST' | 'DELETE')[];
  for (const method of allowed) {
    const handler = handlers[method]!;
    // HEAD only where asked (health checks): a HEAD must never run a consuming GET.
    app.route({
      method,
      url,
      exposeHeadRoute: options.head === true && method === 'GET',
      handler: async (req, reply) => {
        const r = await handler(req, reply);
        return r === undefined ? reply : send(reply, r);
      },
    });
  }
  const others = ALL_METHODS.filter((m) => !allowed.includes(m as 'GET') && !(m === 'HEAD' && options.head === true));
  app.route({
    method: others,
    url,
    handler: async (_req, reply) => {
      const r = replies.error('METHOD_NOT_ALLOWED');
      return send(reply, { ...r, headers: { allow: allowed.join(', ') } });
    },
  });
}
