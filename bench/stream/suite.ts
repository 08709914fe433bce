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
 * Consumers live in separate processes (bench/stream/consumer-process.ts, BENCH_STREAM_WORKERS of
 * them) that only count messages and sample lags; the producer runs in this process. Fan-out
 * producers are closed-loop: batches go out as fast as the slowest consumer takes them, with
 * at most BENCH_STREAM_INFLIGHT deliveries (messages × consumers) sent but not yet received by
 * every consumer, so a run measures what the server sustains, not how long a backlog grows.
 * Every run checks that each consumer received each message exactly once.
 *
 * This file runs them in order (ceiling, then each backend) and in profile mode; the runs are
 * in latency.ts and fanout.ts.
 */
import type { Backend } from '../config.js';
import { startBrokerChild, startPrivateRedis, startPushCeiling } from '../servers.js';
import { ConsumerPool } from './consumer-pool.js';
import type { Pids } from './cpu.js';
import { fanout } from './fanout.js';
import { latencyIdle, latencyLoaded } from './latency.js';
import type { Target } from './run-line.js';
import type { StreamCtx, StreamLine, StreamSuiteResult, StreamTarget } from './types.js';

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
