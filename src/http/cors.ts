/**
 * CORS (--cors-origin): off by default, so a page on another origin cannot read replies or send
 * requests that need a preflight. With a list of origins, those origins may call every route
 * with credentials (Basic auth, the auth cookie, an API key); with `*`, any origin may, but
 * browsers then send no credentials of their own (an `Authorization: Bearer` key set by the page
 * still works). Preflights are answered before the ACL: they carry no credentials by design.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { CorsOrigins } from '../config/cors-origins.js';

/** Headers a page may read besides the CORS-safelisted ones. */
const EXPOSED = ['X-RestMQ-Status', 'Retry-After', 'Location'];

/** Registers CORS; call it before the auth hook so preflights and refusals carry its headers. */
export function installCors(fastify: FastifyInstance, origins: CorsOrigins | undefined): void {
  if (origins === undefined) return;
  const allowed = new Set(origins === '*' ? [] : origins);
  void fastify.register(cors, {
    // A listed origin is echoed back; any other gets no CORS header at all (a static list would
    // still send the credentials and exposed-headers lines to it).
    origin: origins === '*' ? '*' : (origin: string | undefined, cb: (err: Error | null, allow: string | false) => void) => cb(null, origin !== undefined && allowed.has(origin) ? origin : false),
    credentials: origins !== '*',
    exposedHeaders: EXPOSED,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    maxAge: 600,
    // Preflights end here, before the auth hook: they carry no credentials.
    hook: 'onRequest',
  });
}
