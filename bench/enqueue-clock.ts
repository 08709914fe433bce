/**
 * What dating messages for the oldest-age metric costs an enqueue, A/B in one run:
 * - Redis: enqueue-9.lua as shipped against the same script with its date_clock call cut
 *   out, on a private redis-server, alternating rounds; Redis's own time per call (INFO
 *   commandstats, usec_per_call of evalsha: the machine's load hardly moves it) and the
 *   client-side rate with CONCURRENCY calls in flight.
 * - SQLite: the enqueue insert with enqueued_at from SQLite's clock against the insert
 *   without the column, one message per transaction as the store does.
 *
 *   node --import tsx bench/enqueue-clock.ts
 */
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { startRedis } from '../test/harness/redis.js';
import { keys } from '../src/storage/redis/keys.js';
import { loadScripts } from '../src/storage/redis/scripts.js';
import { NOW_MS } from '../src/storage/sqlite/sqlite-queue.js';

const CALLS = Number(process.env.CALLS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const CONCURRENCY = 50;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Enqueue = (...args: string[]) => Promise<string[]>;

async function redisAB(): Promise<string> {
  const script = loadScripts().find((s) => s.name === 'enqueue')!;
  const clockBlock = /^date_clock\(KEYS\[9\][^\n]*\n/m;
  if (!clockBlock.test(script.lua)) throw new Error('enqueue-9.lua: date_clock call not found');
  const server = await startRedis();
  const redis = new Redis({ host: server.host, port: server.port, lazyConnect: false });
  try {
    redis.defineCommand('withClock', { numberOfKeys: script.numberOfKeys, lua: script.lua });
    redis.defineCommand('withoutClock', { numberOfKeys: script.numberOfKeys, lua: script.lua.replace(clockBlock, '') });
    const call = (name: 'withClock' | 'withoutClock', q: string) => (redis as unknown as Record<string, Enqueue>)[name]!(
      keys.counter(q), keys.pending(q), keys.queueset, keys.status(q), keys.consumers(q), keys.delayed(q), keys.leasedQueues,
      keys.dedup(q, ''), keys.clock(q), q, keys.messagePrefix(q), '', 'restmq:bench-events', '0', '', '300', keys.metaSuffix, '',
      'a value of about forty bytes, as a job',
    );
    const round = async (name: 'withClock' | 'withoutClock') => {
      const q = `bench-clock-${name}-${Date.now()}`;
      await redis.config('RESETSTAT');
      const t0 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < CALLS) await call(name, q);
      }));
      const rate = CALLS / ((performance.now() - t0) / 1000);
      const stats = await redis.info('commandstats');
      const usec = Number(/cmdstat_evalsha:.*usec_per_call=([\d.]+)/.exec(stats)?.[1] ?? NaN);
      return { rate, usec };
    };
    const r: Record<'withClock' | 'withoutClock', { rate: number[]; usec: number[] }> = { withClock: { rate: [], usec: [] }, withoutClock: { rate: [], usec: [] } };
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of i % 2 === 0 ? (['withoutClock', 'withClock'] as const) : (['withClock', 'withoutClock'] as const)) {
        const x = await round(name);
        r[name].rate.push(x.rate);
        r[name].usec.push(x.usec);
      }
    }
    if (process.env.VERBOSE) console.log(JSON.stringify(r));
    const line = (name: 'withClock' | 'withoutClock') => `${median(r[name].usec).toFixed(2)} µs in Redis per call, ${median(r[name].rate).toFixed(0)} calls/s`;
    return `redis  enqueue (1 message, ${CALLS} calls x ${ROUNDS} rounds, medians): without clock ${line('withoutClock')}; with clock ${line('withClock')}`;
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

function sqliteAB(): string {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE messages (queue TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, expires_at INTEGER, enqueued_at INTEGER, PRIMARY KEY (queue, seq)) WITHOUT ROWID');
  const plain = db.prepare('INSERT INTO messages (queue, seq, value, expires_at) VALUES (?, ?, ?, ?)');
  const dated = db.prepare(`INSERT INTO messages (queue, seq, value, expires_at, enqueued_at) VALUES (?, ?, ?, ?, ${NOW_MS})`);
  let seq = 0;
  const run = (stmt: Database.Statement) => {
    const one = db.transaction(() => stmt.run('bench', ++seq, 'a value of about forty bytes, as a job', null));
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) one();
    return ((performance.now() - t0) * 1000) / CALLS;
  };
  const r = { plain: [] as number[], dated: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    r.plain.push(run(plain));
    r.dated.push(run(dated));
  }
  db.close();
  return `sqlite insert (1 message per transaction, in memory, medians): without enqueued_at ${median(r.plain).toFixed(2)} µs, with ${median(r.dated).toFixed(2)} µs`;
}

console.log(await redisAB());
console.log(sqliteAB());
