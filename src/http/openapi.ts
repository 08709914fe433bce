/**
 * OpenAPI: /openapi.json generated (by @fastify/swagger) from the schemas the routes are
 * validated with, and a docs page at /docs (@fastify/swagger-ui, which serves its own assets:
 * it works offline).
 */
import fastifySwagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { fastifySwaggerUi, type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { routes, type OpenApiConfig } from './kit/reply.js';
import { TYPES } from '../protocols/replies.js';
import { reply } from './kit/schemas.js';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

const TAGS = [
  { name: 'messages', description: 'Enqueue, take and purge: the original RestMQ REST API' },
  { name: 'leases', description: 'At-least-once delivery: acknowledge, return or prolong a leased message' },
  { name: 'streaming', description: 'Push consumers: COMET, Server-Sent Events, WebSocket' },
  { name: 'json', description: 'The JSON protocol of the original (`{"cmd": ...}` on POST /queue)' },
  { name: 'admin', description: 'Delivery policy, queue settings and flow control' },
  { name: 'stats', description: 'Read-only views of the queues' },
  { name: 'presque', description: "presque's job-queue API under /presque, over the same queues" },
  { name: 'xmlrpc', description: 'XML-RPC at /xmlrpc: set, get, stats, policy, status, introspection, multicall' },
  { name: 'collectd', description: "collectd's write_http posts: metrics to /collectd/data, notifications to /collectd/event" },
  { name: 'ops', description: 'Health, readiness, metrics, pages and this document' },
  { name: 'dashboard', description: 'The dashboard page and its JSON API' },
  { name: 'auth', description: 'API keys' },
];

/** Routes added without tags (by plugins and other modules) are grouped by their path. */
const TAG_BY_PREFIX: [string, string][] = [
  ['/dashboard', 'dashboard'],
  ['/authkeys', 'auth'],
  ['/metrics', 'ops'],
];

function tagged(schema: Record<string, unknown>, url: string): Record<string, unknown> {
  if (schema['tags'] !== undefined) return schema;
  const tag = TAG_BY_PREFIX.find(([prefix]) => url === prefix || url.startsWith(prefix + '/'))?.[1];
  return tag === undefined ? schema : { ...schema, tags: [tag] };
}

/** `/q/:queue` → `/q/{queue}`, `/presque/q/*` → `/presque/q/{*}`: the document's paths. */
const pathOf = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');

export interface OpenApiOptions {
  /** The broker runs with --acl: the document lists Basic and Bearer as its security. */
  secured: boolean;
}

function swaggerOptions(options: OpenApiOptions): FastifyDynamicSwaggerOptions {
  // The plugin marks every request body required; these operations take theirs optionally.
  const optionalBodies = new Set<string>();
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'RestMQ',
        version: '0.1.0',
        description:
          'A message-queue broker over HTTP, compatible with the original RestMQ. Arguments marked as query parameters ' +
          'may equally be sent as form fields (application/x-www-form-urlencoded or multipart/form-data); a form field wins over the query string.',
      },
      // Relative: the document describes whichever address it was fetched from.
      servers: [{ url: '/', description: 'this broker' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic', description: 'user and password of the ACL file' },
          bearer: { type: 'http', scheme: 'bearer', description: 'an API key' },
        },
      },
      ...(options.secured ? { security: [{ basic: [] }, { bearer: [] }] } : {}),
    },
    exposeHeadRoutes: true,
    // Bodies and replies are documented in the route config only (see schemaOptions in reply.ts).
    transform: ({ schema, url, route }) => {
      const { bodyOptional, ...documented } = (route.config as { openapi?: OpenApiConfig } | undefined)?.openapi ?? {};
      if (bodyOptional) for (const method of [route.method].flat()) optionalBodies.add(`${method.toLowerCase()} ${pathOf(url)}`);
      return { schema: tagged({ ...schema, ...documented }, url), url };
    },
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      const { openapiObject } = documentObject;
      for (const [path, item] of Object.entries(openapiObject.paths ?? {})) {
        for (const [method, op] of Object.entries(item as Record<string, { requestBody?: { required?: boolean } }>)) {
          if (op.requestBody && optionalBodies.has(`${method} ${path}`)) op.requestBody.required = false;
        }
      }
      return openapiObject;
    },
  };
}

export function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): void {
  // buildApp adds its routes right after this call and the plugin's onRoute hook must see
  // them: the plugin (fastify-plugin: not encapsulated) is applied now rather than through
  // register(), which would only run it once the routes are in.
  fastifySwagger(app, swaggerOptions(options), (err) => {
    if (err) throw err;
  });
  // Its plugin wrapper would look for @fastify/swagger among the register()ed plugins: the
  // unwrapped plugin (an async function, whatever its typings say) runs in a scope of its own.
  const ui = fastifySwaggerUi as unknown as FastifyPluginAsync<FastifySwaggerUiOptions>;
  void app.register(async (scoped) => ui(scoped, { routePrefix: DOCS_PATH, uiConfig: { docExpansion: 'list', deepLinking: true } }));
  let text: string | undefined;
  routes(app, OPENAPI_PATH, {
    GET: {
      acl: 'rest:consumer',
      schema: {
        summary: 'This document (OpenAPI 3)',
        description: `Generated from the route schemas the broker validates requests with. A browsable page is at ${DOCS_PATH}.`,
        tags: ['ops'],
        response: { 200: reply('the OpenAPI document', 'application/json', { type: 'object' }) },
      },
      handler: () => ({ status: 200, type: TYPES.json, body: (text ??= JSON.stringify(app.swagger())) }),
    },
  });
}
