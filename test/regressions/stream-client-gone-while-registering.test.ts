/**
 * Regression: a streaming client that disconnected while its consumer was being registered
 * (one Redis round trip) stayed registered forever as a "ghost" and swallowed every message.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestBroker } from '../harness/broker.js';
import { rawExchange } from '../harness/raw-http.js';
import { waitUntil } from '../harness/wait.js';
import { qname, req } from '../e2e/backends.js';

/** Sends the request line and headers, then resets the connection at once. */
async function hitAndRun(port: number, head: string): Promise<void> {
  await rawExchange({ port }, (s) => s.write(head, () => s.resetAndDestroy()));
}

describe('a client gone while its stream registers leaves no ghost consumer (redis)', () => {
  const broker = useTestBroker('redis');

  for (const [name, head] of [
    ['COMET', (q: string) => `GET /c/${q} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['WebSocket', (q: string) => `GET /ws/${q} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
  ] as const) {
    it(`${name}: 100 hit-and-run clients, then the queue keeps its messages`, async () => {
      const q = qname();
      await Promise.all(Array.from({ length: 100 }, () => hitAndRun(broker().port, head(q))));
      const consumers = async () => (JSON.parse((await req(broker().url, 'GET', `/stats/${q}`)).text) as { consumers: number }).consumers;
      await waitUntil('every consumer to be gone', async () => (await consumers()) === 0);
      // A ghost stays registered (and refreshed) forever, and would swallow this message.
      await req(broker().url, 'POST', `/q/${q}`, { form: { value: 'kept' } });
      const r = await req(broker().url, 'GET', `/q/${q}`);
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.text) as { value: string }).value, 'kept');
    });
  }
});
