/**
 * Scrape cost of GET /metrics with many queues, per store: an in-process broker on a private
 * redis-server (never 6379) and on a temp SQLite file, QUEUES queues with one message each,
 * then SCRAPES scrapes over loopback. Prints per store the median and range of the wall time
 * and the median CPU time of this process (broker and HTTP client; redis-server apart), which
 * is less at the mercy of a busy machine; then the time to render as many queues with no store.
 *
 *   node --import tsx bench/metrics-scrape.ts            # 1,000 queues, 15 scrapes
 *   QUEUES=5000 SCRAPES=9 node --import tsx bench/metrics-scrape.ts
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { Activity } from '../src/core/activity.js';
import type { QueueOverview } from '../src/core/overview.js';
import { BrokerMetrics } from '../src/metrics/registry.js';
import { timeStore } from '../src/metrics/store-timing.js';
import { startBroker } from '../src/main.js';
import { redisClient, startRedis } from '../test/harness/redis.js';
import { storeFlagFor, type BackendName } from '../test/harness/broker.js';

const QUEUES = Number(process.env.QUEUES ?? 1000);
const SCRAPES = Number(process.env.SCRAPES ?? 15);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function fill(url: string): Promise<void> {
  const names = Array.from({ length: QUEUES }, (_, i) => `bench-metrics-${i}`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((n) => fetch(`${url}/q/${n}`, { method: 'POST', body: new URLSearchParams({ value: 'm' }) }).then((r) => r.text())));
  }
}

async function measure(backend: BackendName): Promise<string> {
  const redis = backend === 'redis' ? await startRedis() : undefined;
  const { flag, cleanup } = storeFlagFor(backend, redis);
  const config = loadConfig({ port: '0', listen: '127.0.0.1', store: flag, 'log-level': 'silent' }, {});
  const broker = await startBroker(config, pino({ level: 'silent' }));
  try {
    await fill(broker.url);
    const raw = redis ? redisClient(redis.port) : undefined;
    const redisCpu = async () => {
      const info = raw ? await raw.info('cpu') : '';
      return ['used_cpu_user', 'used_cpu_sys'].reduce((sum, k) => sum + Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0), 0);
    };
    const cpu0 = await redisCpu();
    const scrape: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    for (let i = 0; i < SCRAPES + 2; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const text = await (await fetch(`${broker.url}/metrics`)).text();
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      bytes = text.length;
      if (i < 2) continue; // two warm-up scrapes
      scrape.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
    // redis-server's CPU time over the scrapes (the broker's timers included: a few ms a second).
    let redisTime = '';
    if (raw) {
      redisTime = `; redis-server CPU per scrape ${(((await redisCpu()) - cpu0) * 1000 / (SCRAPES + 2)).toFixed(1)} ms`;
      raw.disconnect();
    }
    const sorted = [...scrape].sort((a, b) => a - b);
    return `${backend.padEnd(6)} ${QUEUES} queues: scrape median ${median(scrape).toFixed(1)} ms (min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}, ${SCRAPES} scrapes, ${(bytes / 1024).toFixed(0)} KiB); Node CPU per scrape (broker + client) median ${median(cpu).toFixed(1)} ms${redisTime}`;
  } finally {
    await broker.close();
    cleanup();
    await redis?.stop();
  }
}

/** The rendering alone: the registry with QUEUES synthetic rows and counters, no store. */
async function renderOnly(): Promise<string> {
  const activity = new Activity();
  const rows: QueueOverview[] = Array.from({ length: QUEUES }, (_, i) => {
    activity.count(`bench-metrics-${i}`, 'enqueued');
    return {
      queue: `bench-metrics-${i}`, ready: 1, inflight: 0, delayed: 0, dead: 0, status: 'started', policy: 'broadcast',
      consumers: { poll: 0, comet: 0, sse: 0, ws: 0, total: 0 }, oldestAgeSeconds: 1, deadLetteredTotal: 0,
    };
  });
  const metrics = new BrokerMetrics(activity);
  metrics.setOverview({ rows, rest: null });
  const times: number[] = [];
  for (let i = 0; i < SCRAPES + 2; i++) {
    const t0 = performance.now();
    await metrics.render();
    if (i >= 2) times.push(performance.now() - t0);
  }
  return `render ${QUEUES} queues (no store, no HTTP): median ${median(times).toFixed(1)} ms`;
}

/** What the metrics add on the hot path, in CPU time: the HTTP hook's observe, and a store call
 *  through the timing Proxy against the same call made directly (a method that resolves at once). */
async function hotPath(): Promise<string> {
  const metrics = new BrokerMetrics(new Activity());
  const N = 200_000;
  const cpuNs = (c: NodeJS.CpuUsage) => (c.user + c.system) * 1000;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) metrics.observeHttp('/q/:queue', 'POST', 200, 0.0004);
  const observe = cpuNs(process.cpuUsage(c0)) / N;
  const target = { kind: 'bench', async take(n: number) { return n; } };
  const timed = timeStore(target, metrics);
  const loop = async (s: typeof target) => {
    const c = process.cpuUsage();
    for (let i = 0; i < N; i++) await s.take(i);
    return cpuNs(process.cpuUsage(c)) / N;
  };
  const direct: number[] = [];
  const proxied: number[] = [];
  for (let r = 0; r < 5; r++) {
    direct.push(await loop(target));
    proxied.push(await loop(timed));
  }
  return `hot path (CPU): HTTP duration observe ${observe.toFixed(0)} ns per request; store call through the timing Proxy +${(median(proxied) - median(direct)).toFixed(0)} ns (${median(direct).toFixed(0)} ns direct, ${median(proxied).toFixed(0)} ns timed)`;
}

console.log(await hotPath());
console.log(await renderOnly());
for (const backend of ['redis', 'sqlite'] as const) console.log(await measure(backend));
