import { startRedis } from '../test/harness/redis.js';
import { openRedisStore } from '../src/storage/redis/redis-store.js';
const server = await startRedis();
const store = await openRedisStore({ host: server.host, port: server.port, db: 0 });
const redis = (store as any).redis;
const q = 'cs';
for (let k = 0; k < 20000; k += 1000) await store.enqueue(q, Array.from({ length: 1000 }, () => 'x'.repeat(94)));
for (let i = 0; i < 2000; i++) { const r = await store.lease(q, 1, 30000); await store.ack(q, r.messages[0]!.receipt); }
await redis.config('RESETSTAT');
for (let i = 0; i < 5000; i++) { const r = await store.lease(q, 1, 30000); await store.ack(q, r.messages[0]!.receipt); }
console.log((await redis.info('commandstats')).split('\n').filter((l: string) => l.startsWith('cmdstat')).map((l: string) => l.replace(/,rejected.*/, '')).join('\n'));
await store.close(); await server.stop();
