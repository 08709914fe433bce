/**
 * GET /metrics: Prometheus text. (Scaffold: issue 6 fills it in.)
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app.js';

export function registerMetricsRoutes(_app: FastifyInstance, _deps: AppDeps): void {}
