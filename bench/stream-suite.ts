/**
 * Push delivery (COMET, SSE, WebSocket): what `npm run bench` measures after the HTTP suite.
 *
 *   1. the ceiling: a bare Node broadcaster (bench/sse-ceiling-server.ts, its own process),
 *      SSE fan-out to each size of BENCH_STREAM_SSE and WebSocket fan-out to BENCH_STREAM_WS;
 *   2. per backend (redis, sqlite), a broker child (`--log-level warn --heartbeat 15`):
 *      - push latency at idle: one consumer, one POST at a time (COMET, SSE), from just before
 *        the POST is sent to the read that brings the message's line to the consumer;
 *      - push latency under load: one consumer, a paced producer (BENCH_STREAM_RATE msgs/s in
 *        small batches every 2 ms), lag per message from the send time in its value;
 *      - broadcast fan-out to 1, 100, 1,000 SSE consumers and 1,000 WebSocket consumers:
 *        deliveries/s (counted at the clients) and the lag of every (sampled) delivery.
 *
 * Consumers live in separate processes (bench/stream-consumers.ts, BENCH_STREAM_WORKERS of
 * them) that only count messages and sample lags; the producer runs in this process. Fan-out
 * producers are closed-loop: batches go out as fast as the slowest consumer takes them, with
 * at most BENCH_STREAM_INFLIGHT deliveries (messages × consumers) sent but not yet received by
 * every consumer, so a run measures what the server sustains, not how long a backlog grows.
 * Every run checks that each consumer received each message exactly once.
 */
import http from 'node:http';
import type { Backend, BenchConfig } from './config.js';
import { LogHistogram, monoUs, type HistogramData } from './histogram.js';
import { machineCpuSeconds, processCpuSeconds, processesCpuSeconds, processesRssBytes, spawnNode, type NodeChild } from './procs.js';
import { startBrokerChild, startPrivateRedis, startPushCeiling, type RunningServer } from './servers.js';
import type { StreamTransport, WorkerCommand, WorkerEvent, WorkerStats } from './stream-consumers.js';
import { messageValue, waitForQuiet } from './suite.js';

export interface StreamCtx {
  config: BenchConfig;
  log: (msg: string) => void;
}

export type StreamKind = 'latency-idle' | 'latency-loaded' | 'fanout';

/** CPU used during a measured run, in cores (the box has 2). */
export interface StreamCpu {
  /** The broker child, or the bare broadcaster. */
  server: number;
  redis?: number;
  /** All consumer processes together. */
  consumers: number;
  /** This process: the producer (and the bench's bookkeeping). */
  producer: number;
  /** Interrupt time (loopback TCP in softirq, charged to no process). */
  irq: number;
  /** Time the hypervisor gave to other VMs. */
  steal: number;
  /** Everything else: other people's processes on the shared box. */
  others: number;
  machine: number;
}

/** Who served a line: the bare broadcaster, a broker backend, or a peer (bench/peers/). */
export type StreamServer = 'ceiling' | Backend | 'nchan';

export interface StreamLine {
  server: StreamServer;
  kind: StreamKind;
  transport: StreamTransport;
  consumers: number;
  /** Consumer processes the connections were spread over. */
  consumerProcesses: number;
  /** Measured wall time: from the first send to the last delivery. */
  seconds: number;
  /** Messages produced in the measured run. */
  sent: number;
  msgsPerSec: number;
  /** Messages received, summed over consumers (= sent × consumers when nothing is lost). */
  deliveries: number;
  deliveriesPerSec: number;
  /** Push latency (idle runs) or delivery lag (the others), over the sampled deliveries. */
  lagMs: { p50: number; p99: number; max: number; mean: number; samples: number };
  /** sent × consumers − deliveries when positive: messages some consumer never got. */
  missing: number;
  /** Deliveries beyond one per message per consumer (a consumer got more than `sent`). */
  extra: number;
  minPerConnection: number;
  maxPerConnection: number;
  /** Connections the server closed during the run (a consumer cut off). */
  cutOff: number;
  /** Producer errors, key mismatches, drain timeouts, client errors. */
  problems: string[];
  producer: string;
  /** Fan-out: mean messages per POST, and the producer's in-flight allowance (msgs) at the end. */
  batchMean?: number;
  allowanceEnd?: number;
  cpu: StreamCpu;
  /** CLOCK_MONOTONIC µs around the measured run (for --cpu-prof windows). */
  windowUs: [number, number];
  /** Resident memory of the server's processes at the end of a fan-out run, connections still open. */
  rssBytes?: number;
}

export interface StreamTarget {
  server: Backend;
  kind: StreamKind;
  transport: StreamTransport;
  consumers: number;
  text: string;
  pass: boolean;
}

