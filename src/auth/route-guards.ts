/**
 * Which ACL category guards which route: the one table, keyed by the Fastify route pattern
 * (`request.routeOptions.url`) and method, mirrored by the README's table. HEAD is guarded as
 * GET. A method a route does not list (its 405 answer) is guarded as `admin`, and so is a
 * route missing from the table: the hook fails closed, and test/unit/acl-route-guards.test.ts
 * fails when a registered route is missing. `open` routes are never checked.
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
/** presque's routes by method, like the main ones: read, write, purge. */
const PRESQUE_JOBS: MethodGuards = { GET: C, POST: P, PUT: P, DELETE: A };

export const ROUTE_GUARDS: Readonly<Record<string, MethodGuards>> = {
  '/': { GET: C, POST: P },
  '/q/': { GET: C, POST: P, DELETE: A },
  '/q/:queue': { GET: C, POST: P, DELETE: A },
  // The consumer acknowledges what it took; redrive moves a whole queue: admin.
  '/q/:queue/:receipt': { DELETE: C },
  '/q/:queue/:receipt/nack': { POST: C },
  '/q/:queue/:receipt/extend': { POST: C },
  '/q/:queue/redrive': { POST: A },
  // Each command is checked with its own category (commandGuard): policy/status changes are admin.
  '/queue': { GET: OPEN, POST: 'command' },
  '/p/:queue': { GET: C, POST: A },
  '/control/': { GET: C },
  '/control/:queue': { GET: C, POST: A },
  '/stats/': { GET: C },
  '/stats/:queue': { GET: C },
  // The original left /j/ open (SPEC R18): guarded.
  '/j/:queue': { GET: C },
  // SSE on /c/ with Accept: text/event-stream is sse:consumer (guardFor).
  '/c/:queue': { GET: 'comet:consumer' },
  '/sse/:queue': { GET: 'sse:consumer' },
  '/ws/:queue': { GET: 'websocket:consumer' },
  // Load balancers and the protocol help page: never checked.
  '/health': { GET: OPEN },
  '/ready': { GET: OPEN },
  '/static/help.html': { GET: OPEN },
  '/static/index.html': { GET: OPEN },
  '/metrics': { GET: C },
  '/openapi.json': { GET: C },
  '/authkeys': { GET: A, POST: A },
  '/authkeys/:hash': { DELETE: A },
  '/presque': { GET: C },
  '/presque/': { GET: C },
  '/presque/q/*': PRESQUE_JOBS,
  '/presque/qb/*': PRESQUE_JOBS,
  '/presque/j/*': { GET: C },
  '/presque/status/*': { GET: C },
  '/presque/control/*': { GET: C, POST: A },
  // SQS queue URLs: each action is checked on its own (protocols/sqs).
  '/:account/:queue': { GET: 'command', POST: 'command' },
  // Workers register and unregister themselves: consumers.
  '/presque/w/*': { GET: C, POST: C, DELETE: C },
};

/** Families of routes added by plugins (dashboard pages and actions, the OpenAPI docs UI). */
const PREFIX_GUARDS: readonly [string, MethodGuards][] = [
  ['/dashboard', { GET: C, POST: A, PUT: A, DELETE: A }],
  ['/docs', { GET: C }],
];

function table(url: string): MethodGuards | undefined {
  const exact = ROUTE_GUARDS[url];
  if (exact) return exact;
  return PREFIX_GUARDS.find(([prefix]) => url === prefix || url.startsWith(prefix + '/'))?.[1];
}

/** Whether a registered route pattern has an entry (exact or by prefix). */
export function isKnownRoute(url: string): boolean {
  return table(url) !== undefined;
}

/**
 * The guard of a request. `url` undefined means no route matched (a 404 reveals nothing:
 * open). `accept` picks sse:consumer for SSE on the COMET route.
 */
export function guardFor(method: string, url: string | undefined, accept?: string): Guard {
  if (url === undefined) return OPEN;
  const guards = table(url);
  if (!guards) return A;
  const m = (method === 'HEAD' ? 'GET' : method) as Method;
  const guard = guards[m] ?? A;
  if (guard === 'comet:consumer' && (accept ?? '').includes('text/event-stream')) return 'sse:consumer';
  return guard;
}

/**
 * JSON-protocol commands carry their own category, because one route (POST /queue, or a
 * WebSocket's text frames) runs them all. Setting a policy or a status is admin everywhere.
 * - POST /queue: every other command is rest:producer, the original's category for the whole
 *   protocol (old clients `take` through it with producer credentials).
 * - WebSocket frames: the socket passed websocket:consumer; `add` needs rest:producer, the
 *   rest (get, take, lease, ack, del, len, stats) is a consumer's and needs nothing more.
 */
export function commandGuard(via: 'json' | 'ws', command: { cmd?: unknown; policy?: unknown; status?: unknown }): Category | 'open' {
  const sets = (command.cmd === 'policy' && command.policy !== undefined) || (command.cmd === 'status' && command.status !== undefined);
  if (sets) return A as Category;
  if (via === 'json' || command.cmd === 'add') return P as Category;
  return OPEN as 'open';
}
