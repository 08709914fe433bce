/**
 * Requests the original's own clients send, answered as the original did: the dashboard's
 * stop/start buttons (jQuery posts `?callback=?`, the `?` left literal), and queue names that
 * only a JSON command can spell.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, qname, req } from './backends.js';

forEachBackend((ctx) => {
  describe('callback=? (jQuery placeholder) is no callback', () => {
    it('the dashboard stop/start buttons act and answer JSON', async () => {
      const q = qname();
      const stop = await req(ctx().url, 'POST', `/control/${q}?callback=?`, { form: { status: 'stop' } });
      assert.equal(stop.status, 200, stop.text);
      assert.doesNotMatch(stop.headers.get('content-type') ?? '', /javascript/);
      assert.equal((JSON.parse((await req(ctx().url, 'GET', `/control/${q}`)).text) as { status: { status: number } }).status.status, 0);
      const start = await req(ctx().url, 'POST', `/control/${q}?callback=?`, { form: { status: 'start' } });
      assert.equal(start.status, 200, start.text);
      assert.equal((JSON.parse((await req(ctx().url, 'GET', `/control/${q}`)).text) as { status: { status: number } }).status.status, 1);
    });
    it('on a GET too; a real name still wraps', async () => {
      const plain = await req(ctx().url, 'GET', '/stats/?callback=?');
      assert.equal(plain.status, 200, plain.text);
      JSON.parse(plain.text);
      const wrapped = await req(ctx().url, 'GET', '/stats/?callback=cb');
      assert.match(wrapped.text, /^cb\(/);
      assert.equal((await req(ctx().url, 'GET', '/stats/?callback=%3F%3F')).status, 400);
    });
  });
});
