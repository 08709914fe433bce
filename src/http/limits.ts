/**
 * The network edge: TLS, header and URL limits, slow clients, connections per address.
 * (Scaffold: issue 5 fills it in.)
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../config/load.js';
import type { AppDeps } from './app.js';

export function serverOptions(_config: Readonly<Config>): Partial<FastifyServerOptions> {
  return {};
}

export function installLimits(_app: FastifyInstance, _deps: AppDeps): void {}