export interface StreamSuiteResult {
  /** What shared the cores during the runs. */
  setup: string[];
  lines: StreamLine[];
  targets: StreamTarget[];
  failures: Array<{ server: StreamServer; error: string }>;
}

// ---------------------------------------------------------------------------------------------
// Consumer processes

export class ConsumerPool {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s: WorkerStats | undefined) => void; reject: (e: Error) => void }>();
  private readonly mins: number[];
  private active: number[] = [];
  onProgress: (() => void) | undefined;
  onArrival: ((e: Extract<WorkerEvent, { type: 'arrival' }>) => void) | undefined;

  private constructor(readonly procs: NodeChild[]) {
    this.mins = procs.map(() => 0);
    procs.forEach((p, i) => {
      p.child.on('message', (raw) => this.onMessage(i, raw as WorkerEvent));
      p.child.once('exit', (code, signal) => {
        for (const w of this.pending.values()) w.reject(new Error(`consumer process ${p.pid} exited (${code ?? signal}): ${p.output.slice(-5).join(' | ')}`));
        this.pending.clear();
      });
    });
  }

  static async start(n: number): Promise<ConsumerPool> {
    const procs = await Promise.all(
      Array.from({ length: n }, () => spawnNode('bench/stream-consumers.ts', [], { ipc: true, ready: (line) => line.includes('"ready"') })),
    );
    return new ConsumerPool(procs);
  }

  get pids(): number[] {
    return this.procs.map((p) => p.pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
  }

  private onMessage(i: number, e: WorkerEvent): void {
    switch (e.type) {
      case 'reply': {
        const w = this.pending.get(e.id);
        this.pending.delete(e.id);
        if (!w) return;
        if (e.ok) w.resolve(e.stats);
        else w.reject(new Error(e.error));
        return;
      }
      case 'progress':
        this.mins[i] = e.min;
        this.onProgress?.();
        return;
      case 'arrival':
        this.onArrival?.(e);
        return;
    }
  }

  private request(i: number, cmd: DistributiveOmit<WorkerCommand, 'id'>): Promise<WorkerStats | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.procs[i]!.child.send({ ...cmd, id });
    });
  }

  private all(cmd: DistributiveOmit<WorkerCommand, 'id'>): Promise<Array<WorkerStats | undefined>> {
    return Promise.all(this.active.map((i) => this.request(i, cmd)));
  }

  /** Opens `count` connections spread over the first `processes` consumer processes. */
  async open(url: string, path: string, transport: StreamTransport, count: number, opts: { sampleEvery: number; notify: boolean; processes: number }): Promise<number> {
    const n = Math.max(1, Math.min(opts.processes, this.procs.length, count));
    this.active = Array.from({ length: n }, (_, i) => i);
    await Promise.all(
      this.active.map((i) => {
        const share = Math.floor(count / n) + (i < count % n ? 1 : 0);
        return this.request(i, { cmd: 'open', url, path, transport, count: share, sampleEvery: opts.sampleEvery, notify: opts.notify });
      }),
    );
    return n;
  }

  async reset(): Promise<void> {
    await this.all({ cmd: 'reset' });
    for (const i of this.active) this.mins[i] = 0;
  }

  async watch(on: boolean): Promise<void> {
    await this.all({ cmd: 'watch', on });
  }

  /** Smallest count of any open connection since the last reset. */
  minAll(): number {
    let min = Infinity;
    for (const i of this.active) min = Math.min(min, this.mins[i]!);
    return min === Infinity ? 0 : min;
  }

  async stats(): Promise<WorkerStats & { lagHist: LogHistogram }> {
    const parts = (await this.all({ cmd: 'stats' })).filter((s): s is WorkerStats => s !== undefined);
    const lagHist = LogHistogram.merge(parts.map((p) => p.lag));
    const firsts = parts.map((p) => p.firstUs).filter((x) => x > 0);
    return {
      connections: parts.reduce((a, p) => a + p.connections, 0),
      ended: parts.reduce((a, p) => a + p.ended, 0),
      total: parts.reduce((a, p) => a + p.total, 0),
      minPerConnection: Math.min(...parts.map((p) => p.minPerConnection)),
      maxPerConnection: Math.max(...parts.map((p) => p.maxPerConnection)),
      firstUs: firsts.length ? Math.min(...firsts) : 0,
      lastUs: Math.max(0, ...parts.map((p) => p.lastUs)),
      lag: lagHist.toData() satisfies HistogramData,
      lagHist,
      errors: parts.flatMap((p) => p.errors),
    };
  }

  async close(): Promise<void> {
    await this.all({ cmd: 'close' });
    this.active = [];
  }

  /** Resolves true once every consumer has `n` messages; false after `timeoutMs`, or 3 s without progress. */
  waitDelivered(n: number, timeoutMs: number): Promise<boolean> {
    if (this.minAll() >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      let last = this.minAll();
      let lastChange = Date.now();
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        const min = this.minAll();
        if (min >= n) return done(true);
        if (min !== last) {
          last = min;
          lastChange = Date.now();
        }
      };
      const timer = setInterval(() => {
        check();
        if (Date.now() >= deadline || Date.now() - lastChange > 3000) done(false);
      }, 50);
      const previous = this.onProgress;
      this.onProgress = check;
      let finished = false;
      const done = (ok: boolean) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        this.onProgress = previous;
        resolve(ok);
      };
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// ---------------------------------------------------------------------------------------------
// Producer

