/**
 * The one auth hook (onRequest): ACL file rules and API keys for every route.
 * (Scaffold: issue 5 fills it in.)
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app.js';

export function installAuth(_app: FastifyInstance, _deps: AppDeps): void {}
