import { startRedis } from '../test/harness/redis.js';
import { openRedisStore } from '../src/storage/redis/redis-store.js';
import { keys } from '../src/storage/redis/keys.js';
import { loadScripts } from '../src/storage/redis/scripts.js';
import { createHash } from 'node:crypto';
const server = await startRedis();
const store = await openRedisStore({ host: server.host, port: server.port, db: 0 });
const redis = (store as any).redis;
const lua = loadScripts().find((s) => s.name === 'enqueuelean')!.lua;
const sha = createHash('sha1').update(lua).digest('hex');
await redis.script('LOAD', lua);
const V = 'x'.repeat(94);
const q = 'cl';
const args = () => [keys.counter(q), keys.pending(q), keys.queueset, keys.status(q), keys.consumers(q), keys.clock(q), q, keys.messagePrefix(q), 'restmq:events', '', V];
const variants: Record<string, () => Promise<unknown>> = {
  custom: () => redis.enqueuelean(...args()),
  evalsha: () => redis.evalsha(sha, 6, ...args()),
  callBuffer: () => redis.callBuffer('evalsha', sha, 6, ...args()),
  store: () => store.enqueue(q, [V]),
};
const N = 40000;
const res: Record<string, number[]> = {};
for (let round = 0; round < 4; round++) for (const [n, f] of (round % 2 ? Object.entries(variants).reverse() : Object.entries(variants))) {
  const c0 = process.cpuUsage();
  let next = 0;
  await Promise.all(Array.from({ length: 50 }, async () => { while (next++ < N) await f(); }));
  const c = process.cpuUsage(c0);
  (res[n] ??= []).push((c.user + c.system) / N);
}
for (const [n, xs] of Object.entries(res)) console.log(n, xs.map((x) => x.toFixed(2)).join(' '));
await store.close(); await server.stop();
