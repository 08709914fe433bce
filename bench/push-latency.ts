/**
 * `npm run bench:push`: idle push latency (one SSE consumer, one POST at a time, POST → arrival)
 * on each store, in interleaved rounds, with the broker's CPU per message. With
 * BENCH_AB_ROOT=<another checkout> every row also runs against a broker started from that tree
 * (same private Redis layout, its own redis-server), alternating A, B within each round: an
 * A/B of a change on a shared box. See bench/README.md ("Push latency").
 */
import { loadBenchConfig, type Backend } from './config.js';
import { installSignalCleanup, cleanup } from './procs.js';
import { startBrokerChild, startPrivateRedis, type PrivateRedis, type RunningServer } from './servers.js';
import { ConsumerPool } from './stream/consumer-pool.js';
import { latencyIdle } from './stream/latency.js';
import { BROKER_STREAM_ARGS } from './stream/suite.js';

installSignalCleanup();
const config = loadBenchConfig({ BENCH_STREAM_POSTS: '1000', BENCH_QUIET_WAIT: '0', ...process.env });
const backends = (process.env.BENCH_BACKENDS ?? 'memory,sqlite,redis').split(',').map((s) => s.trim()) as Backend[];
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const abRoot = process.env.BENCH_AB_ROOT;
const log = (msg: string) => process.stderr.write(`  … ${msg}\n`);

interface Side {
  label: string;
  backend: Backend;
  broker: RunningServer;
  redis?: PrivateRedis;
}

interface Row {
  label: string;
  round: number;
  p50: number;
  p99: number;
  mean: number;
  brokerUs: number;
  redisUs: number;
  problems: string[];
}

const sides: Side[] = [];
const rows: Row[] = [];
const fmt = (n: number, d = 2) => n.toFixed(d);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

try {
  for (const backend of backends) {
    for (const [tag, root] of abRoot ? ([['A', undefined], ['B', abRoot]] as const) : ([['', undefined]] as const)) {
      const redis = backend === 'redis' ? await startPrivateRedis() : undefined;
      const broker = await startBrokerChild(backend, {
        ...(redis ? { redis: redis.server } : {}),
        logLevel: config.brokerLogLevel,
        args: BROKER_STREAM_ARGS,
        ...(root ? { root } : {}),
      });
      sides.push({ label: tag ? `${backend} ${tag}` : backend, backend, broker, ...(redis ? { redis } : {}) });
    }
  }
  const pool = await ConsumerPool.start(1);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const s of sides) {
        const pids = { server: s.broker.pid, ...(s.redis ? { redis: s.redis.pid } : {}), consumers: pool.pids };
        const l = await latencyIdle({ config, log }, pool, { label: s.backend, server: s.broker, ...(s.redis ? { redisPid: s.redis.pid } : {}) }, 'sse', pids);
        const perMsg = (cores: number) => (cores * l.seconds * 1e6) / Math.max(1, l.sent);
        const row: Row = {
          label: s.label,
          round: r + 1,
          p50: l.lagMs.p50,
          p99: l.lagMs.p99,
          mean: l.lagMs.mean,
          brokerUs: perMsg(l.cpu.server),
          redisUs: perMsg(l.cpu.redis ?? 0),
          problems: [...l.problems, ...(l.missing ? [`${l.missing} lost`] : [])],
        };
        rows.push(row);
        log(`${row.label.padEnd(10)} round ${row.round}: p50 ${fmt(row.p50)} ms, p99 ${fmt(row.p99)} ms, broker ${fmt(row.brokerUs, 0)} µs/msg, redis ${fmt(row.redisUs, 0)} µs/msg ${row.problems.join('; ')}`);
      }
    }
  } finally {
    await pool.stop();
  }
  process.stdout.write(`push latency idle, SSE, ${config.stream.latencyPosts} sequential POSTs per round, ${rounds} rounds (medians of the rounds)\n`);
  process.stdout.write(`${'broker'.padEnd(12)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'mean ms'.padStart(9)}${'broker µs/msg'.padStart(15)}${'redis µs/msg'.padStart(14)}  rounds p50\n`);
  for (const s of sides) {
    const mine = rows.filter((x) => x.label === s.label);
    const m = (f: (x: Row) => number) => median(mine.map(f));
    process.stdout.write(
      `${s.label.padEnd(12)}${fmt(m((x) => x.p50)).padStart(8)}${fmt(m((x) => x.p99)).padStart(8)}${fmt(m((x) => x.mean)).padStart(9)}` +
        `${fmt(m((x) => x.brokerUs), 0).padStart(15)}${(s.redis ? fmt(m((x) => x.redisUs), 0) : '-').padStart(14)}  ${mine.map((x) => fmt(x.p50)).join(' / ')}` +
        `${mine.some((x) => x.problems.length) ? '  PROBLEMS: ' + [...new Set(mine.flatMap((x) => x.problems))].join('; ') : ''}\n`,
    );
  }
} finally {
  for (const s of sides) {
    await s.broker.stop();
    await s.redis?.stop();
  }
  await cleanup();
}
