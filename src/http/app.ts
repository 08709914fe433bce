/**
 * buildApp: the composition root of the HTTP side. It builds the Fastify application with every
 * route, the body parsers, the error handler and one log line per request, handing each
 * registrar only the parts it uses. It does not listen; main.ts (its only importer) does.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { RequestLog } from './request-log.js';
import websocket from '@fastify/websocket';
import type { Config } from '../config/load.js';
import type { Activity } from '../core/activity.js';
import type { Distributor } from '../core/distributor.js';
import type { QueueService } from '../core/queue-service.js';
import type { AuthKeyStore } from '../storage/authkey-contract.js';
import { registerMessageRoutes } from '../protocols/rest/messages.js';
import { registerAdminRoutes } from '../protocols/rest/admin.js';
import { registerStatsRoutes } from '../protocols/rest/stats.js';
import { registerJsonRoutes } from '../protocols/json/routes.js';
import { registerPresqueRoutes } from '../protocols/presque/routes.js';
import { registerXmlRpcRoutes } from '../protocols/xmlrpc/routes.js';
import { registerCollectdRoutes } from '../protocols/collectd/routes.js';
import { registerHttpStreamRoutes } from '../protocols/stream/http-stream.js';
import { registerWebSocketRoute } from '../protocols/stream/ws.js';
import { replies } from '../protocols/replies.js';
import { envelopeLimit, registerBodyParsers } from './kit/body.js';
import { send } from './kit/reply.js';
import { installErrorHandling, toBrokerError } from './kit/errors.js';
import { closeFailedUpgrades, closeIfUpgrade } from './failed-upgrades.js';
import { installCors } from './cors.js';
import { registerOpsRoutes } from './ops.js';
import { installAuth } from './auth-hook.js';
import { registerAuthkeyRoutes } from './authkey-routes.js';
import { installLimits, serverOptions } from './limits.js';
import { registerOpenApi } from './openapi.js';
import { registerMetricsRoutes } from '../metrics/routes.js';
import type { BrokerMetrics } from '../metrics/registry.js';
import { registerDashboardRoutes } from '../dashboard/routes.js';
import { registerSqsRoutes } from '../protocols/sqs/routes.js';

export interface AppDeps {
  config: Readonly<Config>;
  /** Per-queue counters shared by the core parts (metrics, dashboard rates). */
  activity: Activity;
  service: QueueService;
  /** API key records, for the auth hook and the /authkeys routes. */
  authkeys: AuthKeyStore;
  /** The front door of every streaming consumer (leased or not). */
  distributor: Distributor;
  logger: FastifyBaseLogger;
  maxMessageBytes: number;
  /** Proxies (addresses/CIDRs, comma-separated) whose X-Forwarded-For is believed. */
  trustProxy?: string;
  /** The broker's metrics (main.ts also times the store with it); absent: the route makes its own. */
  metrics?: BrokerMetrics;
}

export interface App {
  fastify: FastifyInstance;
  /** Marks the broker as stopping: /ready answers 503 so balancers drain it. */
  beginShutdown(): void;
}

export function buildApp(deps: AppDeps): App {
  const state = { shuttingDown: false };
  const fastify = Fastify({
    loggerInstance: deps.logger,
    logController: new RequestLog(deps.config.accessLog),
    // Requests log through the broker's logger itself: a child logger per request (for its
    // reqId) costs an allocation on every message, and the lines carry method and path.
    childLoggerFactory: (logger) => logger,
    routerOptions: { maxParamLength: 512 },
    // Errors Fastify raises before routing use the catalogue too: a malformed %-escape in the
    // path (400), a path segment over maxParamLength (414).
    frameworkErrors: (err, req, reply) => {
      const known = toBrokerError(err);
      void send(reply, replies.error(known?.code ?? 'INTERNAL'));
      // No hook runs for these: a WebSocket handshake with a bad path must be closed here.
      closeIfUpgrade(req, reply);
    },
    // The request timeout guards against clients that never finish sending.
    requestTimeout: 60_000,
    return503OnClosing: true,
    ...(deps.trustProxy ? { trustProxy: deps.trustProxy } : {}),
    // TLS, header size, header timeout: the network edge (limits.ts).
    ...serverOptions(deps.config),
  });
  // OpenAPI first: it collects the schemas of the routes added after it.
  registerOpenApi(fastify, { secured: deps.config.acl !== undefined });
  // Hooks first: failed WebSocket handshakes closed, limits, then the one auth hook that guards every route below.
  closeFailedUpgrades(fastify);
  installCors(fastify, deps.config.corsOrigins);
  installLimits(fastify, deps.config);
  installAuth(fastify, deps);
  registerAuthkeyRoutes(fastify, deps.authkeys);
  registerBodyParsers(fastify, { maxMessageBytes: deps.maxMessageBytes });
  installErrorHandling(fastify);
  registerMessageRoutes(fastify, deps.service);
  registerAdminRoutes(fastify, deps.service);
  registerStatsRoutes(fastify, deps.service);
  registerJsonRoutes(fastify, deps.service);
  registerOpsRoutes(fastify, deps.service, state);
  registerPresqueRoutes(fastify, deps.service);
  registerXmlRpcRoutes(fastify, deps.service, { maxMessageBytes: deps.maxMessageBytes });
  registerCollectdRoutes(fastify, deps.service);
  registerSqsRoutes(fastify, deps);
  registerMetricsRoutes(fastify, deps);
  registerDashboardRoutes(fastify, { ...deps, readOnly: deps.config.readOnlyDashboard });
  registerHttpStreamRoutes(fastify, deps.distributor);
  // The WebSocket plugin must load before its routes are added (it hooks onRoute).
  void fastify.register(websocket, { options: { maxPayload: envelopeLimit({ maxMessageBytes: deps.maxMessageBytes }) } });
  void fastify.register(async (scoped) => registerWebSocketRoute(scoped, deps.distributor, deps.service));
  return {
    fastify,
    beginShutdown: () => {
      state.shuttingDown = true;
    },
  };
}
