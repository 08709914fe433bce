/**
 * Operational routes: /health (process up), /ready (store reachable), and the static pages
 * the original linked to (the JSON protocol help form; /static/index.html leads to the dashboard,
 * which src/dashboard/ serves).
 */
import type { FastifyInstance } from 'fastify';
import type { QueueService } from '../core/queue-service.js';
import { replies, TYPES } from '../protocols/replies.js';
import { DASHBOARD_PATH } from '../dashboard/path.js';
import { routes } from './kit/reply.js';
import { readShippedFile } from './kit/shipped-files.js';
import { empty, json, reply, type RouteSchema } from './kit/schemas.js';

function staticPage(name: string): string {
  return readShippedFile(import.meta.url, 'http', name);
}

const status = { type: 'object', properties: { status: { type: 'string' }, store: { type: 'string' } }, required: ['status'] };
const HEALTH: RouteSchema = { summary: 'Liveness: 200 while the process runs', tags: ['ops'], response: { 200: json('`{"status": "ok"}`', status) } };
const READY: RouteSchema = {
  summary: 'Readiness: 200 when the store answers',
  description: 'Balancers should route to a broker only while this answers 200.',
  tags: ['ops'],
  response: { 200: json('`{"status": "ready", "store": ...}`', status), 503: json('the store does not answer, or the broker is shutting down', status) },
};
const HELP: RouteSchema = { summary: 'The JSON protocol help page (a form to try commands)', tags: ['ops'], response: { 200: reply('HTML', 'text/html') } };
const INDEX: RouteSchema = { summary: "The original's index page: 302 to the dashboard", tags: ['ops'], response: { 302: empty(`to ${DASHBOARD_PATH}`) } };

export function registerOpsRoutes(app: FastifyInstance, service: QueueService, state: { shuttingDown: boolean }): void {
  routes(app, '/health', { GET: { schema: HEALTH, acl: 'open', handler: () => replies.health({ status: 'ok' }, true) } }, { head: true });
  routes(
    app,
    '/ready',
    {
      GET: {
        schema: READY,
        acl: 'open',
        handler: async () => {
          if (state.shuttingDown) return replies.health({ status: 'shutting down' }, false);
          try {
            await service.ping();
            return replies.health({ status: 'ready', store: service.storeKind }, true);
          } catch {
            return replies.health({ status: 'store unavailable', store: service.storeKind }, false);
          }
        },
      },
    },
    { head: true },
  );
  const help = staticPage('help.html');
  routes(app, '/static/help.html', { GET: { schema: HELP, acl: 'open', handler: () => ({ status: 200, type: TYPES.html, body: help }) } });
  routes(app, '/static/index.html', { GET: { schema: INDEX, acl: 'open', handler: () => replies.redirect(DASHBOARD_PATH) } });
}
