/**
 * Which ACL category guards which route: the one table, keyed by the Fastify route pattern
 * (`request.routeOptions.url`) and method, mirrored by the README's table. HEAD is guarded as
 * GET. A method a route does not list (its 405 answer) is guarded as `admin`, and so is a
 * route missing from the table: the hook fails closed, and test/unit/acl-route-guards.test.ts
 * fails when a registered route is missing. `open` routes are never checked.
 */
import type { Category } from './acl-file.js';

export type Guard = Category | 'open';
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
  '/queue': { GET: OPEN, POST: P },
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
