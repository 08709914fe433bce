/**
 * Requests the original's own clients send, answered as the original did: the dashboard's
 * stop/start buttons (jQuery posts `?callback=?`, the `?` left literal), and queue names that
 * only a JSON command can spell.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { command, forEachBackend, qname, req } from './backends.js';

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

  describe('queue names', () => {
    it('. and .. are refused: a browser cannot address them', async () => {
      for (const queue of ['.', '..']) {
        const r = await req(ctx().url, 'POST', '/queue', { body: JSON.stringify({ cmd: 'add', queue, value: 'x' }), type: 'application/json' });
        assert.match(r.text, /INVALID_QUEUE_NAME|invalid queue name/i, r.text);
      }
    });
    it('a queue named __proto__ is listed by /stats/ and /control/ like any other', async () => {
      await command(ctx().url, { cmd: 'add', queue: '__proto__', value: 'x' });
      const stats = JSON.parse((await req(ctx().url, 'GET', '/stats/')).text) as { queues: Record<string, { name: string; len: number }>; count: number };
      assert.ok(Object.hasOwn(stats.queues, '__proto__'), JSON.stringify(stats));
      assert.equal(stats.queues['__proto__']!.name, '__proto__');
      assert.equal(Object.keys(stats.queues).length, stats.count);
      const control = JSON.parse((await req(ctx().url, 'GET', '/control/')).text) as { queues: Record<string, unknown>; count: number };
      assert.ok(Object.hasOwn(control.queues, '__proto__'));
      assert.equal(Object.keys(control.queues).length, control.count);
    });
  });
});
