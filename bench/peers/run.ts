/**
 * `npm run bench:peers`: our broker against its peers on this box, in one run, on one private
 * Redis: bare Fastify and redis-benchmark (the ceilings), RSMQ behind a minimal Fastify wrapper,
 * RabbitMQ's management HTTP API, Nchan (nginx) for push delivery, and two brokers side by side.
 * Installs what it needs from Debian (install.ts), prints one table, writes
 * bench/results/peers-<date>.json, and stops everything it started (also on error or Ctrl-C).
 * See bench/README.md ("bench:peers").
 */
import { cpus, loadavg } from 'node:os';
import { loadBenchConfig } from '../config.js';
import { pickLoadTool, type LoadSpec } from '../http-load.js';
import { cleanup, installSignalCleanup, processesRssBytes, processTree } from '../procs.js';
import { startBareServer, startBrokerChild, startListeningScript, startPrivateRedis, type PrivateRedis, type RunningServer } from '../servers.js';
import { ConsumerPool } from '../stream/consumer-pool.js';
import type { Pids } from '../stream/cpu.js';
import { fanout } from '../stream/fanout.js';
import { latencyIdle } from '../stream/latency.js';
import type { Target } from '../stream/run-line.js';
import { BROKER_STREAM_ARGS } from '../stream/suite.js';
import type { StreamLine } from '../stream/types.js';
import { messageValue, prefill } from '../suite.js';
import { bulkBody, bunqueuePids, prefillBunqueue, pullAckPair, pushBody, startBunqueue } from './bunqueue.js';
import { ensureInstalled } from './install.js';
import { measureHttp, medianRows, naLine, type Group, type HttpCtx, type PeerLine } from './lines.js';
import { nchanPublisher, startNchan } from './nchan.js';
import { connect as connectRabbit } from './rabbitmq-http.js';
import { redisCeiling } from './redis-ceiling.js';
import { formatTable, ratios, targets, writeJson } from './table.js';

installSignalCleanup();
// Shorter runs than `npm run bench`: the whole comparison stays within ~6 minutes. Every knob
// of bench/config.ts still applies (BENCH_SECONDS=10 for longer runs).
const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const config = {
  ...loadBenchConfig({
    ...(quick ? {} : { BENCH_SECONDS: '4', BENCH_WARMUP: '1', BENCH_STREAM_SECONDS: '4', BENCH_STREAM_WARMUP: '1', BENCH_STREAM_POSTS: '1000' }),
    BENCH_QUIET_WAIT: '0',
    ...process.env,
  }),
  /** BENCH_PEERS_ROUNDS: interleaved rounds of the head-to-head rows (bare, ours, RSMQ). */
  rounds: Number(process.env.BENCH_PEERS_ROUNDS ?? (quick ? 1 : 3)),
  /** BENCH_PEERS_ONLY=sqlite: only the embedded-store section (our SQLite broker vs bunqueue). */
  only: process.env.BENCH_PEERS_ONLY,
};
if (config.only !== undefined && config.only !== 'sqlite') throw new Error('BENCH_PEERS_ONLY must be sqlite (or unset)');
if (!Number.isInteger(config.rounds) || config.rounds < 1) throw new Error('BENCH_PEERS_ROUNDS must be a whole number ≥ 1');
const tool = pickLoadTool();
const log = (msg: string) => process.stderr.write(`  … ${msg}\n`);
const ctx: HttpCtx = { config, tool, log };
const startedAt = new Date();
const lines: PeerLine[] = [];
const nchanWorkers = Number(process.env.BENCH_NCHAN_WORKERS ?? cpus().length);
const value = messageValue(config.valueBytes);
const form = (url: string, id: string, group: Group, server: string, test: string, pids: () => number[], store: () => number[]) => ({
  id,
  group,
  server,
  test,
  specs: [{ url, method: 'POST' as const, body: `value=${value}`, contentType: 'application/x-www-form-urlencoded', connections: config.connections, seconds: config.seconds, maxRequests: config.maxRequests }],
  serverPids: pids,
  storePids: store,
});
const get = (url: string, connections = config.connections): LoadSpec => ({ url, method: 'GET', connections, seconds: config.seconds, maxRequests: config.maxRequests });
const empties = (load: { status: Record<string, number> }) => (load.status['204'] ? [`${load.status['204'].toLocaleString('en-US')} empty (204): prefill too small`] : []);