export interface Reply {
  status: number;
  body: string;
}

export function post(agent: http.Agent, base: URL, path: string, body: string, contentType: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path, method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`POST ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Values `<send time µs>|<seq>|<padding>`, about BENCH_VALUE_BYTES long. */
export function valueMaker(valueBytes: number): (ts: number, seq: number) => string {
  const pad = messageValue(Math.max(1, valueBytes - 22));
  return (ts, seq) => `${ts}|${seq}|${pad}`;
}

function batchBody(make: (ts: number, seq: number) => string, seq0: number, n: number): string {
  const ts = Math.floor(monoUs());
  const parts = new Array<string>(n);
  for (let j = 0; j < n; j++) parts[j] = JSON.stringify(make(ts, seq0 + j));
  return `[${parts.join(',')}]`;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting

interface CpuMark {
  at: bigint;
  server: number;
  redis: number;
  consumers: number;
  producer: NodeJS.CpuUsage;
  machine: ReturnType<typeof machineCpuSeconds>;
}

export interface Pids {
  server: number;
  /** All the server's processes when it has several (nginx master + workers); default [server]. */
  serverPids?: number[];
  redis?: number;
  consumers: number[];
}

function cpuMark(p: Pids): CpuMark {
  return {
    at: process.hrtime.bigint(),
    server: p.serverPids ? processesCpuSeconds(p.serverPids) : (processCpuSeconds(p.server) ?? 0),
    redis: p.redis === undefined ? 0 : (processCpuSeconds(p.redis) ?? 0),
    consumers: p.consumers.reduce((a, pid) => a + (processCpuSeconds(pid) ?? 0), 0),
    producer: process.cpuUsage(),
    machine: machineCpuSeconds(),
  };
}

function cpuSince(p: Pids, m: CpuMark): StreamCpu {
  const now = cpuMark(p);
  const wall = Number(now.at - m.at) / 1e9 || 1;
  const producerUs = process.cpuUsage(m.producer);
  const server = (now.server - m.server) / wall;
  const redis = p.redis === undefined ? undefined : (now.redis - m.redis) / wall;
  const consumers = (now.consumers - m.consumers) / wall;
  const producer = (producerUs.user + producerUs.system) / 1e6 / wall;
  const machine = (now.machine.busy - m.machine.busy) / wall;
  const irq = (now.machine.irq - m.machine.irq) / wall;
  const steal = (now.machine.steal - m.machine.steal) / wall;
  const others = Math.max(0, machine - server - (redis ?? 0) - consumers - producer - irq - steal);
  return { server, ...(redis === undefined ? {} : { redis }), consumers, producer, irq, steal, others, machine };
}

// ---------------------------------------------------------------------------------------------
// Runs

/**
 * How a server under test is published to and subscribed from. The broker and the bare
 * broadcaster share one (brokerPublisher); a peer without our routes (Nchan) brings its own.
 */
export interface Publisher {
  /** Sets the queue up for broadcast fan-out (no-op where every subscriber gets everything). */
  broadcast(agent: http.Agent, base: URL, q: string): Promise<void>;
  /** Publishes `n` messages seq0.. stamped `make(now, seq)`; resolves once all are accepted. */
  publishMany(agent: http.Agent, base: URL, q: string, make: (ts: number, seq: number) => string, seq0: number, n: number): Promise<Reply>;
  /** Publishes one message with value `value`; `key` is what its envelope must carry on arrival. */
  publishOne(agent: http.Agent, base: URL, q: string, value: string, seq: number): Promise<{ status: number; key: string; body: string }>;
  /** Most requests a producer keeps in flight per publishMany (sockets of its agent). */
  sockets: number;
}

export const brokerPublisher: Publisher = {
  async broadcast(agent, base, q) {
    const r = await post(agent, base, `/p/${q}`, 'policy=broadcast', FORM);
    if (r.status !== 200) throw new Error(`POST /p/${q} policy=broadcast: ${r.status} ${r.body.slice(0, 200)}`);
  },
  publishMany: (agent, base, q, make, seq0, n) => post(agent, base, `/q/${q}?batch=1`, batchBody(make, seq0, n), JSON_TYPE),
  async publishOne(agent, base, q, value) {
    const r = await post(agent, base, `/q/${q}`, `value=${encodeURIComponent(value)}`, FORM);
    return { status: r.status, key: r.body.trim(), body: r.body };
  },
  sockets: 1,
};

export interface Target {
  label: StreamServer;
  server: RunningServer;
  redisPid?: number;
  /** Default: brokerPublisher. */
  publisher?: Publisher;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pathFor(transport: StreamTransport, q: string): string {
  return transport === 'comet' ? `/c/${q}` : transport === 'sse' ? `/sse/${q}` : `/ws/${q}`;
}

function baseLine(t: Target, kind: StreamKind, transport: StreamTransport, consumers: number, processes: number): Omit<StreamLine, 'seconds' | 'sent' | 'msgsPerSec' | 'deliveries' | 'deliveriesPerSec' | 'lagMs' | 'missing' | 'extra' | 'minPerConnection' | 'maxPerConnection' | 'cutOff' | 'cpu' | 'windowUs'> {
  return { server: t.label, kind, transport, consumers, consumerProcesses: processes, problems: [], producer: '' };
}

function finish(
  partial: ReturnType<typeof baseLine>,
  stats: Awaited<ReturnType<ConsumerPool['stats']>>,
  sent: number,
  t0: number,
  cpu: StreamCpu,
  t1: number,
): StreamLine {
  const seconds = stats.lastUs > t0 ? (stats.lastUs - t0) / 1e6 : (t1 - t0) / 1e6;
  const expected = sent * partial.consumers;
  const h = stats.lagHist;
  const problems = [...partial.problems, ...stats.errors];
  if (stats.maxPerConnection > sent) problems.push(`a consumer received ${stats.maxPerConnection} messages of ${sent} sent (duplicates)`);
  if (stats.minPerConnection < sent) problems.push(`a consumer received only ${stats.minPerConnection} of ${sent} messages`);
  if (stats.ended > 0) problems.push(`${stats.ended} connection(s) closed by the server during the run`);
  return {
    ...partial,
    problems,
    seconds,
    sent,
    msgsPerSec: sent / seconds,
    deliveries: stats.total,
    deliveriesPerSec: stats.total / seconds,
    lagMs: { p50: h.quantileMs(0.5), p99: h.quantileMs(0.99), max: h.maxUs / 1000, mean: h.count ? h.sumUs / h.count / 1000 : 0, samples: h.count },
    missing: Math.max(0, expected - stats.total),
    extra: Math.max(0, stats.total - expected),
    minPerConnection: stats.minPerConnection,
    maxPerConnection: stats.maxPerConnection,
    cutOff: stats.ended,
    cpu,
    windowUs: [Math.round(t0), Math.round(t1)],
  };
}

/** Waits (bounded) until the broker has forgotten the consumers of `q`, so runs do not overlap. */
async function settle(t: Target, q: string): Promise<void> {
  if (t.label === 'ceiling' || t.label === 'nchan') {
    await sleep(200);
    return;
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${t.server.url}/stats/${q}`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { consumers?: number };
      if (!body.consumers) return;
    } catch {
      // retry
    }
    await sleep(100);
  }
}

