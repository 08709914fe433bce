/**
 * What only the Redis MeterStore has (the shared cases are in cases/meter.ts): the enqueue
 * clock that dates messages, sampled at most once a second and trimmed behind the head.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { keys } from '../../src/storage/redis/keys.js';
import { redisClient } from '../harness/redis.js';
import { privateRedis } from './private-redis.js';

const q = () => `m-${randomUUID()}`;

describe('redis MeterStore', () => {
  const { srv, open } = privateRedis();

  describe('redis: the enqueue clock', () => {
    it('samples at most once a second, whatever the enqueue rate', async () => {
      const store = await open();
      const raw = redisClient(srv().port);
      try {
        const queue = q();
        const t0 = Date.now();
        for (let i = 0; i < 200; i++) await store.enqueue(queue, [`v${i}`]);
        const seconds = Math.ceil((Date.now() - t0) / 1000);
        const samples = await raw.zcard(keys.clock(queue));
        assert.ok(samples >= 1 && samples <= seconds + 1, `${samples} samples for 200 enqueues in ${seconds} s`);
        assert.deepEqual(await raw.zrange(keys.clock(queue), 0, 0, 'WITHSCORES').then((r) => r[1]), '1', 'the first message is dated');
      } finally {
        raw.disconnect();
        await store.close();
      }
    });

    it('trims dates behind the one that dates the head', async () => {
      const store = await open();
      const raw = redisClient(srv().port);
      try {
        const queue = q();
        await store.enqueue(queue, ['old']);
        await store.take(queue, 1);
        // The next sample is taken only a second after the last: wait that second out.
        await new Promise((r) => setTimeout(r, 1100));
        await store.enqueue(queue, ['new']);
        assert.deepEqual(await raw.zrange(keys.clock(queue), 0, -1, 'WITHSCORES').then((r) => r.filter((_, i) => i % 2 === 1)), ['2'],
          'only the date of message 2 (the head) is kept');
        const age = (await store.meters([queue]))[0]!.oldestAgeMs;
        assert.ok(age !== null && age < 1000, `the head's own date: ${String(age)} ms`);
      } finally {
        raw.disconnect();
        await store.close();
      }
    });
  });
});
