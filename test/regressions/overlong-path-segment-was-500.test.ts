/**
 * Regression (found by the HTTP fuzz): a path segment longer than the router's
 * maxParamLength (512), say `GET /q/<600 characters>`, was answered 500 INTERNAL: Fastify
 * raises it before routing with status 414, and only 400 was mapped to the catalogue.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestBroker } from '../harness/broker.js';
import { assertError, req } from '../e2e/backends.js';

describe('a path segment over 512 characters', () => {
  const broker = useTestBroker('memory');

  it('is 414 URI_TOO_LONG on every method and route with a parameter, never 500', async () => {
    const long = 'A'.repeat(600);
    for (const [method, path] of [['GET', `/q/${long}`], ['POST', `/q/${long}`], ['HEAD', `/control/${long}`], ['GET', `/stats/${long}`], ['DELETE', `/q/x/${long}`]] as const) {
      const r = await req(broker().url, method, path);
      if (method === 'HEAD') assert.equal(r.status, 414, `${method} ${path.slice(0, 20)}`);
      else assertError(r, 414, 'URI_TOO_LONG');
    }
  });
});
