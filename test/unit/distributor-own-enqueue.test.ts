/**
 * A local enqueue of a queue streamed here, at idle, is followed by its dispatch in the same
 * store step (own-enqueues.ts): the dispatch is sent with the enqueue, not after the
 * announcement comes back; the announcement does not cost a second dispatch; and on SQLite
 * and the memory store the message reaches the consumer in the commit that stores it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Activity } from '../../src/core/activity.js';
import type { ConsumerSink, EndReason, Handed } from '../../src/core/consumer.js';
import { Distributor } from '../../src/core/distributor.js';
import { LongPoll } from '../../src/core/long-poll.js';
import { QueueService } from '../../src/core/queue-service.js';
import { parseStoreUrl } from '../../src/config/store-url.js';
import { openStore } from '../../src/storage/open.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { waitUntil } from '../harness/wait.js';
import { tempFiles } from '../storage/sqlite-files.js';

/** A transport that takes everything (the consumer's side of a socket). */
class RecordingSink implements ConsumerSink {
  readonly keys: string[] = [];
  write(batch: readonly Handed[]): boolean {
    for (const h of batch) this.keys.push(h.message.key);
    return true;
  }
  onDrain(): void {}
  heartbeat(): void {}
  end(_reason: EndReason): Handed[] {
    return [];
  }
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const files = tempFiles('restmq-own-enqueue-');
let redis: RedisServer | undefined;
before(async () => {
  redis = await startRedis();
});
after(async () => redis?.stop());

for (const kind of ['memory', 'sqlite', 'redis'] as const) {
  describe(`a local enqueue is dispatched with it (${kind})`, () => {
    it('one dispatch per message, sent with the enqueue; every message delivered in order', async () => {
      const store = await openStore(
        kind === 'memory' ? { kind } : kind === 'sqlite' ? { kind, path: files.freshFile() } : parseStoreUrl(`redis://127.0.0.1:${redis!.port}/0`, {}),
      );
      const activity = new Activity();
      const log = { warn: (obj: object, msg: string) => assert.fail(`${msg}: ${JSON.stringify(obj)}`) };
      const streams = new Distributor(store, log, activity);
      const service = new QueueService(store, { maxMessageBytes: 1024 }, { activity, longPoll: new LongPoll(store, log, activity), streams });
      let dispatches = 0;
      const dispatch = store.dispatch.bind(store);
      store.dispatch = (...args) => {
        dispatches++;
        return dispatch(...args);
      };
      const q = `own-${kind}-${Date.now()}`;
      try {
        await streams.start();
        const sink = new RecordingSink();
        const handle = await streams.attach(q, 'sse', sink);
        // The attach's own dispatch (of an empty queue) ends: the broker is idle.
        await new Promise((r) => setTimeout(r, 20));
        const first = dispatches;
        const t0 = performance.now();
        const keys: string[] = [];
        let pipelined = 0;
        for (let i = 1; i <= 20; i++) {
          const before = dispatches;
          const added = service.add(q, [`v${i}`]);
          // Sent with the enqueue unless a pump was running (the safety poll's, on a busy box).
          const withIt = dispatches === before + 1;
          if (withIt) pipelined++;
          const [key] = await added;
          keys.push(key!);
          if (withIt && kind !== 'redis') {
            await nextTurn();
            assert.equal(sink.keys.at(-1), key, `message ${i} was not written in the turn its enqueue settled`);
          } else await waitUntil(`message ${i}`, async () => sink.keys.length === i);
          // The announcement comes and goes (absorbed), and the pump ends.
          for (let j = 0; j < 5; j++) await nextTurn();
          await new Promise((r) => setTimeout(r, 2));
        }
        assert.deepEqual(sink.keys, keys);
        assert.ok(pipelined >= 10, `only ${pipelined} of 20 enqueues had their dispatch sent with them`);
        // One dispatch per message, plus the safety poll's (one a second).
        const polls = Math.ceil((performance.now() - t0) / 1000) + 1;
        assert.ok(dispatches - first <= 20 + polls, `${dispatches - first} dispatches for 20 messages in ${polls - 1} s: an announcement of an own enqueue was acted on`);
        handle.detach();
      } finally {
        await streams.stop();
        await store.close();
      }
    });
  });
}