/**
 * Push latency at idle: one consumer; POST one message, wait for it on the stream (matched by
 * key: the POST reply's key must be the key that arrived), then the next.
 */
export async function latencyIdle(ctx: StreamCtx, pool: ConsumerPool, t: Target, transport: StreamTransport, pids: Pids): Promise<StreamLine> {
  const cfg = ctx.config.stream;
  const q = `bench-lat-${transport}`;
  const line = baseLine(t, 'latency-idle', transport, 1, 1);
  const publisher = t.publisher ?? brokerPublisher;
  const posts = cfg.latencyPosts;
  const warm = Math.max(20, Math.round(posts / 10));
  line.producer = `${posts} sequential POST /q/<q> (after ${warm} unmeasured), next POST once the previous message arrived`;
  await pool.open(t.server.url, pathFor(transport, q), transport, 1, { sampleEvery: 1, notify: true, processes: 1 });
  const make = valueMaker(ctx.config.valueBytes);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(t.server.url);
  const arrived = new Map<number, string>();
  let waiter: { seq: number; resolve: (key: string | undefined) => void } | undefined;
  pool.onArrival = (e) => {
    if (waiter && waiter.seq === e.seq) {
      const w = waiter;
      waiter = undefined;
      w.resolve(e.key);
    } else arrived.set(e.seq, e.key);
  };
  const arrival = (seq: number) =>
    new Promise<string | undefined>((resolve) => {
      const early = arrived.get(seq);
      if (early !== undefined) {
        arrived.delete(seq);
        return resolve(early);
      }
      const timer = setTimeout(() => {
        waiter = undefined;
        resolve(undefined);
      }, 5000);
      waiter = {
        seq,
        resolve: (k) => {
          clearTimeout(timer);
          resolve(k);
        },
      };
    });
  let mismatched = 0;
  let lost = 0;
  let failed = 0;
  let t0 = 0;
  let mark: CpuMark | undefined;
  try {
    await waitForQuiet(ctx);
    ctx.log(`${t.label.padEnd(7)} push latency, idle, ${transport}: ${warm} + ${posts} sequential POSTs`);
    for (let i = 0; i < warm + posts; i++) {
      if (i === warm) {
        await pool.reset();
        arrived.clear();
        mark = cpuMark(pids);
        t0 = monoUs();
      }
      const got = arrival(i);
      const ts = Math.floor(monoUs());
      const res = await publisher.publishOne(agent, base, q, make(ts, i), i);
      if (res.status < 200 || res.status > 299) {
        failed++;
        if (failed > 5) throw new Error(`publish to ${q}: ${res.status} ${res.body.slice(0, 200)}`);
      }
      const key = await got;
      if (key === undefined) {
        lost++;
        if (lost >= 5) {
          line.problems.push(`gave up after ${lost} messages did not arrive within 5 s`);
          break;
        }
      } else if (key !== res.key) mismatched++;
    }
  } finally {
    pool.onArrival = undefined;
    agent.destroy();
  }
  const t1 = monoUs();
  const cpu = cpuSince(pids, mark ?? cpuMark(pids));
  const stats = await pool.stats();
  await pool.close();
  await settle(t, q);
  if (mismatched) line.problems.push(`${mismatched} arrivals had another key than the POST reply`);
  if (lost) line.problems.push(`${lost} messages did not arrive within 5 s`);
  if (failed) line.problems.push(`${failed} POSTs failed`);
  const result = finish(line, stats, posts, t0, cpu, t1);
  // Sequential: the rate is posts over the whole loop, not to the last delivery.
  result.seconds = (t1 - t0) / 1e6;
  result.msgsPerSec = posts / result.seconds;
  result.deliveriesPerSec = stats.total / result.seconds;
  return result;
}

