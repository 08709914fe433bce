/**
 * Regression: a streaming client that disconnected while its consumer was being registered
 * (one Redis round trip) stayed registered forever as a "ghost" and swallowed every message.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { qname, req, until } from '../e2e/backends.js';

/** Sends the request line and headers, then resets the connection at once. */
function hitAndRun(port: number, head: string): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(head, () => s.resetAndDestroy());
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

describe('a client gone while its stream registers leaves no ghost consumer (redis)', () => {
  let redis: RedisServer;
  let broker: TestBroker;
  before(async () => {
    redis = await startRedis();
    broker = await startTestBroker('redis', { redis });
  });
  after(async () => {
    await broker?.close();
    await redis?.stop();
  });

  for (const [name, head] of [
    ['COMET', (q: string) => `GET /c/${q} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['WebSocket', (q: string) => `GET /ws/${q} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
  ] as const) {
    it(`${name}: 100 hit-and-run clients, then the queue keeps its messages`, async () => {
      const q = qname();
      await Promise.all(Array.from({ length: 100 }, () => hitAndRun(broker.port, head(q))));
      const consumers = async () => (JSON.parse((await req(broker.url, 'GET', `/stats/${q}`)).text) as { consumers: number }).consumers;
      await until('every consumer to be gone', async () => (await consumers()) === 0);
      // A ghost stays registered (and refreshed) forever, and would swallow this message.
      await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'kept' } });
      const r = await req(broker.url, 'GET', `/q/${q}`);
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.text) as { value: string }).value, 'kept');
    });
  }
});
