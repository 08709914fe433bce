/**
 * OpenAPI: /openapi.json generated from the route schemas, and its docs page.
 * (Scaffold: issue 6 fills it in.)
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app.js';

export function registerOpenApi(_app: FastifyInstance, _deps: AppDeps): void {}