/** Push latency under load: one consumer, `rate` msgs/s in small batches every 2 ms. */
async function latencyLoaded(ctx: StreamCtx, pool: ConsumerPool, t: Target, transport: StreamTransport, pids: Pids): Promise<StreamLine> {
  const cfg = ctx.config.stream;
  const q = `bench-load-${transport}`;
  const line = baseLine(t, 'latency-loaded', transport, 1, 1);
  const rate = cfg.loadedRate;
  line.producer = `paced ${rate.toLocaleString('en-US')} msgs/s: POST ?batch=1 every 2 ms with what is due (≤ 4 in flight)`;
  await pool.open(t.server.url, pathFor(transport, q), transport, 1, { sampleEvery: 1, notify: false, processes: 1 });
  await pool.watch(true);
  const make = valueMaker(ctx.config.valueBytes);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const base = new URL(t.server.url);
  const phase = async (seconds: number) => {
    let sent = 0;
    let inflight = 0;
    let failed = 0;
    let lastError = '';
    const t0 = monoUs();
    const end = t0 + seconds * 1e6;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = monoUs();
        if (now >= end) {
          if (inflight === 0) resolve();
          else setTimeout(tick, 2);
          return;
        }
        const due = Math.floor(((now - t0) * rate) / 1e6) - sent;
        if (due > 0 && inflight < 4) {
          const n = Math.min(due, 1000);
          const body = batchBody(make, sent, n);
          sent += n;
          inflight++;
          post(agent, base, `/q/${q}?batch=1`, body, JSON_TYPE).then(
            (r) => {
              inflight--;
              if (r.status !== 200) {
                failed++;
                lastError = `${r.status} ${r.body.slice(0, 120)}`;
              }
            },
            (err: unknown) => {
              inflight--;
              failed++;
              lastError = String(err);
            },
          );
        }
        setTimeout(tick, 2);
      };
      tick();
    });
    const drained = await pool.waitDelivered(sent, 10_000);
    return { sent, t0, failed, lastError, drained };
  };
  try {
    await waitForQuiet(ctx);
    ctx.log(`${t.label.padEnd(7)} push latency at ${rate.toLocaleString('en-US')} msgs/s, ${transport}: warm-up ${cfg.warmupSeconds} s, then ${cfg.seconds} s`);
    await phase(cfg.warmupSeconds);
    await pool.reset();
    const mark = cpuMark(pids);
    const r = await phase(cfg.seconds);
    const t1 = monoUs();
    const cpu = cpuSince(pids, mark);
    const stats = await pool.stats();
    if (r.failed) line.problems.push(`${r.failed} POSTs failed (${r.lastError})`);
    if (!r.drained) line.problems.push('not every message arrived (drain timed out)');
    const result = finish(line, stats, r.sent, r.t0, cpu, t1);
    return result;
  } finally {
    agent.destroy();
    await pool.watch(false).catch(() => {});
    await pool.close();
    await settle(t, q);
  }
}

