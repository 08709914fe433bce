/**
 * /openapi.json and /docs against a real broker (Redis): the document is OpenAPI 3 in shape,
 * lists every route the broker registered (seen through Fastify's onRoute hook, independently
 * of @fastify/swagger), is built from the very schemas the server validates with, and agrees
 * with the server: values drawn from the documented schemas are accepted, values just outside
 * are refused with a catalogue error the document lists.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe } from 'node:diagnostics_channel';
import fc from 'fast-check';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { assertError, forEachBackend, qname, req, type Res } from './backends.js';
import { ERRORS } from '../../src/errors.js';

interface Seen {
  methods: string[];
  url: string;
  hidden: boolean;
  schema: Record<string, unknown> | undefined;
}

// The broker's Fastify instance is announced on this channel as it is created, before any
// route: an onRoute hook added then sees every route, whoever adds it.
const seen: Seen[] = [];
subscribe('fastify.initialization', (message) => {
  const { fastify } = message as { fastify: FastifyInstance };
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
    seen.push({ methods, url: route.url, hidden: schema?.['hide'] === true, schema });
  });
});

type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
  responses: Record<string, { description: string; content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }> }>;
};
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
}

/** `/q/:queue` → `/q/{queue}`, `/presque/q/*` → `/presque/q/{*}` (OpenAPI path templates). */
const templateOf = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');

