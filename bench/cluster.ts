/**
 * `npm run bench:cluster`: the broker on one Redis against 1 and 2 brokers on a 3-primary Redis
 * Cluster (test/harness/redis-cluster.ts), all on 127.0.0.1. Each line posts single messages
 * to 30 queues (one connection per queue, the queues split over the brokers), then takes them
 * back with GET; a last pair of lines does the same on one hot queue, which one shard serves.
 * Prints messages/s and the CPU µs per message of each broker and each Redis node, so that the
 * spread of the Redis work over the primaries shows. Bounded: BENCH_SECONDS per line (default
 * 10) and BENCH_CLUSTER_MAX messages per queue (default 20000).
 */
import { freePort, redisClient } from '../test/harness/redis.js';
import { startRedisCluster } from '../test/harness/redis-cluster.js';
import { pickLoadTool, type LoadResult } from './http-load.js';
import { cleanup, installSignalCleanup, onCleanup, processCpuSeconds, spawnNode } from './procs.js';
import { startPrivateRedis } from './servers.js';

installSignalCleanup();
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const MAX = Number(process.env['BENCH_CLUSTER_MAX'] ?? 20_000);
const QUEUES = 30;
const tool = pickLoadTool();

interface Broker {
  url: string;
  pid: number;
}

async function startBroker(store: string): Promise<Broker & { stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnNode('src/cli/run.ts', ['serve', '--port', String(port), '--listen', '127.0.0.1', '--store', store, '--log-level', 'warn'], {
    probe: async () => (await fetch(`${url}/ready`)).ok,
  });
  return { url, pid: proc.pid, stop: proc.stop };
}

/** The redis-server pid behind a port (INFO server). */
async function redisPid(port: number): Promise<number> {
  const c = redisClient(port);
  try {
    return Number(/process_id:(\d+)/.exec(await c.info('server'))?.[1] ?? -1);
  } finally {
    c.disconnect();
  }
}

interface Row {
  setup: string;
  op: string;
  messages: number;
  seconds: number;
  failed: number;
  brokers: number[];
  redis: { name: string; cpu: number }[];
}

const cpuOf = (pids: number[]) => pids.map((p) => processCpuSeconds(p) ?? 0);

/** One line: every queue loaded at once (one connection each), its broker chosen round robin. */
async function line(setup: string, op: 'POST' | 'GET', brokers: Broker[], queues: string[], redis: { name: string; pid: number }[]): Promise<Row> {
  const b0 = cpuOf(brokers.map((b) => b.pid));
  const r0 = cpuOf(redis.map((r) => r.pid));
  const t0 = performance.now();
  const perQueue = Math.max(1, Math.floor(MAX * (QUEUES / queues.length) / QUEUES));
  const results: LoadResult[] = await Promise.all(
    queues.map((q, i) =>
      tool.run({
        url: `${brokers[i % brokers.length]!.url}/q/${q}`,
        method: op,
        ...(op === 'POST' ? { body: 'value=bench-message', contentType: 'application/x-www-form-urlencoded' } : {}),
        connections: queues.length === 1 ? 30 : 1,
        seconds: SECONDS,
        maxRequests: perQueue,
      }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const b1 = cpuOf(brokers.map((b) => b.pid));
  const r1 = cpuOf(redis.map((r) => r.pid));
  const ok = (r: LoadResult) => Object.entries(r.status).reduce((n, [code, c]) => n + (code.startsWith('2') && code !== '204' ? c : 0), 0);
  const messages = results.reduce((n, r) => n + ok(r), 0);
  const failed = results.reduce((n, r) => n + r.errors + r.timeouts + Object.entries(r.status).reduce((m, [code, c]) => m + (code.startsWith('5') ? c : 0), 0), 0);
  return {
    setup, op, messages, seconds, failed,
    brokers: b1.map((c, i) => c - b0[i]!),
    redis: redis.map((r, i) => ({ name: r.name, cpu: r1[i]! - r0[i]! })),
  };
}

function print(rows: Row[]): void {
  const us = (cpu: number, n: number) => (n === 0 ? '-' : Math.round((cpu * 1e6) / n).toString());
  console.log(`\n| setup | op | msgs/s | broker CPU µs/msg (each) | Redis CPU µs/msg (each node) | Redis total µs/msg |`);
  console.log(`|---|---|---:|---|---|---:|`);
  for (const r of rows) {
    const busy = r.redis.filter((x) => x.cpu * 1e6 / Math.max(1, r.messages) >= 1);
    console.log(`| ${r.setup} | ${r.op} | ${Math.round(r.messages / r.seconds)}${r.failed ? ` (${r.failed} failed)` : ''} | ${r.brokers.map((c) => us(c, r.messages)).join(' + ')} | ` +
      `${busy.map((x) => `${x.name} ${us(x.cpu, r.messages)}`).join(', ') || '-'} | ${us(r.redis.reduce((a, x) => a + x.cpu, 0), r.messages)} |`);
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `bench-${prefix}-${i}-${Date.now().toString(36)}`);

  const single = await startPrivateRedis();
  try {
    const b = await startBroker(`redis://127.0.0.1:${single.server.port}/0`);
    const redis = [{ name: 'redis', pid: single.pid }];
    const qs = names('single', QUEUES);
    rows.push(await line('1 broker, 1 Redis', 'POST', [b], qs, redis));
    rows.push(await line('1 broker, 1 Redis', 'GET', [b], qs, redis));
    await b.stop();
  } finally {
    await single.stop();
  }

  const cluster = await startRedisCluster();
  const forget = onCleanup(() => cluster.stop());
  try {
    const primaries = new Set((await cluster.primaries()).map((n) => n.port));
    const redis = await Promise.all(cluster.nodes.map(async (n, i) => ({ name: `${primaries.has(n.port) ? 'P' : 'r'}${i}`, pid: await redisPid(n.port) })));
    const b1 = await startBroker(cluster.url);
    const b2 = await startBroker(cluster.url);
    for (const [setup, brokers] of [['1 broker, cluster', [b1]], ['2 brokers, cluster', [b1, b2]]] as const) {
      const qs = names(`c${brokers.length}`, QUEUES);
      rows.push(await line(setup, 'POST', [...brokers], qs, redis));
      rows.push(await line(setup, 'GET', [...brokers], qs, redis));
    }
    const hot = names('hot', 1);
    rows.push(await line('1 broker, cluster, 1 hot queue', 'POST', [b1], hot, redis));
    rows.push(await line('1 broker, cluster, 1 hot queue', 'GET', [b1], hot, redis));
    await b1.stop();
    await b2.stop();
  } finally {
    forget();
    await cluster.stop();
  }
  console.log(`# ${tool.name}, ${SECONDS} s per line (at most ${MAX} messages a line), load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}; P = primary, r = replica`);
  print(rows);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