/**
 * Broadcast fan-out to `consumers` connections: a closed-loop producer posts batches whenever
 * fewer than the in-flight bound are sent but not yet received by every consumer.
 */
export async function fanout(ctx: StreamCtx, pool: ConsumerPool, t: Target, transport: StreamTransport, consumers: number, pids: Pids): Promise<StreamLine> {
  const cfg = ctx.config.stream;
  const q = `bench-fan-${transport}-${consumers}`;
  const base = new URL(t.server.url);
  const publisher = t.publisher ?? brokerPublisher;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 * publisher.sockets });
  if (t.label !== 'ceiling') await publisher.broadcast(agent, base, q);
  // Closed loop with a lag budget. What is in flight (sent, not yet at every consumer) beyond
  // what keeps every stage busy only waits in the queue (lag = in flight ÷ rate: Little's law),
  // and bigger batches mean fewer writes per message. So the in-flight allowance adapts: it
  // grows by 5 % each time a batch reaches every consumer within the budget and shrinks by 15 %
  // each time one is late. The run measures the rate the server sustains at about that lag.
  const cap = Math.max(1, Math.min(20_000, Math.floor(cfg.inflightDeliveries / consumers)));
  const budgetUs = cfg.lagBudgetMs * 1000;
  const concurrency = 2;
  // The floor keeps a busy box (every batch late) from shrinking batches to single messages,
  // which would only add writes per message.
  const floor = Math.max(2, Math.min(2000, Math.floor(cap / 4), Math.ceil(cfg.inflightFloor / consumers)));
  let allowed = floor;
  const sampleEvery = Math.max(1, Math.round(consumers / 100));
  const processes = consumers === 1 ? 1 : cfg.workers;
  const opened = Date.now();
  const used = await pool.open(t.server.url, pathFor(transport, q), transport, consumers, { sampleEvery, notify: false, processes });
  ctx.log(`${t.label.padEnd(7)} ${transport} fan-out to ${consumers}: ${consumers} connections opened in ${((Date.now() - opened) / 1000).toFixed(1)} s over ${used} consumer process(es)`);
  const line = baseLine(t, 'fanout', transport, consumers, used);
  const make = valueMaker(ctx.config.valueBytes);
  const maxPerSecond = Math.floor(cfg.maxDeliveriesPerSecond / consumers);
  await pool.watch(true);
  const phase = async (seconds: number) => {
    let sent = 0;
    let posting = 0;
    let posts = 0;
    let failed = 0;
    let lastError = '';
    let stopped = false;
    const maxMsgs = Math.max(1000, maxPerSecond * seconds);
    const t0 = monoUs();
    const deadline = t0 + seconds * 1e6;
    /** Batches not yet at every consumer: last seq + 1, send time. */
    const outstanding: Array<{ end: number; at: number }> = [];
    await new Promise<void>((resolve) => {
      const pump = () => {
        const min = pool.minAll();
        let now = monoUs();
        while (outstanding.length > 0 && outstanding[0]!.end <= min) {
          const late = now - outstanding.shift()!.at > budgetUs;
          allowed = late ? Math.max(floor, allowed * 0.85) : Math.min(cap, allowed * 1.05 + 1);
        }
        while (!stopped && posting < concurrency) {
          now = monoUs();
          if (now >= deadline || sent >= maxMsgs) {
            stopped = true;
            break;
          }
          const size = Math.max(1, Math.min(1000, Math.floor(allowed / 2)));
          if (Math.floor(allowed) - (sent - min) < size) break;
          const n = Math.min(size, maxMsgs - sent);
          const seq0 = sent;
          sent += n;
          posts++;
          outstanding.push({ end: sent, at: now });
          posting++;
          publisher.publishMany(agent, base, q, make, seq0, n).then(
            (r) => {
              posting--;
              if (r.status !== 200) {
                failed++;
                lastError = `${r.status} ${r.body.slice(0, 120)}`;
              }
              pump();
            },
            (err: unknown) => {
              posting--;
              failed++;
              lastError = String(err);
              pump();
            },
          );
        }
        if (stopped && posting === 0) resolve();
      };
      pool.onProgress = pump;
      setTimeout(pump, seconds * 1000 + 5).unref();
      pump();
    });
    pool.onProgress = undefined;
    const drained = await pool.waitDelivered(sent, 10_000);
    return { sent, posts, t0, failed, lastError, drained };
  };
  try {
    await waitForQuiet(ctx);
    ctx.log(`${t.label.padEnd(7)} ${transport} fan-out to ${consumers}: warm-up ${cfg.warmupSeconds} s, then ${cfg.seconds} s`);
    const warm = await phase(cfg.warmupSeconds);
    if (!warm.drained) line.problems.push('warm-up: not every message reached every consumer');
    await pool.reset();
    const mark = cpuMark(pids);
    const r = await phase(cfg.seconds);
    const t1 = monoUs();
    const cpu = cpuSince(pids, mark);
    line.rssBytes = processesRssBytes(pids.serverPids ?? [pids.server]);
    const stats = await pool.stats();
    if (r.failed) line.problems.push(`${r.failed} POSTs failed (${r.lastError})`);
    if (!r.drained) line.problems.push('not every message reached every consumer (drain timed out)');
    const meanBatch = r.posts ? r.sent / r.posts : 0;
    line.producer =
      `closed loop, lag budget ${cfg.lagBudgetMs} ms: POST ?batch=1 (≤ ${concurrency} in flight) while fewer than the allowance are not yet at every consumer ` +
      `(allowance adapts, ${floor.toLocaleString('en-US')} to ${cap.toLocaleString('en-US')} msgs); lag sampled every ${sampleEvery} msg per client process`;
    line.batchMean = meanBatch;
    line.allowanceEnd = allowed;
    return finish(line, stats, r.sent, r.t0, cpu, t1);
  } finally {
    pool.onProgress = undefined;
    agent.destroy();
    await pool.watch(false).catch(() => {});
    await pool.close();
    await settle(t, q);
  }
}