/** A row that could not be measured is printed as n/a: one broken peer must not cost the others. */
async function guard(id: string, group: Group, server: string, test: string, fn: () => Promise<PeerLine | PeerLine[]>): Promise<void> {
  try {
    const r = await fn();
    lines.push(...(Array.isArray(r) ? r : [r]));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    log(`${server} ${test}: FAILED ${msg.split('\n')[0]}`);
    lines.push(naLine(id, group, server, test, msg));
  }
}

/** Enough messages for `seconds` (default: a warm-up and a measured run) at `rate`, + 25 %. */
function prefillCount(rate: number, seconds = config.seconds + config.warmupSeconds): number {
  return Math.min(config.maxRequests * config.rounds, Math.ceil((rate * seconds * 1.25) / 1000) * 1000);
}

async function timedPrefill(base: string, q: string, n: number, who: string): Promise<void> {
  const t0 = Date.now();
  await prefill(base, q, n, value);
  log(`${who}: prefilled ${q} with ${n.toLocaleString('en-US')} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function fromStream(id: string, group: Group, server: string, l: StreamLine, redis?: PrivateRedis): PeerLine {
  const store = l.cpu.redis ?? 0;
  const isLatency = l.kind === 'latency-idle';
  return {
    id,
    group,
    server,
    test: isLatency ? 'push latency idle, SSE (POST → arrival)' : 'SSE broadcast fan-out (deliveries/s, lag)',
    conns: l.consumers,
    rate: l.deliveriesPerSec,
    p50Ms: l.lagMs.p50,
    p99Ms: l.lagMs.p99,
    cpuUsPerMsg: l.deliveriesPerSec > 0 ? ((l.cpu.server + store) * 1e6) / l.deliveriesPerSec : undefined,
    cores: { server: l.cpu.server, store, others: l.cpu.others },
    ...(l.rssBytes === undefined ? {} : { rssBytes: l.rssBytes + (redis ? processesRssBytes([redis.pid]) : 0) }),
    errors: l.missing + l.extra + l.cutOff,
    notes: [
      ...(isLatency ? [`${l.sent} POSTs one at a time`] : l.server === 'nchan' ? ['1 msg per POST /pub (Nchan has no batch publish)'] : [`${(l.batchMean ?? 0).toFixed(0)} msgs per POST ?batch=1`]),
      `consumer procs ${l.cpu.consumers.toFixed(2)} + irq ${l.cpu.irq.toFixed(2)} cores`,
      ...l.problems,
    ],
  };
}

interface Side {
  id: string;
  group: Group;
  server: string;
  url: string;
  pids: () => number[];
  store: () => number[];
}

/** `config.rounds` interleaved rounds of `rows` (A B C, A B C, ...); a failed row is logged and left out of its round. */
async function rounds(rows: Array<(round: number) => Promise<PeerLine>>): Promise<PeerLine[][]> {
  const out: PeerLine[][] = [];
  for (let r = 0; r < config.rounds; r++) {
    const round: PeerLine[] = [];
    for (const row of rows) {
      try {
        round.push(await row(r));
      } catch (err) {
        log(`round ${r + 1} FAILED: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
      }
    }
    out.push(round);
  }
  return out;
}

/**
 * The head-to-head rows (bare handler, our broker, RSMQ): POST, then GET, each in
 * `config.rounds` interleaved rounds, one row per side = its median round. A busy spell on the
 * shared box then lands on every side instead of on whichever ran at that moment.
 */
