/**
 * Regression: on SQLite (and the memory store) an enqueue committed in the same group as the
 * stream pump's inbox ack announced itself while the pump was finishing; the distributor saw a
 * pump still running, left the queue to it, and the pump had already stopped looking: the
 * message waited for the 1 s safety poll (about one in eight, POSTed one at a time).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestBroker } from '../harness/broker.js';
import { SseClient } from '../harness/stream-clients.js';
import { qname, req } from '../e2e/backends.js';

for (const backend of ['sqlite', 'memory'] as const) {
  describe(`push delivery at idle never waits for the safety poll (${backend})`, () => {
    const broker = useTestBroker(backend);

    it('100 messages POSTed one at a time each arrive well within the poll interval', async () => {
      const q = qname();
      const sse = await SseClient.open(broker().url, `/sse/${q}`);
      try {
        const slow: number[] = [];
        for (let i = 0; i < 100; i++) {
          const t0 = performance.now();
          await req(broker().url, 'POST', `/q/${q}`, { form: { value: `m${i}` } });
          await sse.waitForCount(i + 1, 5000);
          // The safety poll runs every 1,000 ms: a lost wake-up shows as a wait near it.
          if (performance.now() - t0 > 400) slow.push(i);
        }
        assert.deepEqual(slow, [], 'messages that waited for the safety poll');
        assert.deepEqual(sse.messages.map((m) => m.value), Array.from({ length: 100 }, (_, i) => `m${i}`));
      } finally {
        sse.close();
      }
    });
  });
}
