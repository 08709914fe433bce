/**
 * Which ACL category guards a route. Each route states its own where it is declared, beside its
 * schema, in its Fastify route config (`config.acl`: http/kit's routes() and presque's route
 * helper put it there). This module holds the rules around those declarations:
 * - fail closed: a route that states no category is guarded as `admin`, and the auth hook logs
 *   it at start (test/e2e/acl-reload.test.ts fails when the real broker registers one). The 405
 *   answer of a method a path does not serve states `admin`; its HEAD is guarded as the GET.
 * - routes added by plugins (the OpenAPI docs page) are guarded by their path prefix here;
 * - SSE on the COMET route is sse:consumer;
 * - JSON-protocol commands carry their own category (commandGuard).
 * `open` routes are never checked. The README's table of categories lists the same, by route.
 */
import type { Category } from './acl-file.js';

/** `command`: the route runs JSON-protocol commands, each checked by commandGuard in its handler. */
export type Guard = Category | 'open' | 'command';
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type MethodGuards = Partial<Record<Method, Guard>>;

const C: Guard = 'rest:consumer';
const P: Guard = 'rest:producer';
const A: Guard = 'admin';
const OPEN: Guard = 'open';

/** Families of routes added by plugins, which state no category of their own. */
const PLUGIN_GUARDS: readonly [string, MethodGuards][] = [['/docs', { GET: C }]];

function pluginGuard(method: string, url: string): Guard | undefined {
  const guards = PLUGIN_GUARDS.find(([prefix]) => url === prefix || url.startsWith(prefix + '/'))?.[1];
  return guards?.[(method === 'HEAD' ? 'GET' : method) as Method];
}

/** Whether a route pattern has a category: its own (`declared`), or its plugin family's. */
export function isKnownRoute(url: string, declared: Guard | undefined): boolean {
  return declared !== undefined || PLUGIN_GUARDS.some(([prefix]) => url === prefix || url.startsWith(prefix + '/'));
}

/**
 * The guard of a request: the route's declared category, else its plugin family's, else admin.
 * `url` undefined means no route matched (a 404 reveals nothing: open). `accept` picks
 * sse:consumer for SSE on the COMET route.
 */
export function guardFor(method: string, url: string | undefined, declared: Guard | undefined, accept?: string): Guard {
  if (url === undefined) return OPEN;
  const guard = declared ?? pluginGuard(method, url) ?? A;
  if (guard === 'comet:consumer' && (accept ?? '').includes('text/event-stream')) return 'sse:consumer';
  return guard;
}

/**
 * JSON-protocol commands carry their own category, because one route (POST /queue, or a
 * WebSocket's text frames) runs them all. Setting a policy or a status, and `drop` (deleting the
 * queue), are admin everywhere.
 * - POST /queue: every other command is rest:producer, the original's category for the whole
 *   protocol (old clients `take` through it with producer credentials).
 * - XML-RPC calls: `set` is rest:producer, the reads rest:consumer.
 * - WebSocket frames: the socket passed websocket:consumer; `add` needs rest:producer, the
 *   rest (get, take, lease, ack, del, len, stats) is a consumer's and needs nothing more.
 */
export function commandGuard(via: 'json' | 'ws' | 'xmlrpc', command: { cmd?: unknown; policy?: unknown; status?: unknown }): Category | 'open' {
  const sets = (command.cmd === 'policy' && command.policy !== undefined) || (command.cmd === 'status' && command.status !== undefined) ||
    command.cmd === 'drop';
  if (sets) return A as Category;
  if (via === 'json' || command.cmd === 'add') return P as Category;
  // XML-RPC's route is open to every call: its reads need a consumer's rights.
  if (via === 'xmlrpc') return C as Category;
  return OPEN as 'open';
}