// ---------------------------------------------------------------------------------------------
// Suite

function setupText(ctx: StreamCtx, cpus: number): string[] {
  const c = ctx.config.stream;
  return [
    `push delivery: ${c.seconds} s per measured run after a ${c.warmupSeconds} s warm-up; idle latency ${c.latencyPosts} sequential POSTs; loaded latency at ${c.loadedRate.toLocaleString('en-US')} msgs/s`,
    `sharing the ${cpus} cores: the server (broker child or bare broadcaster), redis-server (Redis backend), ${c.workers} consumer`,
    `      process(es) holding the connections (counting only; 1 process for single-consumer runs) and the producer (this process).`,
    `      With 1,000 connections the consumer processes are themselves a heavy load: see the CPU table.`,
  ];
}

function targetsFor(lines: StreamLine[]): StreamTarget[] {
  const out: StreamTarget[] = [];
  for (const l of lines) {
    if (l.server === 'ceiling' || l.server === 'nchan') continue;
    const base = { server: l.server, kind: l.kind, transport: l.transport, consumers: l.consumers };
    if (l.kind === 'latency-idle') out.push({ ...base, text: 'p50 < 2 ms', pass: l.lagMs.p50 < 2 && l.missing === 0 });
    else if (l.kind === 'fanout' && l.transport === 'sse' && l.consumers === 1000)
      out.push({ ...base, text: '≥ 500,000/s, p99 < 100 ms', pass: l.deliveriesPerSec >= 500_000 && l.lagMs.p99 < 100 && l.missing === 0 });
    else if (l.kind === 'fanout' && l.transport === 'ws' && l.consumers === 1000) out.push({ ...base, text: '≥ 150,000/s', pass: l.deliveriesPerSec >= 150_000 && l.missing === 0 });
  }
  return out;
}

async function guarded(ctx: StreamCtx, failures: StreamSuiteResult['failures'], label: 'ceiling' | Backend, what: string, fn: () => Promise<StreamLine>): Promise<StreamLine | undefined> {
  try {
    return await fn();
  } catch (err) {
    const error = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    ctx.log(`${label.padEnd(7)} FAILED ${error.split('\n')[0]}`);
    failures.push({ server: label, error });
    return undefined;
  }
}

