/**
 * The ACL category table (docs/security.md) against the routes a real broker registers: every route
 * states its category in its Fastify config (`config.acl`), and that table lists the same by
 * route, so neither can change without the other. The routes are caught as buildApp adds them,
 * through Fastify's `fastify.initialization` diagnostics channel.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { guardFor, type Guard } from '../../src/auth/route-guards.js';
import { startTestBroker } from '../harness/broker.js';

interface Registered {
  methods: string[];
  url: string;
  acl: unknown;
  /** Hidden from the OpenAPI document: the 405 and HEAD routes added by the route helpers. */
  hidden: boolean;
}

interface Pattern {
  category: string;
  /** Undefined: any method; 'non-GET': every method but GET and HEAD. */
  method: string | undefined;
  path: string;
  /** The path ends in `...` or `/`: everything under it. */
  prefix: boolean;
  text: string;
}

const METHOD = /^(GET|POST|PUT|DELETE)$/;

/** The category table of the ACL section (docs/security.md): each row's backticked routes. */
function readmePatterns(): Pattern[] {
  const readme = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('| Category | Routes |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  const out: Pattern[] = [];
  for (const row of rows) {
    const [, cat, routes] = row.split('|').map((c) => c.trim());
    const category = cat === 'none' ? 'open' : cat!.replace(/`/g, '');
    const tokens = [...routes!.matchAll(/(every non-GET under )?`([^`]+)`(\/)?/g)];
    let pendingMethods: string[] = [];
    for (const [, nonGet, token, slashed] of tokens) {
      if (METHOD.test(token!) && slashed) {
        pendingMethods.push(token!); // `POST`/`PUT /x`
        continue;
      }
      const m = /^(?:(GET|POST|PUT|DELETE) )?(\/\S*)$/.exec(token!);
      if (!m) continue; // a JSON command or an ACL section, not a route
      const path = m[2]!.replace(/\.\.\.$/, '');
      // `/x/...`, `every non-GET under /x/` and a path without a method (`/docs`, `/authkeys`:
      // every method, everything under it) name a family of routes.
      const prefix = m[2]!.endsWith('...') || !!nonGet || m[1] === undefined;
      for (const method of [...pendingMethods, nonGet ? 'non-GET' : m[1]]) out.push({ category, method, path, prefix, text: token! });
      pendingMethods = [];
    }
  }
  return out;
}

/** A README path (`/q/<q>`) against a route pattern (`/q/:queue`). */
function pathMatches(p: Pattern, url: string): boolean {
  const routeParts = url.split('/');
  const readmeParts = p.path.split('/');
  if (p.prefix) {
    if (readmeParts.at(-1) === '') readmeParts.pop();
    if (routeParts.length < readmeParts.length) return false;
  } else if (routeParts.length !== readmeParts.length) return false;
  return readmeParts.every((r, i) => {
    const u = routeParts[i]!;
    if (/^<.+>$/.test(r)) return u.startsWith(':') || u === '*' || u === '';
    // `/collectd/data` is served by `/collectd/:queue`.
    return r === u || u.startsWith(':');
  });
}

function methodMatches(p: Pattern, method: string): boolean {
  if (p.method === undefined) return true;
  if (p.method === 'non-GET') return method !== 'GET' && method !== 'HEAD';
  return p.method === method;
}

/** How specific a pattern is: a method beats none, an exact path beats a prefix, longer beats shorter. */
const specificity = (p: Pattern) => (p.method && p.method !== 'non-GET' ? 1000 : 0) + (p.prefix ? 0 : 500) + p.path.length;

describe('the documented ACL category table', () => {
  it('names the category every registered route declares, and only routes that exist', async () => {
    const registered: Registered[] = [];
    const onInit = (msg: unknown) => {
      (msg as { fastify: FastifyInstance }).fastify.addHook('onRoute', (r) => {
        registered.push({ methods: [r.method].flat(), url: r.url, acl: (r.config as { acl?: unknown } | undefined)?.acl, hidden: (r.schema as { hide?: boolean } | undefined)?.hide === true });
      });
    };
    subscribe('fastify.initialization', onInit);
    const broker = await startTestBroker('memory').finally(() => unsubscribe('fastify.initialization', onInit));
    await broker.close();
    assert.ok(registered.length > 40, `routes caught: ${registered.length}`);

    const patterns = readmePatterns();
    assert.ok(patterns.length > 30, `documented patterns read: ${patterns.length}`);
    const used = new Set<Pattern>();
    const wrong: string[] = [];
    for (const r of registered) {
      // JSON-protocol and SQS routes check each command or action (the README lists them so).
      if (r.acl === 'command') continue;
      // HEAD, added beside a GET, is guarded as that GET (test/unit/acl.test.ts).
      if (r.hidden && r.methods.length === 1 && r.methods[0] === 'HEAD') continue;
      // The 405 of the methods a path does not serve (http/kit and presque route helpers).
      if (r.hidden && r.methods.length > 1 && r.acl !== undefined) {
        if (r.acl !== 'admin') wrong.push(`${r.methods.join(',')} ${r.url}: the 405 route declares ${String(r.acl)}`);
        continue;
      }
      for (const method of r.methods.filter((m) => m !== 'HEAD')) {
        // What the auth hook applies: the declared category, or a plugin route's by its prefix.
        const guard = guardFor(method, r.url, r.acl as Guard | undefined);
        const best = patterns.filter((p) => methodMatches(p, method) && pathMatches(p, r.url)).sort((a, b) => specificity(b) - specificity(a))[0];
        if (!best) wrong.push(`${method} ${r.url} (${guard}) is not in the documented table`);
        else if (best.category !== guard) wrong.push(`${method} ${r.url} is guarded as ${guard}; docs/security.md says ${best.category} (\`${best.text}\`)`);
        if (best) used.add(best);
      }
    }
    for (const p of patterns) {
      if (!used.has(p) && !registered.some((r) => r.methods.some((m) => methodMatches(p, m)) && pathMatches(p, r.url))) {
        wrong.push(`docs/security.md lists \`${p.text}\` under ${p.category}, which no route serves`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
