/** The broadcast fan-out run: a closed-loop producer against N consumers of one queue. */
import http from 'node:http';
import { monoUs } from '../histogram.js';
import { processesRssBytes } from '../procs.js';
import { waitForQuiet } from '../suite.js';
import type { ConsumerPool } from './consumer-pool.js';
import type { StreamTransport } from './consumer-process.js';
import { cpuMark, cpuSince, type Pids } from './cpu.js';
import { brokerPublisher, valueMaker } from './publisher.js';
import { baseLine, finish, pathFor, settle, type Target } from './run-line.js';
import type { StreamCtx, StreamLine } from './types.js';

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
