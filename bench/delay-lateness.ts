/**
 * How late a delayed message reaches a waiting consumer: lateness = receive time − due time,
 * per store (SQLite on a fresh file, Redis on a private redis-server, Redis Cluster on six
 * private redis-servers), for (a) long polls (POLLERS requests in a loop, GET /q/<q>?wait=2&count=10)
 * and (b) one SSE stream. COUNT messages per consumer kind, each with a delay drawn from
 * 50–500 ms, enqueued through presque's `delayed=` (an epoch time with milliseconds); each body
 * carries its due time. The broker is a child process, as in production.
 *
 *   node --import tsx bench/delay-lateness.ts          (BENCH_DELAY_STORES=sqlite,redis to choose)
 */
import { join } from 'node:path';
import { SseClient } from '../test/harness/stream-clients.js';
import { freePort } from '../test/harness/redis.js';
import { startRedisCluster } from '../test/harness/redis-cluster.js';
import { answers, startPrivateRedis } from './servers.js';
import { cleanup, installSignalCleanup, removeDir, spawnNode, tempDir } from './procs.js';

const COUNT = Number(process.env.COUNT ?? 200);
const POLLERS = Number(process.env.POLLERS ?? 4);
/** Most messages one long poll takes (`count`): what is due together comes together. */
const BATCH = Number(process.env.BATCH ?? 10);
const STORES = (process.env.BENCH_DELAY_STORES ?? 'sqlite,redis,redis-cluster').split(',');

interface Store {
  name: string;
  url: string;
  stop(): Promise<void>;
}

async function startBroker(name: string, store: string, stop: () => Promise<void>): Promise<Store> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnNode('src/cli/run.ts', ['serve', '--port', String(port), '--listen', '127.0.0.1', '--store', store, '--log-level', 'warn'], {
    probe: () => answers(`${url}/ready`),
    timeoutMs: 90_000,
  });
  return { name, url, stop: async () => { await proc.stop(); await stop(); } };
}

async function open(name: string): Promise<Store> {
  if (name === 'sqlite') {
    const dir = tempDir('restmq-bench-delay-');
    return startBroker(name, `sqlite:${join(dir, 'restmq.db')}`, async () => removeDir(dir));
  }
  if (name === 'redis') {
    const redis = await startPrivateRedis();
    return startBroker(name, `redis://127.0.0.1:${redis.server.port}/0`, () => redis.stop());
  }
  if (name === 'redis-cluster') {
    const cluster = await startRedisCluster();
    return startBroker(name, cluster.url, () => cluster.stop());
  }
  throw new Error(`unknown store ${name}`);
}

/**
 * Enqueues COUNT messages, each due 50–500 ms after its POST is sent. Returns how many were
 * answered only after their due time (then nothing was delayed: not a lateness of the wake-up,
 * so they are left out of the figures; reported apart).
 */
async function enqueueDelayed(url: string, q: string, late: Set<number>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < COUNT) {
      const i = next++;
      const due = Date.now() + 50 + Math.floor(Math.random() * 451);
      const r = await fetch(`${url}/presque/q/${q}?delayed=${(due / 1000).toFixed(3)}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i, due }),
      });
      if (r.status >= 300) throw new Error(`enqueue: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      if (Date.now() >= due) late.add(i);
    }
  }));
}


/** Lateness of each message received, from its body and the receive time. */
class Lateness {
  readonly ms: number[] = [];
  readonly enqueuedLate = new Set<number>();
  received = 0;
  add(value: string, at: number): void {
    this.received++;
    const { i, due } = JSON.parse(value) as { i: number; due: number };
    if (!this.enqueuedLate.has(i)) this.ms.push(at - due);
  }
}

async function longPolls(url: string): Promise<Lateness> {
  const q = `delay-poll-${Date.now()}`;
  const late = new Lateness();
  let done = false;
  const pollers = Array.from({ length: POLLERS }, async () => {
    while (!done) {
      const r = await fetch(`${url}/q/${q}?wait=2&count=${BATCH}`);
      const at = Date.now();
      if (r.status === 200) for (const m of JSON.parse(await r.text()) as { value: string }[]) late.add(m.value, at);
      else await r.arrayBuffer();
      if (late.received >= COUNT) done = true;
    }
  });
  await new Promise((r) => setTimeout(r, 200)); // every poller is waiting
  await enqueueDelayed(url, q, late.enqueuedLate);
  await Promise.race([Promise.all(pollers), new Promise((r) => setTimeout(r, 10_000))]);
  done = true;
  return late;
}

async function sse(url: string): Promise<Lateness> {
  const q = `delay-sse-${Date.now()}`;
  const client = await SseClient.open(url, `/sse/${q}`);
  const late = new Lateness();
  // Timed as each event is parsed, not when the bench gets round to reading it.
  const push = client.messages.push.bind(client.messages);
  client.messages.push = (...ms) => {
    const at = Date.now();
    for (const m of ms) late.add(m.value, at);
    return push(...ms);
  };
  try {
    await new Promise((r) => setTimeout(r, 200)); // registered
    await enqueueDelayed(url, q, late.enqueuedLate);
    await client.waitForCount(COUNT, 10_000);
  } finally {
    client.close();
  }
  return late;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const line = (store: string, kind: string, { ms: xs, enqueuedLate }: Lateness) =>
  `${store.padEnd(14)} ${kind.padEnd(10)} n=${String(xs.length).padEnd(4)} median ${pct(xs, 50)} ms  p95 ${pct(xs, 95)} ms  max ${Math.max(...xs)} ms` +
  (enqueuedLate.size > 0 ? `  (${enqueuedLate.size} left out: their POST was answered after their due time)` : '');

installSignalCleanup();
try {
  console.log(`delay lateness: ${COUNT} messages per consumer kind, delays 50–500 ms, ${POLLERS} long pollers / 1 SSE stream`);
  for (const name of STORES) {
    const store = await open(name);
    try {
      console.log(line(name, 'long poll', await longPolls(store.url)));
      console.log(line(name, 'SSE', await sse(store.url)));
    } finally {
      await store.stop();
    }
  }
} finally {
  await cleanup();
}