async function ceilingLines(ctx: StreamCtx, pool: ConsumerPool, failures: StreamSuiteResult['failures']): Promise<StreamLine[]> {
  const lines: StreamLine[] = [];
  const bare = await startPushCeiling();
  try {
    const t: Target = { label: 'ceiling', server: bare };
    const pids: Pids = { server: bare.pid, consumers: pool.pids };
    for (const k of ctx.config.stream.sseConsumers) {
      const l = await guarded(ctx, failures, 'ceiling', `sse fan-out ${k}`, () => fanout(ctx, pool, t, 'sse', k, pids));
      if (l) lines.push(l);
    }
    for (const k of ctx.config.stream.wsConsumers) {
      const l = await guarded(ctx, failures, 'ceiling', `ws fan-out ${k}`, () => fanout(ctx, pool, t, 'ws', k, pids));
      if (l) lines.push(l);
    }
  } finally {
    await bare.stop();
  }
  return lines;
}

// 1,000 consumers come from one address: lift the per-address stream limit (256 by default).
export const BROKER_STREAM_ARGS = ['--heartbeat', '15', '--max-streams-per-ip', '0'];

async function backendLines(ctx: StreamCtx, pool: ConsumerPool, backend: Backend, failures: StreamSuiteResult['failures']): Promise<StreamLine[]> {
  const lines: StreamLine[] = [];
  const redis = backend === 'redis' ? await startPrivateRedis() : undefined;
  try {
    const broker = await startBrokerChild(backend, { ...(redis ? { redis: redis.server } : {}), logLevel: ctx.config.brokerLogLevel, args: BROKER_STREAM_ARGS });
    try {
      const t: Target = { label: backend, server: broker, ...(redis ? { redisPid: redis.pid } : {}) };
      const pids: Pids = { server: broker.pid, ...(redis ? { redis: redis.pid } : {}), consumers: pool.pids };
      const run = async (what: string, fn: () => Promise<StreamLine>) => {
        const l = await guarded(ctx, failures, backend, what, fn);
        if (l) lines.push(l);
      };
      for (const tr of ctx.config.stream.latencyTransports) await run(`${tr} idle latency`, () => latencyIdle(ctx, pool, t, tr, pids));
      for (const tr of ctx.config.stream.latencyTransports.filter((x) => x !== 'ws')) await run(`${tr} loaded latency`, () => latencyLoaded(ctx, pool, t, tr, pids));
      for (const k of ctx.config.stream.sseConsumers) await run(`sse fan-out ${k}`, () => fanout(ctx, pool, t, 'sse', k, pids));
      for (const k of ctx.config.stream.wsConsumers) await run(`ws fan-out ${k}`, () => fanout(ctx, pool, t, 'ws', k, pids));
    } finally {
      await broker.stop();
    }
  } finally {
    await redis?.stop();
  }
  return lines;
}

export async function runStreamSuite(ctx: StreamCtx, cpus: number): Promise<StreamSuiteResult> {
  const failures: StreamSuiteResult['failures'] = [];
  const lines: StreamLine[] = [];
  const pool = await ConsumerPool.start(ctx.config.stream.workers);
  try {
    lines.push(...(await ceilingLines(ctx, pool, failures)));
    for (const backend of ctx.config.backends) {
      try {
        lines.push(...(await backendLines(ctx, pool, backend, failures)));
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        ctx.log(`${backend.padEnd(7)} FAILED, skipped: ${error.split('\n').slice(0, 3).join(' | ')}`);
        failures.push({ server: backend, error });
      }
    }
  } finally {
    await pool.stop();
  }
  return { setup: setupText(ctx, cpus), lines, targets: targetsFor(lines), failures };
}

/**
 * Profile mode for push delivery (BENCH_PROFILE_SCENARIO=sse-fanout|ws-fanout): one fan-out to
 * 1,000 consumers (the largest configured size) against a broker under `node --cpu-prof`.
 */
export async function profileStream(ctx: StreamCtx, dir: string, transport: 'sse' | 'ws', backend: Backend): Promise<StreamLine> {
  const pool = await ConsumerPool.start(ctx.config.stream.workers);
  const redis = backend === 'redis' ? await startPrivateRedis() : undefined;
  try {
    const broker = await startBrokerChild(backend, {
      ...(redis ? { redis: redis.server } : {}),
      logLevel: ctx.config.brokerLogLevel,
      args: BROKER_STREAM_ARGS,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    });
    try {
      const t: Target = { label: backend, server: broker, ...(redis ? { redisPid: redis.pid } : {}) };
      const pids: Pids = { server: broker.pid, ...(redis ? { redis: redis.pid } : {}), consumers: pool.pids };
      const sizes = transport === 'sse' ? ctx.config.stream.sseConsumers : ctx.config.stream.wsConsumers;
      return await fanout(ctx, pool, t, transport, Math.max(...sizes), pids);
    } finally {
      await broker.stop();
    }
  } finally {
    await redis?.stop();
    await pool.stop();
  }
}