forEachBackend(
  (ctx) => {
    let doc: Doc;
    before(async () => {
      const r = await req(ctx().url, 'GET', '/openapi.json');
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      doc = JSON.parse(r.text) as Doc;
    });

    describe('the document', () => {
      it('is OpenAPI 3 in shape: version, info, servers, tags, security schemes, operations with responses', () => {
        assert.match(doc.openapi, /^3\.\d+\.\d+$/, 'openapi version');
        assert.equal(doc.info.title, 'RestMQ');
        assert.ok(doc.info.version.length > 0, 'info.version');
        assert.ok(doc.servers.length > 0, 'servers');
        assert.deepEqual(doc.components.securitySchemes['basic'], { type: 'http', scheme: 'basic', description: 'user and password of the ACL file' });
        assert.equal(doc.components.securitySchemes['bearer']?.scheme, 'bearer');
        const tags = new Set(doc.tags.map((t) => t.name));
        const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
        for (const [path, item] of Object.entries(doc.paths)) {
          assert.ok(path.startsWith('/'), `path ${path}`);
          for (const [method, op] of Object.entries(item)) {
            assert.ok(methods.has(method), `${path}: ${method} is not an HTTP method`);
            assert.ok(Object.keys(op.responses).length > 0, `${method} ${path}: no responses`);
            for (const [status, r] of Object.entries(op.responses)) {
              assert.match(status, /^[1-5]\d\d$|^[1-5]XX$|^default$/, `${method} ${path}: status ${status}`);
              assert.equal(typeof r.description, 'string', `${method} ${path} ${status}: description`);
            }
            assert.ok((op.tags ?? []).length > 0, `${method} ${path}: no tag`);
            for (const tag of op.tags ?? []) assert.ok(tags.has(tag), `${method} ${path}: tag ${tag} is not declared`);
            // Every {name} of the template is a required path parameter, and nothing else is.
            const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
            const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
            assert.deepEqual(declared.map((p) => p.name).sort(), [...inPath].sort(), `${method} ${path}: path parameters`);
            for (const p of declared) assert.equal(p.required, true, `${method} ${path}: ${p.name} must be required`);
          }
        }
      });

      it('lists every route the broker registered, with its methods, and nothing else (405 catch-alls hidden)', () => {
        const expected = new Set<string>();
        for (const route of seen.filter((r) => !r.hidden)) for (const m of route.methods) expected.add(`${m.toLowerCase()} ${templateOf(route.url)}`);
        assert.ok(expected.size > 40, `only ${expected.size} routes seen: is the onRoute hook in place?`);
        const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)));
        // A plugin's '/' route is added as '/prefix' and '/prefix/' with one onRoute call (the
        // route object is then reused): either spelling counts.
        const has = (set: Set<string>, k: string) => set.has(k) || set.has(k.endsWith('/') ? k.slice(0, -1) : `${k}/`);
        assert.deepEqual([...expected].filter((k) => !has(documented, k)), [], 'registered but not documented');
        assert.deepEqual([...documented].filter((k) => !has(expected, k)), [], 'documented but not registered');
        // The 405 answers exist but are not operations.
        assert.ok(seen.some((r) => r.hidden && r.url === '/q/:queue' && r.methods.includes('PUT')), 'the 405 catch-all of /q/:queue');
        assert.equal(doc.paths['/q/{queue}']?.['put'], undefined);
        for (const key of ['get /q/{queue}', 'post /q/{queue}', 'delete /q/{queue}', 'head /health', 'get /ws/{queue}', 'post /presque/q/{*}', 'get /openapi.json']) {
          assert.ok(documented.has(key), `${key} is documented`);
        }
      });

      it('documents the parameters the server validates with, from the same schema (not written twice)', () => {
        const take = seen.find((r) => r.url === '/q/:queue' && r.methods.includes('GET') && !r.hidden);
        assert.ok(take?.schema, 'GET /q/:queue has a schema');
        const params = (take.schema['params'] as { properties: Record<string, Record<string, unknown>> }).properties;
        const query = (take.schema['querystring'] as { properties: Record<string, Record<string, unknown>> }).properties;
        const op = doc.paths['/q/{queue}']!['get']!;
        const documented = (name: string) => {
          const p = op.parameters!.find((x) => x.name === name);
          assert.ok(p, `parameter ${name}`);
          return { ...p.schema, description: (p as { description?: string }).description } as Record<string, unknown>;
        };
        assert.deepEqual(documented('queue'), params['queue']);
        for (const name of ['callback', 'count', 'lease', 'wait']) assert.deepEqual(documented(name), query[name], name);
        assert.equal(documented('count')['maximum'], 100);
      });

      it('a body is optional where its fields may come in the query string, required where not', async () => {
        const body = (path: string, method: string) => (doc.paths[path]?.[method] as { requestBody?: { required: boolean; content: object } }).requestBody;
        assert.equal(body('/q/{queue}', 'post')?.required, false);
        assert.deepEqual(Object.keys(body('/q/{queue}', 'post')!.content).sort(), ['application/json', 'application/octet-stream', 'application/x-www-form-urlencoded', 'text/plain']);
        assert.equal(body('/presque/q/{*}', 'post')?.required, true);
        // The server agrees: no body at all, the value in the query string.
        const r = await req(ctx().url, 'POST', `/q/${qname()}?value=from-the-query`);
        assert.equal(r.status, 200, r.text);
      });
    });

    describe('validation answers with the catalogue', () => {
      it('a bad queue name (path or argument) → 400 INVALID_QUEUE_NAME', async () => {
        const u = ctx().url;
        assertError(await req(u, 'GET', `/q/${'x'.repeat(129)}`), 400, 'INVALID_QUEUE_NAME');
        assertError(await req(u, 'POST', '/q/QUEUESET', { form: { value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
        assertError(await req(u, 'GET', '/stats/bad%20name'), 400, 'INVALID_QUEUE_NAME');
        assertError(await req(u, 'POST', '/', { form: { queue: 'bad name', value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
        assertError(await req(u, 'POST', `/p/${qname()}`, { form: { dead_letter: 'no/slash' } }), 400, 'INVALID_QUEUE_NAME');
      });

      it('bad arguments in the query string or a form body → their own codes and messages', async () => {
        const u = ctx().url;
        const q = qname();
        assertError(await req(u, 'POST', `/q/${q}?ttl=0`, { form: { value: 'v' } }), 400, 'INVALID_TTL');
        assertError(await req(u, 'POST', `/q/${q}`, { form: { value: 'v', ttl: 'soon' } }), 400, 'INVALID_TTL');
        assertError(await req(u, 'POST', `/q/${q}`, { form: { value: 'v', delay: '43201' } }), 400, 'INVALID_DELAY');
        assertError(await req(u, 'POST', `/q/${q}`, { form: { value: 'v', dedup: 'x'.repeat(129) } }), 400, 'INVALID_DEDUP');
        assertError(await req(u, 'GET', `/q/${q}?count=101`), 400, 'INVALID_COUNT');
        assertError(await req(u, 'GET', `/q/${q}?wait=61`), 400, 'INVALID_WAIT');
        assertError(await req(u, 'GET', `/q/${q}?callback=1bad`), 400, 'INVALID_CALLBACK');
        assertError(await req(u, 'POST', `/q/${q}/1.abcdefgh/extend`), 400, 'INVALID_LEASE');
        assertError(await req(u, 'DELETE', `/q/${q}/not-a-receipt`), 400, 'INVALID_RECEIPT');
        const r = await req(u, 'POST', `/p/${q}`, { form: { max_attempts: '0' } });
        assertError(r, 400, 'INVALID_SETTING');
        assert.equal((JSON.parse(r.text) as { error: string }).error, 'max_attempts must be a whole number from 1 to 9999');
        // The first argument at fault, in the order the handler reads them.
        assertError(await req(u, 'POST', `/q/${q}?callback=1bad&ttl=0`, { form: { value: 'v' } }), 400, 'INVALID_CALLBACK');
        assertError(await req(u, 'POST', '/', { form: { ttl: '0', value: 'v' } }), 400, 'MISSING_ARGUMENT');
      });

      it('what the handlers did before schemas is unchanged: redirects, lenient values, 405 with Allow', async () => {
        const u = ctx().url;
        const q = qname();
        const root = await req(u, 'GET', '/?count=abc');
        assert.equal(root.status, 302, 'no queue: the arguments are not read');
        const unknownPolicy = await req(u, 'POST', `/p/${q}`, { form: { policy: 'fastest' } });
        assert.equal(unknownPolicy.status, 200, unknownPolicy.text);
        assert.equal(unknownPolicy.text, 'null\r\n');
        const sse = await req(u, 'GET', `/sse/${q}?callback=1bad&lease=0`);
        assertError(sse, 400, 'INVALID_LEASE');
        const put = await req(u, 'PUT', `/q/${q}`);
        assertError(put, 405, 'METHOD_NOT_ALLOWED');
        assert.equal(put.headers.get('allow'), 'GET, POST, DELETE');
        const key = await req(u, 'POST', `/q/${q}`, { form: { value: 'v', ttl: '60' } });
        assert.equal(key.text, `${q}:1\r\n`, 'replies are still the legacy text');
      });
    });

    describe('the document and the validator agree', () => {
      /** Values for the documented query parameters of an operation, drawn from their schemas. */
      function valuesOf(op: Operation, names: string[]): fc.Arbitrary<Record<string, string>> {
        const arbs: Record<string, fc.Arbitrary<string>> = {};
        for (const name of names) {
          const s = op.parameters!.find((p) => p.name === name && p.in === 'query')?.schema;
          assert.ok(s, `${name} is documented`);
          if (s['type'] === 'integer') arbs[name] = fc.integer({ min: s['minimum'] as number, max: s['maximum'] as number }).map(String);
          else if (typeof s['pattern'] === 'string') {
            const reserved = ((s['not'] as { enum?: string[] } | undefined)?.enum ?? []) as string[];
            arbs[name] = fc.stringMatching(new RegExp(s['pattern'])).filter((v) => !reserved.includes(v) && v.trim() === v);
          } else assert.fail(`${name}: no constraint to draw from`);
        }
        return fc.record(arbs);
      }

      /** Integers one past each bound, and the codes the document lists for a 400. */
      function outside(op: Operation, name: string): string[] {
        const s = op.parameters!.find((p) => p.name === name && p.in === 'query')!.schema;
        return [String((s['minimum'] as number) - 1), String((s['maximum'] as number) + 1)];
      }
      const codes400 = (op: Operation) => op.responses['400']?.content?.['application/json']?.schema?.properties?.code?.enum ?? [];

      it('POST /q/{queue}: documented values of ttl, delay, dedup and callback are accepted; one past a bound is refused', async () => {
        const op = doc.paths['/q/{queue}']!['post']!;
        const q = qname();
        await fc.assert(
          fc.asyncProperty(valuesOf(op, ['callback', 'ttl', 'delay', 'dedup']), async (args) => {
            const r = await req(ctx().url, 'POST', `/q/${q}`, { form: { value: 'v', ...args } });
            assert.equal(r.status, 200, `${JSON.stringify(args)} → ${r.status} ${r.text}`);
          }),
          { numRuns: 25 },
        );
        for (const name of ['ttl', 'delay']) {
          for (const bad of outside(op, name)) {
            const r = await req(ctx().url, 'POST', `/q/${q}`, { form: { value: 'v', [name]: bad } });
            assert.equal(r.status, 400, `${name}=${bad}: ${r.text}`);
            const code = (JSON.parse(r.text) as { code: string }).code;
            assert.ok(codes400(op).includes(code) && Object.hasOwn(ERRORS, code), `${name}=${bad}: ${code} is listed for 400`);
          }
        }
      });

      it('POST /p/{queue}: documented lease, max_attempts and dead_letter are accepted', async () => {
        const op = doc.paths['/p/{queue}']!['post']!;
        await fc.assert(
          fc.asyncProperty(valuesOf(op, ['lease', 'max_attempts', 'dead_letter']), async (args) => {
            const r = await req(ctx().url, 'POST', `/p/${qname()}`, { form: args });
            assert.equal(r.status, 200, `${JSON.stringify(args)} → ${r.status} ${r.text}`);
            assert.equal(r.text, 'OK\r\n');
          }),
          { numRuns: 20 },
        );
        for (const bad of outside(op, 'max_attempts')) {
          const r = await req(ctx().url, 'POST', `/p/${qname()}`, { form: { max_attempts: bad } });
          assertError(r, 400, 'INVALID_SETTING');
          assert.ok(codes400(op).includes('INVALID_SETTING'), 'INVALID_SETTING is listed');
        }
      });
    });

    describe('the docs page', () => {
      it('/docs answers HTML and serves its own assets (works offline)', async () => {
        const page = await req(ctx().url, 'GET', '/docs');
        assert.equal(page.status, 200, page.text.slice(0, 200));
        assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
        const scripts = [...page.text.matchAll(/src="([^"]+\.js)"/g)].map((m) => m[1]!);
        assert.ok(scripts.length > 0, 'the page loads scripts');
        for (const src of scripts) {
          assert.ok(!/^https?:/.test(src), `${src} is served by the broker, not a CDN`);
          const asset: Res = await req(ctx().url, 'GET', new URL(src, `${ctx().url}/docs/`).pathname);
          assert.equal(asset.status, 200, src);
          assert.match(asset.headers.get('content-type') ?? '', /javascript/, src);
        }
      });
    });
  },
  { backends: ['redis'] },
);
