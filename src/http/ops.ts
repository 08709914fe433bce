/**
 * Operational routes: /health (process up), /ready (store reachable), and the static pages
 * the original linked to (the JSON protocol help form; /static/index.html leads to the dashboard,
 * which src/dashboard/ serves).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { QueueService } from '../core/queue-service.js';
import { replies, TYPES } from '../protocols/replies.js';
import { DASHBOARD_PATH } from '../protocols/rest/messages.js';
import { routes } from './reply.js';

function staticPage(name: string): string {
  // Works from src/ (tsx) and from dist/src/ (compiled): the pages ship in src/http/static.
  for (const base of ['./static/', '../../../src/http/static/']) {
    try {
      return readFileSync(new URL(base + name, import.meta.url), 'utf8');
    } catch {
      /* try the next location */
    }
  }
  throw new Error(`static page ${name} not found`);
}

export function registerOpsRoutes(app: FastifyInstance, service: QueueService, state: { shuttingDown: boolean }): void {
  routes(app, '/health', { GET: () => replies.health({ status: 'ok' }, true) }, { head: true });
  routes(app, '/ready', {
    GET: async () => {
      if (state.shuttingDown) return replies.health({ status: 'shutting down' }, false);
      try {
        await service.ping();
        return replies.health({ status: 'ready', store: service.storeKind }, true);
      } catch {
        return replies.health({ status: 'store unavailable', store: service.storeKind }, false);
      }
    },
  }, { head: true });
  const help = staticPage('help.html');
  routes(app, '/static/help.html', { GET: () => ({ status: 200, type: TYPES.html, body: help }) });
  routes(app, '/static/index.html', { GET: () => replies.redirect(DASHBOARD_PATH) });
}
