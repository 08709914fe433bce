/**
 * A/B of the broker's core on Redis without HTTP: QueueService + a started Distributor (so the
 * subscriber connection handles whatever is published) over the Redis store, from this tree
 * (A) and from BENCH_AB_ROOT (B, another checkout), in one process on one private
 * redis-server, alternating rounds, CONCURRENCY calls in flight. Per message: CPU of this
 * process (the broker's side: QueueService, store, ioredis, the subscriber) and of
 * redis-server (from /proc). See bench/README.md.
 *
 *   BENCH_AB_ROOT=/tmp/base ONLY=lease+ack ROUNDS=6 CALLS=20000 node --import tsx bench/service-ab.ts
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRedis } from '../test/harness/redis.js';
import { processCpuSeconds } from './procs.js';

const CALLS = Number(process.env.CALLS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const ONLY = process.env.ONLY?.split(',');
const B_ROOT = process.env.BENCH_AB_ROOT;
if (!B_ROOT) throw new Error('set BENCH_AB_ROOT to the other checkout');
const VALUE = 'x'.repeat(94);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Service {
  add(q: string, values: unknown[]): Promise<string[]>;
  take(q: string, count?: number): Promise<unknown>;
  lease(q: string, count: number, leaseSeconds: number): Promise<{ messages: { receipt: string }[] }>;
  ack(q: string, receipt: string): Promise<void>;
  deleteQueue?(q: string): Promise<unknown>;
}

interface Side {
  label: string;
  service: Service;
  stop: () => Promise<void>;
}

async function side(label: string, root: string, port: number): Promise<Side> {
  const mod = (p: string) => import(pathToFileURL(resolve(root, p)).href);
  const { openStore } = await mod('src/storage/open.ts');
  const { Activity } = await mod('src/core/activity.ts');
  const { LongPoll } = await mod('src/core/long-poll.ts');
  const { Distributor } = await mod('src/core/distributor.ts');
  const { QueueService } = await mod('src/core/queue-service.ts');
  const store = await openStore({ kind: 'redis', host: '127.0.0.1', port, db: 0 });
  const activity = new Activity();
  const log = { warn: (_o: object, msg: string) => process.stderr.write(`${label}: ${msg}\n`) };
  const streams = new Distributor(store, log, activity);
  // SUBSCRIBE=0: no subscriber connection (both sides' would otherwise see each other's events).
  if (process.env.SUBSCRIBE !== '0') await streams.start();
  const service = new QueueService(store, { maxMessageBytes: 1 << 20 }, { activity, longPoll: new LongPoll(store, log, activity), streams }) as Service;
  return {
    label,
    service,
    stop: async () => {
      if (process.env.SUBSCRIBE !== '0') await streams.stop();
      await store.close();
    },
  };
}

const scenarios: Record<string, { op: (s: Service, q: string) => Promise<unknown>; prefill: boolean }> = {
  post: { op: (s, q) => s.add(q, [VALUE]), prefill: false },
  take: { op: (s, q) => s.take(q, 1), prefill: true },
  'lease+ack': {
    op: async (s, q) => {
      const m = (await s.lease(q, 1, 30)).messages[0];
      if (m) await s.ack(q, m.receipt);
    },
    prefill: true,
  },
};

const server = await startRedis();
const sides = [await side('A (this tree)', '.', server.port), await side(`B (${B_ROOT})`, B_ROOT, server.port)];
try {
  const { Redis } = await import('ioredis');
  const raw = new Redis({ host: '127.0.0.1', port: server.port });
  const pid = Number(/process_id:(\d+)/.exec(await raw.info('server'))?.[1] ?? -1);
  for (const [name, sc] of Object.entries(scenarios)) {
    if (ONLY && !ONLY.includes(name)) continue;
    const res = new Map(sides.map((s) => [s.label, { client: [] as number[], redis: [] as number[] }]));
    // Round -1 warms the JIT up and is not counted.
    for (let i = -1; i < ROUNDS; i++) {
      for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
        const q = `ab-${name.replace('+', '')}-${i}-${s.label[0]}`;
        if (sc.prefill) for (let k = 0; k < CALLS; k += 1000) await s.service.add(q, Array.from({ length: Math.min(1000, CALLS - k) }, () => VALUE));
        else await s.service.add(q, [VALUE]);
        const c0 = process.cpuUsage();
        const r0 = processCpuSeconds(pid) ?? NaN;
        let next = 0;
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < CALLS) await sc.op(s.service, q);
        }));
        // Let the subscriber read what was published during the run.
        await new Promise((r) => setTimeout(r, 200));
        const c = process.cpuUsage(c0);
        if (i >= 0) {
          res.get(s.label)!.client.push((c.user + c.system) / CALLS);
          res.get(s.label)!.redis.push((((processCpuSeconds(pid) ?? NaN) - r0) * 1e6) / CALLS);
        }
        await raw.del(`${q}:queue`);
      }
    }
    for (const [label, r] of res) {
      process.stdout.write(`${name.padEnd(10)} ${label.padEnd(40)} broker side ${median(r.client).toFixed(1).padStart(6)} µs/msg  redis-server ${median(r.redis).toFixed(1).padStart(6)} µs/msg` +
        `   rounds: ${r.client.map((x) => x.toFixed(1)).join(' / ')} | ${r.redis.map((x) => x.toFixed(1)).join(' / ')}\n`);
    }
  }
  raw.disconnect();
} finally {
  for (const s of sides) await s.stop();
  await server.stop();
}