async function headToHead(sides: { bare: Side; ours: Side; rsmq: Side }): Promise<void> {
  const { bare, ours, rsmq } = sides;
  const postRow = (s: Side, id: string, test: string) => (r: number) => measureHttp(ctx, { ...form(`${s.url}/q/bench-post`, id, s.group, s.server, test, s.pids, s.store), warm: r > 0 });
  const posts = medianRows(await rounds([postRow(bare, 'bare.post', 'POST one message'), postRow(ours, 'redis.post', 'send: POST one message'), postRow(rsmq, 'rsmq.send', 'send: POST one message')]));
  lines.push(...posts);
  // Enough messages for every GET round at the rate each side could reach at most: the bare
  // handler's GET is ~1.1-1.4 × its POST; RSMQ's pop ~1.5-2.5 × its send (earlier runs).
  const rateOf = (id: string) => posts.find((l) => l.id === id)?.rate ?? 0;
  const busy = config.rounds * config.seconds + config.warmupSeconds;
  const oursMax = Math.min(60_000, Math.max(20_000, 1.5 * rateOf('bare.post')));
  const rsmqMax = Math.min(oursMax, Math.max(8_000, 2.5 * rateOf('rsmq.send')));
  await timedPrefill(ours.url, 'bench-get', prefillCount(oursMax, busy), ours.server);
  await timedPrefill(rsmq.url, 'bench-get', prefillCount(rsmqMax, busy), rsmq.server);
  const getRow = (s: Side, id: string, test: string) => (r: number) =>
    measureHttp(ctx, { id, group: s.group, server: s.server, test, specs: [get(`${s.url}/q/bench-get`)], serverPids: s.pids, storePids: s.store, note: empties, warm: r > 0 });
  lines.push(...medianRows(await rounds([getRow(bare, 'bare.get', 'GET one message'), getRow(ours, 'redis.get', 'receive: GET one message'), getRow(rsmq, 'rsmq.receive', 'receive: GET one (popMessage)')])));
}

async function brokerRows(broker: RunningServer, store: () => number[], getRate: number): Promise<void> {
  const label = 'redis';
  const server = `restmq (${label})`;
  const pids = () => [broker.pid];
  await guard(`${label}.batch`, 'ours', server, 'batch: POST ?batch=1 ×100', () =>
    measureHttp(ctx, {
      id: `${label}.batch`,
      group: 'ours',
      server,
      test: 'batch: POST ?batch=1 ×100',
      specs: [{ url: `${broker.url}/q/bench-batch?batch=1`, method: 'POST', body: JSON.stringify(Array(100).fill(value)), contentType: 'application/json', connections: config.connections, seconds: config.seconds, maxRequests: config.maxRequests }],
      serverPids: pids,
      storePids: store,
      count: (l) => (l.status['200'] ?? 0) * 100,
    }),
  );
  await guard(`${label}.lease`, 'ours', server, 'GET ?lease=30 + DELETE receipt', async () => {
    await timedPrefill(broker.url, 'bench-lease', prefillCount(getRate / 2), server);
    return measureHttp(ctx, {
      id: `${label}.lease`,
      group: 'ours',
      server,
      test: 'GET ?lease=30 + DELETE receipt',
      specs: [{ ...get(`${broker.url}/q/bench-lease`), leaseAck: { leaseSeconds: 30 } }],
      serverPids: pids,
      storePids: store,
      count: (l) => l.pairs?.acked ?? 0,
      note: () => ['msgs/s = pairs; latency of the pair'],
    });
  });
}

/**
 * Our SQLite broker against bunqueue (one SQLite file behind Bun's HTTP server), in interleaved
 * rounds: push one message, take + ack one, push 100 in one request. bunqueue answers a push
 * before its SQLite write unless the job asks to be durable, so both of its push rows are shown;
 * ours always answers after the commit.
 */
