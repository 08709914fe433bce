/**
 * The dashboard under /dashboard/: the page and its assets, a read-only JSON API under
 * /dashboard/api/, and the live feed (SSE). Actions on the page call the broker's own routes
 * (POST /q/<q>, DELETE /q/<q>, POST /control/<q>, POST /p/<q>, POST /q/<dlq>/redrive, the JSON
 * protocol's `del` on POST /queue), so the ACL guards them like any client's; the dashboard
 * adds no route that changes anything.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Activity } from '../core/activity.js';
import { argsOf, queueParam } from '../http/kit/body.js';
import { routes } from '../http/kit/reply.js';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../http/kit/schemas.js';
import { BrokerError } from '../errors.js';
import { parseCount } from '../core/names.js';
import { replies, type Reply } from '../protocols/replies.js';
import { loadAssets, type Asset } from './assets.js';
import { DASHBOARD_PATH } from './path.js';
import { LiveFeed } from './live-feed.js';
import { HISTORY_DEFAULTS } from './history.js';
import { listMessages } from './messages.js';
import { everyConsumer } from './registry.js';
import { deadLettersReply } from './dead-letters.js';
import { DASHBOARD_SCHEMAS as SCHEMAS } from './schemas.js';
import { listConsumers, takeSnapshot, takeSnapshotPage, type PageRequest, type SnapshotSources } from './snapshot.js';

/** Longest value text the peek returns; the page shows the size of the whole. */
const PEEK_VALUE_CHARS = 4096;
const PEEK_DEFAULT = 20;
const FEED_PERIOD_MS = 1000;

/** The page runs only its own files, cannot be framed (its buttons act), and leaks no URL. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

const serve = (a: Asset, headers: Record<string, string> = {}): Reply => ({
  status: 200,
  type: a.type,
  body: a.body,
  headers: { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', ...headers },
});

export interface DashboardOptions extends SnapshotSources {
  /** Per-queue counters the live feed turns into rates. */
  activity: Activity;
  logger: FastifyBaseLogger;
  /** The page shows no buttons that change anything (--read-only-dashboard). */
  readOnly: boolean;
}

export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardOptions): void {
  const { page, assets } = loadAssets();
  const feed = new LiveFeed(() => takeSnapshot(deps), deps.activity, deps.logger, { periodMs: FEED_PERIOD_MS, history: HISTORY_DEFAULTS });
  // Open pages never end on their own: end them before the server waits for its connections.
  app.addHook('preClose', async () => feed.close());

  routes(app, DASHBOARD_PATH, { GET: { schema: SCHEMAS.page, acl: 'rest:consumer', handler: () => serve(page, PAGE_HEADERS) } });
  routes(app, '/dashboard', { GET: { schema: SCHEMAS.redirect, acl: 'rest:consumer', handler: () => replies.redirect(DASHBOARD_PATH) } });
  routes(app, '/dashboard/assets/:name', {
    GET: {
      schema: SCHEMAS.asset,
      acl: 'rest:consumer',
      handler: (req) => {
        const asset = assets.get((req.params as { name: string }).name);
        return asset ? serve(asset) : replies.error('NOT_FOUND');
      },
    },
  });

  routes(app, '/dashboard/api/config', {
    GET: {
      schema: SCHEMAS.config,
      acl: 'rest:consumer',
      handler: () => replies.dashboard({ readOnly: deps.readOnly, store: deps.service.storeKind, periodMs: FEED_PERIOD_MS }),
    },
  });
  routes(app, '/dashboard/api/queues', { GET: { schema: SCHEMAS.queues, acl: 'rest:consumer', handler: async (req) => replies.dashboard(await takeSnapshotPage(deps, pageOf(req))) } });
  routes(app, '/dashboard/api/dead-letters', { GET: { schema: SCHEMAS.deadLetters, acl: 'rest:consumer', handler: () => deadLettersReply(deps.service) } });
  routes(app, '/dashboard/api/consumers', { GET: { schema: SCHEMAS.consumers, acl: 'rest:consumer', handler: () => replies.dashboard(listConsumers(deps)) } });
  routes(app, '/dashboard/api/consumers/all', { GET: { schema: SCHEMAS.registry, acl: 'rest:consumer', handler: () => everyConsumer(deps, feed.latest) } });
  routes(app, '/dashboard/api/queues/:queue', { GET: { schema: SCHEMAS.queue, acl: 'rest:consumer', handler: (req) => queueDetail(deps, req) } });
  routes(app, '/dashboard/api/queues/:queue/peek', { GET: { schema: SCHEMAS.peek, acl: 'rest:consumer', handler: (req) => peek(deps, req) } });
  routes(app, '/dashboard/api/queues/:queue/messages', { GET: { schema: SCHEMAS.messages, acl: 'rest:consumer', handler: (req) => listMessages(deps.service, req) } });
  routes(app, '/dashboard/api/events', { GET: { schema: SCHEMAS.events, acl: 'rest:consumer', handler: (req, reply) => openFeed(feed, req, reply) } });
}

/** `offset` (default 0) and `limit` (default DEFAULT_PAGE_LIMIT) of the queue list. */
function pageOf(req: FastifyRequest): PageRequest {
  const args = argsOf(req);
  const whole = (raw: string | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) throw new BrokerError('INVALID_PAGE');
    return n;
  };
  return { offset: whole(args.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER), limit: whole(args.get('limit'), DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT) };
}

async function queueDetail(deps: SnapshotSources, req: FastifyRequest): Promise<Reply> {
  const queue = queueParam(req);
  const [stats, settings] = await Promise.all([deps.service.stats(queue), deps.service.getSettings(queue)]);
  return replies.dashboard({
    ...stats,
    status: stats.status === 0 ? 'stopped' : 'started',
    policy: stats.policy === 2 ? 'roundrobin' : 'broadcast',
    leaseSeconds: settings.leaseSeconds ?? null,
    maxAttempts: settings.maxAttempts ?? null,
    deadLetter: settings.deadLetter ?? `${queue}.dead`,
    streaming: listConsumers(deps).filter((c) => c.queue === queue),
  });
}

/** The oldest messages, left where they are (no soft-read count, no visibility change). */
async function peek(deps: SnapshotSources, req: FastifyRequest): Promise<Reply> {
  const queue = queueParam(req);
  const count = parseCount(argsOf(req).get('count')) ?? PEEK_DEFAULT;
  const messages = await deps.service.peek(queue, count);
  return replies.dashboard({
    queue,
    messages: messages.map((m) => ({
      key: m.key,
      value: m.value.length > PEEK_VALUE_CHARS ? m.value.slice(0, PEEK_VALUE_CHARS) : m.value,
      bytes: Buffer.byteLength(m.value, 'utf8'),
      truncated: m.value.length > PEEK_VALUE_CHARS,
    })),
  });
}

function openFeed(feed: LiveFeed, req: FastifyRequest, reply: FastifyReply): undefined {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  // A reconnecting EventSource waits this long (ms) after the broker went away.
  res.write('retry: 2000\n\n');
  feed.add(res);
  req.log.debug({ listeners: feed.size }, 'dashboard feed opened');
  return undefined;
}
