/**
 * The Redis store's single-message paths, A/B in one run: the store as shipped (lean scripts)
 * against the same store with `lean = false` (enqueue-9.lua for every enqueue), on a private
 * redis-server, alternating rounds, CONCURRENCY calls in flight, no HTTP. Per message: the
 * CPU of this process (the store's client side: ioredis, the store's code, the loop) and of
 * redis-server (from /proc), and Redis's own time in the scripts (INFO commandstats).
 *
 *   node --import tsx bench/redis-lean.ts            # post, take, lease+ack
 *   ONLY=post ROUNDS=6 CALLS=40000 node --import tsx bench/redis-lean.ts
 */
import { startRedis } from '../test/harness/redis.js';
import { openRedisStore, type RedisStore } from '../src/storage/redis/redis-store.js';
import { processCpuSeconds } from './procs.js';

const CALLS = Number(process.env.CALLS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const ONLY = process.env.ONLY?.split(',');
const VALUE = 'x'.repeat(94);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Variant = 'full' | 'lean';
type Op = (s: RedisStore, q: string) => Promise<unknown>;

const scenarios: Record<string, { op: Op; prefill: boolean }> = {
  post: { op: (s, q) => s.enqueue(q, [VALUE]), prefill: false },
  take: { op: (s, q) => s.take(q, 1), prefill: true },
  'lease+ack': {
    op: async (s, q) => {
      const r = await s.lease(q, 1, 30_000);
      const m = r.messages[0];
      if (m) await s.ack(q, m.receipt);
    },
    prefill: true,
  },
};

async function main(): Promise<void> {
  const server = await startRedis();
  const store = await openRedisStore({ host: server.host, port: server.port, db: 0 });
  try {
    const raw = store as unknown as { redis: import('ioredis').Redis };
    const pid = Number(/process_id:(\d+)/.exec(await raw.redis.info('server'))?.[1] ?? -1);
    const lines: string[] = [];
    for (const [name, sc] of Object.entries(scenarios)) {
      if (ONLY && !ONLY.includes(name)) continue;
      const res: Record<Variant, { client: number[]; redis: number[]; script: number[]; rate: number[] }> = {
        full: { client: [], redis: [], script: [], rate: [] },
        lean: { client: [], redis: [], script: [], rate: [] },
      };
      for (let i = 0; i < ROUNDS; i++) {
        for (const v of i % 2 === 0 ? (['full', 'lean'] as const) : (['lean', 'full'] as const)) {
          store.lean = v === 'lean';
          const q = `bench-${name}-${v}-${i}`;
          if (sc.prefill) {
            for (let k = 0; k < CALLS; k += 1000) await store.enqueue(q, Array.from({ length: Math.min(1000, CALLS - k) }, () => VALUE));
          } else {
            await store.enqueue(q, [VALUE]); // the queue exists, as under steady load
          }
          await raw.redis.config('RESETSTAT');
          const c0 = process.cpuUsage();
          const r0 = processCpuSeconds(pid) ?? NaN;
          const t0 = performance.now();
          let next = 0;
          await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
            while (next++ < CALLS) await sc.op(store, q);
          }));
          const secs = (performance.now() - t0) / 1000;
          const c = process.cpuUsage(c0);
          const r1 = processCpuSeconds(pid) ?? NaN;
          const stats = await raw.redis.info('commandstats');
          let usec = 0;
          for (const m of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=\d+,usec=(\d+)/g)) usec += Number(m[1]);
          res[v].client.push((c.user + c.system) / CALLS);
          res[v].redis.push(((r1 - r0) * 1e6) / CALLS);
          res[v].script.push(usec / CALLS);
          res[v].rate.push(CALLS / secs);
          await store.deleteQueue(q);
        }
      }
      if (process.env.VERBOSE) console.log(name, JSON.stringify(res));
      const f = (v: Variant) =>
        `client ${median(res[v].client).toFixed(1)} µs, redis-server ${median(res[v].redis).toFixed(1)} µs (in scripts ${median(res[v].script).toFixed(1)}), ${median(res[v].rate).toFixed(0)}/s`;
      lines.push(`${name.padEnd(10)} full: ${f('full')}\n${''.padEnd(10)} lean: ${f('lean')}`);
    }
    console.log(`per message, medians of ${ROUNDS} rounds of ${CALLS} calls, ${CONCURRENCY} in flight:`);
    console.log(lines.join('\n'));
  } finally {
    await store.close();
    await server.stop();
  }
}

await main();