async function embeddedRows(sqlite: RunningServer, getRate: number): Promise<void> {
  const ours = 'restmq (sqlite)';
  const oursPids = () => [sqlite.pid];
  const none = () => [] as number[];
  let bq: RunningServer | undefined;
  try {
    bq = await startBunqueue(log);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    log(`bunqueue: ${why}`);
    for (const [id, test] of [['bunqueue.push', 'push one job'], ['bunqueue.pullack', 'pull one job + ack'], ['bunqueue.bulk', 'push 100 jobs (bulk)']] as const) lines.push(naLine(id, 'peer', 'bunqueue', test, why));
  }
  try {
    const json = { contentType: 'application/json', connections: config.connections, seconds: config.seconds, maxRequests: config.maxRequests };
    const b = bq;
    const bqPids = b ? bunqueuePids(b) : none;
    const pushRow = (durable: boolean) => (r: number) =>
      measureHttp(ctx, {
        id: durable ? 'bunqueue.pushdurable' : 'bunqueue.push',
        group: 'peer',
        server: 'bunqueue',
        test: durable ? 'push one job, durable: true (written before the reply)' : 'push one job (default: reply before the write)',
        specs: [{ ...json, url: `${b!.url}/queues/bench-push/jobs`, method: 'POST', body: pushBody(value, durable) }],
        serverPids: bqPids,
        warm: r > 0,
      });
    const sends = [(r: number) => measureHttp(ctx, { ...form(`${sqlite.url}/q/bench-post`, 'sqlite.post', 'ours', ours, 'send: POST one message', oursPids, none), warm: r > 0 })];
    if (b) sends.push(pushRow(false), pushRow(true));
    lines.push(...medianRows(await rounds(sends)));

    await guard('sqlite.get', 'ours', ours, 'receive: GET one message', async () => {
      await timedPrefill(sqlite.url, 'bench-get', prefillCount(getRate), ours);
      return measureHttp(ctx, { id: 'sqlite.get', group: 'ours', server: ours, test: 'receive: GET one message', specs: [get(`${sqlite.url}/q/bench-get`)], serverPids: oursPids, note: empties });
    });

    const pairs = prefillCount(getRate / 2, config.rounds * config.seconds + config.warmupSeconds);
    await timedPrefill(sqlite.url, 'bench-lease', pairs, ours);
    if (b) await prefillBunqueue(b.url, 'bench-pull', pairs, value);
    const pairNote = () => ['msgs/s = pairs; latency of the pair'];
    const takes = [
      (r: number) =>
        measureHttp(ctx, { id: 'sqlite.lease', group: 'ours', server: ours, test: 'GET ?lease=30 + DELETE receipt', specs: [{ ...get(`${sqlite.url}/q/bench-lease`), leaseAck: { leaseSeconds: 30 } }], serverPids: oursPids, count: (l) => l.pairs?.acked ?? 0, note: pairNote, warm: r > 0 }),
    ];
    if (b)
      takes.push((r: number) =>
        measureHttp(ctx, { id: 'bunqueue.pullack', group: 'peer', server: 'bunqueue', test: 'pull one job + ack', specs: [{ ...json, url: b.url, method: 'GET', pair: pullAckPair('bench-pull') }], serverPids: bqPids, count: (l) => l.pairs?.acked ?? 0, note: pairNote, warm: r > 0 }),
      );
    lines.push(...medianRows(await rounds(takes)));

    const bulks = [
      (r: number) =>
        measureHttp(ctx, {
          id: 'sqlite.batch',
          group: 'ours',
          server: ours,
          test: 'batch: POST ?batch=1 ×100',
          specs: [{ ...json, url: `${sqlite.url}/q/bench-batch?batch=1`, method: 'POST', body: JSON.stringify(Array(100).fill(value)) }],
          serverPids: oursPids,
          count: (l) => (l.status['200'] ?? 0) * 100,
          warm: r > 0,
        }),
    ];
    if (b)
      bulks.push((r: number) =>
        measureHttp(ctx, { id: 'bunqueue.bulk', group: 'peer', server: 'bunqueue', test: 'push 100 jobs (bulk)', specs: [{ ...json, url: `${b.url}/queues/bench-bulk/jobs/bulk`, method: 'POST', body: bulkBody(value, 100) }], serverPids: bqPids, count: (l) => (l.status['200'] ?? 0) * 100, warm: r > 0 }),
      );
    lines.push(...medianRows(await rounds(bulks)));
  } finally {
    await bq?.stop();
  }
}

async function rsmqLeaseRow(w: RunningServer, redis: PrivateRedis, getRate: number): Promise<void> {
  const server = 'rsmq + fastify';
  await guard('rsmq.lease', 'peer', server, 'receiveMessage vt=30 + deleteMessage', async () => {
    await timedPrefill(w.url, 'bench-lease', prefillCount(getRate / 2), server);
    return measureHttp(ctx, {
      id: 'rsmq.lease',
      group: 'peer',
      server,
      test: 'receiveMessage vt=30 + deleteMessage',
      specs: [{ ...get(`${w.url}/q/bench-lease`), leaseAck: { leaseSeconds: 30 } }],
      serverPids: () => [w.pid],
      storePids: () => [redis.pid],
      count: (l) => l.pairs?.acked ?? 0,
      note: () => ['msgs/s = pairs; latency of the pair'],
    });
  });
}

