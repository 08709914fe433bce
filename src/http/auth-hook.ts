/**
 * The one auth hook (onRequest): ACL file rules and API keys for every route, streaming ones
 * included (@fastify/websocket runs onRequest on the upgrade request, so a refused handshake
 * gets its HTTP 401 before any upgrade). The route's category is in its config (`acl`, read through
 * auth/route-guards.ts, which guards a route without one as admin),
 * the decision from auth/acl.ts; then, when the section asks for a password:
 * - Basic auth (every route), or the `auth=user:password` cookie (streaming routes), or
 * - an API key (`Authorization: Bearer` or `?authkey=`) with the category's privilege on the
 *   request's queue: an unknown key is 401, a known key without the right is 403.
 * Without --acl nothing is checked (the original's default). Nothing here logs or echoes a
 * credential.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Category, SectionRules } from '../auth/acl-file.js';
import { decide, sectionFor, type Decision } from '../auth/acl.js';
import { AclWatch } from '../auth/acl-watch.js';
import { decodeRecord, hashKey, keyAllows, privilegeFor } from '../auth/authkeys.js';
import { credentialsMatch, parseAuthCookie, parseBasic, parseBearer, type UserPassword } from '../auth/credentials.js';
import { commandGuard, guardFor, isKnownRoute } from '../auth/route-guards.js';
import type { Config } from '../config/load.js';
import { BrokerError, type ErrorCode } from '../errors.js';
import type { BrokerMetrics } from '../metrics/registry.js';
import type { AuthKeyStore } from '../storage/authkey-contract.js';
import { replies } from '../protocols/replies.js';
import { parseForm, queryOf } from './kit/args.js';
import { send } from './kit/reply.js';

const STREAMING: ReadonlySet<Category> = new Set(['comet:consumer', 'websocket:consumer', 'sse:consumer']);

/** The queue a request is about, when its URL names one: `:queue`, presque's `*`, `GET /?queue=`. */
export function queueOfRequest(req: FastifyRequest): string | undefined {
  const params = (req.params ?? {}) as Record<string, string | undefined>;
  if (params['queue'] !== undefined) return params['queue'];
  const url = req.routeOptions.url ?? '';
  if (url.startsWith('/presque/') && !url.startsWith('/presque/w/') && params['*']) return params['*'];
  if (url === '/' && req.method !== 'POST') {
    try {
      return parseForm(queryOf(req.url)).get('queue');
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function apiKeyOf(req: FastifyRequest): string | undefined {
  const bearer = parseBearer(req.headers.authorization);
  if (bearer !== undefined) return bearer;
  try {
    return parseForm(queryOf(req.url)).get('authkey');
  } catch {
    return undefined;
  }
}

type Outcome = 'ok' | Extract<ErrorCode, 'AUTH_REQUIRED' | 'FORBIDDEN'>;

type KeyLookup = Pick<AuthKeyStore, 'getAuthKey'>;

async function authenticate(req: FastifyRequest, category: Category, section: SectionRules, keys: KeyLookup, queue = queueOfRequest(req)): Promise<Outcome> {
  const given: (UserPassword | undefined)[] = [parseBasic(req.headers.authorization)];
  // The cookie is a streaming credential: a WebSocket's commands are checked with it too.
  if (STREAMING.has(category) || req.ws) given.push(parseAuthCookie(req.headers.cookie));
  for (const g of given) if (g && credentialsMatch(g, section.username ?? '', section.password ?? '')) return 'ok';
  const key = apiKeyOf(req);
  if (key === undefined) return 'AUTH_REQUIRED';
  const stored = await keys.getAuthKey(hashKey(key));
  const record = stored === null ? null : decodeRecord(stored);
  if (!record) return 'AUTH_REQUIRED';
  return keyAllows(record, privilegeFor(category), queue) ? 'ok' : 'FORBIDDEN';
}

/** What only an SQS client sends: its target header, its JSON media type, or a SigV4 signature. */
function looksLikeSqs(req: FastifyRequest): boolean {
  return req.headers['x-amz-target'] !== undefined || (req.headers['content-type'] ?? '').startsWith('application/x-amz-json')
    || (req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
}

const DENIAL_REASON = { ACCESS_DENIED: 'ip', AUTH_REQUIRED: 'auth', FORBIDDEN: 'forbidden' } as const;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Checks one JSON-protocol command against the ACL (throws ACCESS_DENIED, AUTH_REQUIRED or
     * FORBIDDEN). Set by the auth hook when the broker runs with --acl; absent otherwise.
     */
    authorizeCommand?: (via: 'json' | 'ws' | 'xmlrpc', command: { cmd?: unknown; queue?: unknown; policy?: unknown; status?: unknown }) => Promise<void>;
    /** The ACL's decision for a category at this request's address (SQS checks each action
     *  with it, protocols/sqs/auth.ts). Set by the auth hook with --acl; absent otherwise. */
    aclSection?: (category: Category) => { decision: Decision; section: SectionRules | undefined };
    /** Checks a category on a second queue a request names (the target of a move), as the
     *  route's own queue was checked (throws as authorizeCommand). Absent without --acl. */
    authorizeQueue?: (category: Category, queue: string) => Promise<void>;
    /** True when the hook left this request to the SQS API's own check (SigV4). */
    sqsDeferred?: boolean;
  }
}

export interface AuthOptions {
  /** The ACL file (--acl); without it nothing is checked. */
  config: Pick<Config, 'acl'>;
  /** API key records, looked up by hash. */
  authkeys: KeyLookup;
  logger: FastifyBaseLogger;
  /** Counts refusals by reason, when the broker keeps metrics. */
  metrics?: Pick<BrokerMetrics, 'aclDenied'>;
}

export function installAuth(app: FastifyInstance, deps: AuthOptions): void {
  // Every route added after this hook states its category (config.acl), or says so at start.
  app.addHook('onRoute', (route) => {
    if (!isKnownRoute(route.url, route.config?.acl)) deps.logger.warn({ url: route.url }, 'route without an ACL category: guarded as admin');
  });
  if (deps.config.acl === undefined) return;
  const acl = new AclWatch(deps.config.acl, deps.logger);
  acl.start();
  app.addHook('onClose', async () => acl.stop());
  /** 'ok' or the refusal (counted), for a category on a request (or one of its commands' queue). */
  const check = async (req: FastifyRequest, guard: Category, queue?: string): Promise<'ok' | keyof typeof DENIAL_REASON> => {
    const section = sectionFor(acl.rules, guard);
    const decision = decide(section, req.ip);
    if (decision === 'allow') return 'ok';
    const outcome = decision === 'deny' || !section ? 'ACCESS_DENIED' : await authenticate(req, guard, section, deps.authkeys, queue ?? queueOfRequest(req));
    if (outcome !== 'ok') deps.metrics?.aclDenied(DENIAL_REASON[outcome]);
    return outcome;
  };
  app.addHook('onRequest', async (req, reply) => {
    // Commands run through one route (POST /queue, WebSocket frames) are checked one by one.
    req.authorizeCommand = async (via, command) => {
      const guard = commandGuard(via, command);
      if (guard === 'open') return;
      const outcome = await check(req, guard, typeof command.queue === 'string' ? command.queue : undefined);
      if (outcome !== 'ok') throw new BrokerError(outcome);
    };
    req.authorizeQueue = async (category, queue) => {
      const outcome = await check(req, category, queue);
      if (outcome !== 'ok') throw new BrokerError(outcome);
    };
    req.aclSection = (category) => {
      const section = sectionFor(acl.rules, category);
      return { decision: decide(section, req.ip), section };
    };
    // SQS requests at `/` are checked per action by protocols/sqs (SigV4 is not a REST credential).
    if (req.routeOptions.url === '/' && looksLikeSqs(req)) {
      req.sqsDeferred = true;
      return;
    }
    const guard = guardFor(req.method, req.routeOptions.url, req.routeOptions.config.acl, req.headers.accept);
    if (guard === 'open' || guard === 'command') return;
    const outcome = await check(req, guard);
    // replies.error adds the Basic challenge to AUTH_REQUIRED.
    if (outcome !== 'ok') return send(reply, replies.error(outcome));
  });
}
