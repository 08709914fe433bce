/** The push-latency runs: one consumer, at idle (one POST at a time) and under a paced load. */
import http from 'node:http';
import { monoUs } from '../histogram.js';
import { waitForQuiet } from '../suite.js';
import type { ConsumerPool } from './consumer-pool.js';
import type { StreamTransport } from './consumer-process.js';
import { cpuMark, cpuSince, type CpuMark, type Pids } from './cpu.js';
import { batchBody, brokerPublisher, post, valueMaker } from './publisher.js';
import { baseLine, finish, pathFor, settle, type Target } from './run-line.js';
import type { StreamCtx, StreamLine } from './types.js';

const JSON_TYPE = 'application/json';

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
export async function latencyLoaded(ctx: StreamCtx, pool: ConsumerPool, t: Target, transport: StreamTransport, pids: Pids): Promise<StreamLine> {
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