async function rabbitRows(): Promise<void> {
  const server = 'rabbitmq http api';
  const r = await connectRabbit(log);
  if (typeof r === 'string') {
    lines.push(naLine('rabbit.publish', 'peer', server, 'publish one message', r), naLine('rabbit.get', 'peer', server, 'get one message, ack', r));
    return;
  }
  try {
    const base = { headers: r.headers, contentType: 'application/json', connections: config.connections, seconds: config.seconds, maxRequests: config.maxRequests };
    // The publish runs fill the queue the get runs drain; a get on an empty queue answers `[]`.
    await guard('rabbit.publish', 'peer', server, 'publish one message', () =>
      measureHttp(ctx, { id: 'rabbit.publish', group: 'peer', server, test: 'publish one message', specs: [{ ...base, url: r.publishUrl, method: 'POST', body: r.publishBody(value), matchBody: /"routed":true/ }], serverPids: r.pids, count: (l) => l.matched ?? 0 }),
    );
    // The publish row alone leaves too few messages for a get row at the same rate: top up (unmeasured).
    log(`${server}: filling the queue for the get row (${config.seconds * 2} s of publishing, unmeasured)`);
    await tool.run({ ...base, url: r.publishUrl, method: 'POST', body: r.publishBody(value), seconds: config.seconds * 2 });
    await guard('rabbit.get', 'peer', server, 'get one message, ack', () =>
      measureHttp(ctx, {
        id: 'rabbit.get',
        group: 'peer',
        server,
        test: 'get one message, ack',
        specs: [{ ...base, url: r.getUrl, method: 'POST', body: r.getBody, matchBody: /^\[\{/ }],
        serverPids: r.pids,
        count: (l) => l.matched ?? 0,
        note: (l, line) => (line.rate !== undefined && l.responses > (l.matched ?? 0) ? [`${(l.responses - (l.matched ?? 0)).toLocaleString('en-US')} empty gets (queue drained)`] : []),
      }),
    );
  } finally {
    await r.close();
  }
}

async function scaleRows(first: RunningServer, redis: PrivateRedis, getRate: number): Promise<void> {
  const second = await startBrokerChild('redis', { redis: redis.server, logLevel: config.brokerLogLevel, args: BROKER_STREAM_ARGS });
  try {
    const server = 'restmq (redis) ×2';
    const pids = () => [first.pid, second.pid];
    const store = () => [redis.pid];
    const half = Math.ceil(config.connections / 2);
    const post = (url: string): LoadSpec => ({ url, method: 'POST', body: `value=${value}`, contentType: 'application/x-www-form-urlencoded', connections: half, seconds: config.seconds, maxRequests: config.maxRequests });
    await guard('redis2.post', 'ours', server, 'send: POST, 2 brokers', () =>
      measureHttp(ctx, { id: 'redis2.post', group: 'ours', server, test: 'send: POST, 2 brokers', specs: [post(`${first.url}/q/bench-post2`), post(`${second.url}/q/bench-post2`)], serverPids: pids, storePids: store }),
    );
    await guard('redis2.get', 'ours', server, 'receive: GET, 2 brokers', async () => {
      await timedPrefill(first.url, 'bench-get2', prefillCount(getRate * 1.5), server);
      return measureHttp(ctx, { id: 'redis2.get', group: 'ours', server, test: 'receive: GET, 2 brokers', specs: [get(`${first.url}/q/bench-get2`, half), get(`${second.url}/q/bench-get2`, half)], serverPids: pids, storePids: store, note: empties });
    });
  } finally {
    await second.stop();
  }
  await workerRows(redis, getRate);
  await logRows(redis);
}

/**
 * What logging costs: the broker at its default flags (log level info, no access log) and with
 * `--access-log`, against a warn-level broker measured right before them on the same Redis
 * (the rows above ran much earlier, on an emptier Redis: not a fair baseline), POST one each.
 */
async function logRows(redis: PrivateRedis): Promise<void> {
  for (const [id, server, level, extra] of [
    ['redislogwarn.post', 'restmq (redis) --log-level warn, beside the log rows', 'warn', []],
    ['redisdefault.post', 'restmq (redis) default log settings', 'info', []],
    ['redisaccess.post', 'restmq (redis) --access-log', 'info', ['--access-log']],
  ] as const) {
    const broker = await startBrokerChild('redis', { redis: redis.server, logLevel: level, args: [...BROKER_STREAM_ARGS, ...extra] });
    try {
      await guard(id, 'ours', server, 'send: POST one message', () => measureHttp(ctx, form(`${broker.url}/q/bench-postlog`, id, 'ours', server, 'send: POST one message', () => [broker.pid], () => [redis.pid])));
    } finally {
      await broker.stop();
    }
  }
}

/** One broker with `--workers 2`: two processes behind one port (node:cluster), 50 connections. */
async function workerRows(redis: PrivateRedis, getRate: number): Promise<void> {
  const broker = await startBrokerChild('redis', { redis: redis.server, logLevel: config.brokerLogLevel, args: [...BROKER_STREAM_ARGS, '--workers', '2'] });
  try {
    const server = 'restmq (redis) --workers 2';
    // The supervisor and its workers (forked after the first /ready answered).
    const pids = () => processTree(broker.pid);
    const store = () => [redis.pid];
    await guard('redisw2.post', 'ours', server, 'send: POST one message', () => measureHttp(ctx, form(`${broker.url}/q/bench-postw`, 'redisw2.post', 'ours', server, 'send: POST one message', pids, store)));
    await guard('redisw2.get', 'ours', server, 'receive: GET one message', async () => {
      await timedPrefill(broker.url, 'bench-getw', prefillCount(getRate * 1.5), server);
      return measureHttp(ctx, { id: 'redisw2.get', group: 'ours', server, test: 'receive: GET one message', specs: [get(`${broker.url}/q/bench-getw`)], serverPids: pids, storePids: store, note: empties });
    });
  } finally {
    await broker.stop();
  }
}

async function streamRows(pool: ConsumerPool, t: Target, pids: Pids, prefix: string, group: Group, server: string, redis?: PrivateRedis): Promise<void> {
  const sctx = { config, log };
  await guard(`${prefix}.latency.sse`, group, server, 'push latency idle, SSE', async () => fromStream(`${prefix}.latency.sse`, group, server, await latencyIdle(sctx, pool, t, 'sse', pids), redis));
  for (const k of config.stream.sseConsumers) {
    await guard(`${prefix}.sse.${k}`, group, server, `SSE fan-out to ${k}`, async () => fromStream(`${prefix}.sse.${k}`, group, server, await fanout(sctx, pool, t, 'sse', k, pids), redis));
  }
}

/** Push latency idle (SSE) of a broker whose store is in its own process (SQLite, memory). */
async function localLatencyRow(broker: RunningServer, prefix: 'sqlite' | 'memory', server: string): Promise<void> {
  const pool = await ConsumerPool.start(1);
  try {
    const id = `${prefix}.latency.sse`;
    await guard(id, 'ours', server, 'push latency idle, SSE', async () =>
      fromStream(id, 'ours', server, await latencyIdle({ config, log }, pool, { label: prefix, server: broker }, 'sse', { server: broker.pid, consumers: pool.pids })));
  } finally {
    await pool.stop();
  }
}

/** Everything on Redis: the ceilings, ours vs RSMQ and RabbitMQ, two brokers, push delivery vs Nchan. Returns the bare GET rate. */
async function redisSections(installed: ReturnType<typeof ensureInstalled>, redis: PrivateRedis, bare: RunningServer, bareGetFloor: number): Promise<number> {
  const store = () => [redis.pid];
  let bareGet = bareGetFloor;
  if (installed.redisBenchmark) await guard('redisbench', 'ceiling', 'redis-benchmark', 'ceilings', () => redisCeiling(redis.server.port, redis.pid, config.quick ? 20_000 : 100_000, log).then((ls) => ls.map((l, i) => ({ ...l, id: i === 0 ? 'redisbench.lpush16' : `redisbench.${i}` }))));
  else lines.push(naLine('redisbench.lpush16', 'ceiling', 'redis-benchmark', 'ceilings', installed.notes.join('; ') || 'redis-benchmark not found'));

  const broker = await startBrokerChild('redis', { redis: redis.server, logLevel: config.brokerLogLevel, args: BROKER_STREAM_ARGS });
  try {
    const rsmq = await startListeningScript('bench/peers/rsmq-fastify.ts', [String(redis.server.port)], 'rsmq + fastify');
    try {
      await headToHead({
        bare: { id: 'bare', group: 'ceiling', server: 'bare fastify', url: bare.url, pids: () => [bare.pid], store: () => [] },
        ours: { id: 'redis', group: 'ours', server: 'restmq (redis)', url: broker.url, pids: () => [broker.pid], store },
        rsmq: { id: 'rsmq', group: 'peer', server: 'rsmq + fastify', url: rsmq.url, pids: () => [rsmq.pid], store },
      });
      bareGet = Math.max(bareGet, lines.find((l) => l.id === 'bare.get')?.rate ?? 0);
      await brokerRows(broker, store, bareGet);
      await rsmqLeaseRow(rsmq, redis, bareGet);
    } finally {
      await rsmq.stop();
    }
    await guard('rabbit', 'peer', 'rabbitmq http api', 'publish / get', () => rabbitRows().then(() => []));
    await scaleRows(broker, redis, bareGet);
    const pool = await ConsumerPool.start(config.stream.workers);
    try {
      await streamRows(pool, { label: 'redis', server: broker, redisPid: redis.pid }, { server: broker.pid, redis: redis.pid, consumers: pool.pids }, 'redis', 'ours', 'restmq (redis)', redis);
      if (!installed.nchan) lines.push(naLine('nchan.sse.1000', 'peer', 'nginx + nchan', 'SSE', installed.notes.join('; ') || 'nginx with the nchan module not installed'));
      else {
        const nchan = await startNchan(nchanWorkers);
        try {
          const t: Target = { label: 'nchan', server: nchan, publisher: nchanPublisher };
          await streamRows(pool, t, { server: nchan.pid, serverPids: nchan.pids(), consumers: pool.pids }, 'nchan', 'peer', `nginx + nchan (${nchanWorkers} workers)`);
        } finally {
          await nchan.stop();
        }
      }
    } finally {
      await pool.stop();
    }
  } finally {
    await broker.stop();
  }
  return bareGet;
}

function header(): string {
  const cpu = cpus();
  return [
    `RestMQ vs peers, ${startedAt.toISOString()}${config.quick ? '  [BENCH_QUICK: smoke run, figures are not comparable]' : ''}`,
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} at start; Node ${process.version}`,
    `HTTP rows: ${config.connections} keep-alive connections, ${config.seconds} s after a ${config.warmupSeconds} s warm-up, generator ${tool.name} in this process;`,
    `           bare / ours / RSMQ POST and GET: ${config.rounds} interleaved rounds each, the median round shown;`,
    `push rows: ${config.stream.workers} consumer processes, closed-loop producer (lag budget ${config.stream.lagBudgetMs} ms), ${config.stream.seconds} s after ${config.stream.warmupSeconds} s.`,
    'Everything (servers, redis-server, generator, consumers) shares these cores on 127.0.0.1: compare ratios within this run.',
    'CPU µs/msg = CPU of the server processes + their store (redis-server) per message (per delivery for fan-out, per op for redis-benchmark).',
  ].join('\n');
}

let exitCode = 0;
try {
  process.stdout.write(header() + '\n\n');
  const installed = ensureInstalled(log);
  const redis = await startPrivateRedis();
  const bare = await startBareServer();
  // The bare GET rate bounds every GET here: it sizes the later prefills (20,000/s at least).
  let bareGet = 20_000;
  try {
    if (config.only !== 'sqlite') bareGet = await redisSections(installed, redis, bare, bareGet);
    const sqlite = await startBrokerChild('sqlite', { logLevel: config.brokerLogLevel, args: BROKER_STREAM_ARGS });
    try {
      await embeddedRows(sqlite, bareGet);
      await localLatencyRow(sqlite, 'sqlite', 'restmq (sqlite)');
    } finally {
      await sqlite.stop();
    }
    const memory = await startBrokerChild('memory', { logLevel: config.brokerLogLevel, args: BROKER_STREAM_ARGS });
    try {
      await localLatencyRow(memory, 'memory', 'restmq (memory)');
    } finally {
      await memory.stop();
    }
  } finally {
    await bare.stop();
    await redis.stop();
  }
  const rs = ratios(lines);
  const checks = targets(lines, rs);
  process.stdout.write(formatTable(lines, rs, checks) + '\n\n');
  const file = writeJson(config.resultsDir, startedAt, config.quick, { startedAt, machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() }, config, tool: tool.name, lines, ratios: rs, targets: checks });
  process.stdout.write(`results: ${file}\n`);
} catch (err) {
  process.stderr.write(`bench:peers failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
