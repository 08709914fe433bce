/**
 * What a bench run measures, in order:
 *   1. the bare Fastify ceiling, POST and GET (start of the run);
 *   2. per backend (redis, sqlite): a broker child; single-message POST, single-message GET
 *      (queue prefilled by batches so it never runs dry), 100-message batch POST, lease + ack
 *      round trips (GET ?lease=30 then DELETE /q/<q>/<receipt>, from another prefilled queue);
 *   3. the ceiling again (end of the run): ratios use the mean of both, and the gap between
 *      the two shows how much the box drifted meanwhile.
 * Every measured run is preceded by an unmeasured warm-up run on the same route.
 */
import type { Backend, BenchConfig } from './config.js';
import type { LoadResult, LoadSpec, LoadTool } from './http-load.js';
import { machineCpuSeconds, processCpuSeconds } from './procs.js';
import { startBareServer, startBrokerChild, startPrivateRedis, type RunningServer } from './servers.js';

export type Scenario = 'post' | 'get' | 'batch' | 'lease';
export const BATCH_SIZE = 100;
/** `?lease=` of the lease + ack line: far longer than a run, so no lease expires mid-run. */
export const LEASE_SECONDS = 30;
const PREFILL_BATCH = 1000;

/** CPU used during a run, in cores (1.0 = one core busy the whole run; the box has 2). */
export interface CpuShare {
  generator: number;
  server: number;
  redis?: number;
  /** Everything else on the machine (other users of the shared box, the bench's own bookkeeping). */
  others: number;
  machine: number;
}

export interface Line {
  server: 'ceiling' | Backend;
  scenario: Scenario;
  /** 'start'/'end' for the two ceiling measurements. */
  phase?: 'start' | 'end';
  route: string;
  tool: string;
  seconds: number;
  reqPerSec: number;
  /** Messages moved per second: 2xx POSTs, 200 GETs, 2xx batches × 100, completed lease + ack pairs. */
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  status: Record<string, number>;
  /** GETs answered 204 (queue empty). */
  empty: number;
  /** Non-2xx responses, connection errors and timeouts. */
  failed: number;
  cpu: CpuShare;
  prefilled?: number;
  /** Lease line: msgs/s ÷ the same backend's plain GET msgs/s in this run. */
  vsGet?: number;
  /** CLOCK_MONOTONIC µs around the measured run (the clock of V8's .cpuprofile timestamps). */
  windowUs?: [number, number];
}

export interface Target {
  server: Backend;
  scenario: Scenario;
  text: string;
  value: number;
  goal: number;
  pass: boolean;
}

export interface SuiteResult {
  lines: Line[];
  ceiling: { post: number; get: number };
  ratios: Array<{ server: Backend; scenario: 'post' | 'get'; ratio: number }>;
  targets: Target[];
  /** Backends that could not be measured (e.g. the broker did not start), with the reason. */
  failures: Array<{ server: Backend; error: string }>;
}

export interface Ctx {
  config: BenchConfig;
  tool: LoadTool;
  log: (msg: string) => void;
}

export function messageValue(bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < bytes; i++) s += alphabet[(i * 7) % alphabet.length];
  return s;
}

function specFor(ctx: Ctx, scenario: Scenario, baseUrl: string): { spec: LoadSpec; route: string } {
  const value = messageValue(ctx.config.valueBytes);
  const common = { connections: ctx.config.connections, seconds: ctx.config.seconds, maxRequests: ctx.config.maxRequests };
  switch (scenario) {
    case 'post':
      return {
        route: 'POST /q/<q> value=…',
        spec: { ...common, url: `${baseUrl}/q/bench-post`, method: 'POST', body: `value=${value}`, contentType: 'application/x-www-form-urlencoded' },
      };
    case 'get':
      return { route: 'GET /q/<q>', spec: { ...common, url: `${baseUrl}/q/bench-get`, method: 'GET' } };
    case 'batch':
      return {
        route: `POST /q/<q>?batch=1 ×${BATCH_SIZE}`,
        spec: { ...common, url: `${baseUrl}/q/bench-batch?batch=1`, method: 'POST', body: JSON.stringify(Array(BATCH_SIZE).fill(value)), contentType: 'application/json' },
      };
    case 'lease':
      return {
        route: `GET ?lease=${LEASE_SECONDS} + DELETE <receipt>`,
        spec: { ...common, url: `${baseUrl}/q/bench-lease`, method: 'GET', leaseAck: { leaseSeconds: LEASE_SECONDS } },
      };
  }
}

function summarise(server: Line['server'], scenario: Scenario, route: string, load: LoadResult, cpu: CpuShare): Line {
  let ok = 0;
  let empty = 0;
  let non2xx = 0;
  for (const [code, n] of Object.entries(load.status)) {
    const c = Number(code);
    if ((scenario === 'get' || scenario === 'lease') && c === 204) empty += n;
    else if (c >= 200 && c < 300) ok += n;
    else non2xx += n;
  }
  const perSec = (n: number) => (load.seconds > 0 ? n / load.seconds : 0);
  return {
    server,
    scenario,
    route,
    tool: load.tool,
    seconds: load.seconds,
    reqPerSec: perSec(load.responses),
    // A lease + ack pair is one message (two 2xx responses).
    msgsPerSec: scenario === 'lease' ? perSec(load.pairs?.acked ?? 0) : perSec(ok) * (scenario === 'batch' ? BATCH_SIZE : 1),
    p50Ms: load.latencyMs.p50,
    p99Ms: load.latencyMs.p99,
    maxMs: load.latencyMs.max,
    status: load.status,
    empty,
    failed: non2xx + load.errors + load.timeouts + (load.pairs?.noReceipt ?? 0),
    cpu,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The box is shared: before a run, wait (bounded) until other processes use less than
 * `quietCores`, sampled over 1 s. Our own idle servers count too, but idle they use ~0.
 */
export async function waitForQuiet(ctx: Pick<Ctx, 'config' | 'log'>): Promise<void> {
  const { quietCores, quietWaitSeconds } = ctx.config;
  if (quietWaitSeconds <= 0) return;
  const deadline = Date.now() + quietWaitSeconds * 1000;
  let told = false;
  for (;;) {
    const a = machineCpuSeconds();
    const t0 = Date.now();
    await sleep(1000);
    const busy = (machineCpuSeconds().busy - a.busy) / ((Date.now() - t0) / 1000);
    if (busy < quietCores) return;
    if (Date.now() >= deadline) {
      ctx.log(`machine still busy (${busy.toFixed(2)} cores used by other processes) after ${quietWaitSeconds} s: measuring anyway`);
      return;
    }
    if (!told) ctx.log(`waiting up to ${quietWaitSeconds} s for the machine to quieten (${busy.toFixed(2)} cores used by other processes)`);
    told = true;
  }
}

/** One warm-up run (unmeasured), then one measured run with CPU accounting. */
export async function measure(ctx: Ctx, server: RunningServer, scenario: Scenario, opts: { label: Line['server']; redisPid?: number }): Promise<Line> {
  const { spec, route } = specFor(ctx, scenario, server.url);
  await waitForQuiet(ctx);
  ctx.log(`${opts.label.padEnd(7)} ${route}: warm-up ${ctx.config.warmupSeconds} s, then ${ctx.config.seconds} s`);
  await ctx.tool.run({ ...spec, seconds: ctx.config.warmupSeconds });
  const t0 = process.hrtime.bigint();
  const s0 = processCpuSeconds(server.pid) ?? 0;
  const r0 = opts.redisPid === undefined ? 0 : (processCpuSeconds(opts.redisPid) ?? 0);
  const m0 = machineCpuSeconds();
  const load = await ctx.tool.run(spec);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m1 = machineCpuSeconds();
  const serverCpu = ((processCpuSeconds(server.pid) ?? s0) - s0) / wall;
  const redisCpu = opts.redisPid === undefined ? undefined : ((processCpuSeconds(opts.redisPid) ?? r0) - r0) / wall;
  const generator = load.generatorCpuSeconds / wall;
  const machine = (m1.busy - m0.busy) / wall;
  const cpu: CpuShare = {
    generator,
    server: serverCpu,
    ...(redisCpu === undefined ? {} : { redis: redisCpu }),
    others: Math.max(0, machine - generator - serverCpu - (redisCpu ?? 0)),
    machine,
  };
  const line = summarise(opts.label, scenario, route, load, cpu);
  line.windowUs = [Number(t0 / 1000n), Number(t0 / 1000n) + Math.round(wall * 1e6)];
  return line;
}

/** Fills `queue` with `count` messages through the broker's batch route (4 requests in flight). */
export async function prefill(baseUrl: string, queue: string, count: number, value: string): Promise<void> {
  const full = JSON.stringify(Array(PREFILL_BATCH).fill(value));
  let left = count;
  const worker = async () => {
    while (left > 0) {
      const n = Math.min(PREFILL_BATCH, left);
      left -= n;
      const body = n === PREFILL_BATCH ? full : JSON.stringify(Array(n).fill(value));
      const res = await fetch(`${baseUrl}/q/${queue}?batch=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`prefill of ${queue} failed: ${res.status} ${text.slice(0, 200)}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Enough messages in `queue` for a warm-up and run at `getEstimate` takes/s (an upper bound), +25 %. */
async function prefillForGets(ctx: Ctx, baseUrl: string, label: string, getEstimate: number, queue = 'bench-get'): Promise<number> {
  const { config } = ctx;
  const want = Math.min(config.maxRequests + 1000, Math.ceil((getEstimate * (config.seconds + config.warmupSeconds) * 1.25) / PREFILL_BATCH) * PREFILL_BATCH);
  const t0 = Date.now();
  await prefill(baseUrl, queue, want, messageValue(config.valueBytes));
  ctx.log(`${label.padEnd(7)} prefilled ${queue} with ${want.toLocaleString('en-US')} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return want;
}

async function backendLines(ctx: Ctx, backend: Backend, getEstimate: number): Promise<Line[]> {
  const { config } = ctx;
  const redis = backend === 'redis' ? await startPrivateRedis() : undefined;
  try {
    const broker = await startBrokerChild(backend, { ...(redis ? { redis: redis.server } : {}), logLevel: config.brokerLogLevel });
    try {
      const opts = { label: backend, ...(redis ? { redisPid: redis.pid } : {}) } as const;
      const lines = [await measure(ctx, broker, 'post', opts)];
      const want = await prefillForGets(ctx, broker.url, backend, getEstimate);
      const get = await measure(ctx, broker, 'get', opts);
      get.prefilled = want;
      lines.push(get);
      lines.push(await measure(ctx, broker, 'batch', opts));
      // A pair is a GET plus a DELETE, so it cannot beat the plain GET by much: 1.5 × that
      // GET's rate (floor 10,000/s for a GET line depressed by a busy box) covers it.
      const leaseWant = await prefillForGets(ctx, broker.url, backend, Math.max(10_000, 1.5 * get.msgsPerSec), 'bench-lease');
      const lease = await measure(ctx, broker, 'lease', opts);
      lease.prefilled = leaseWant;
      lease.vsGet = get.msgsPerSec > 0 ? lease.msgsPerSec / get.msgsPerSec : 0;
      lines.push(lease);
      return lines;
    } finally {
      await broker.stop();
    }
  } finally {
    await redis?.stop();
  }
}

export async function runSuite(ctx: Ctx): Promise<SuiteResult> {
  const lines: Line[] = [];
  const failures: SuiteResult['failures'] = [];
  const bare = await startBareServer();
  try {
    const ceilingRun = async (phase: 'start' | 'end') => {
      for (const scenario of ['post', 'get'] as const) {
        const line = await measure(ctx, bare, scenario, { label: 'ceiling' });
        line.phase = phase;
        lines.push(line);
      }
    };
    await ceilingRun('start');
    // The bare GET rate bounds the broker's; the floor covers a start measured on a busy box.
    const startGet = Math.max(40_000, lines.find((l) => l.scenario === 'get')!.reqPerSec);
    for (const backend of ctx.config.backends) {
      // One broken backend (e.g. mid-edit on a shared tree) must not cost the others' figures.
      try {
        lines.push(...(await backendLines(ctx, backend, startGet)));
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        ctx.log(`${backend.padEnd(7)} FAILED, skipped: ${error.split('\n').slice(0, 3).join(' | ')}`);
        failures.push({ server: backend, error });
      }
    }
    await ceilingRun('end');
  } finally {
    await bare.stop();
  }
  const mean = (scenario: 'post' | 'get') => {
    const xs = lines.filter((l) => l.server === 'ceiling' && l.scenario === scenario).map((l) => l.msgsPerSec);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const ceiling = { post: mean('post'), get: mean('get') };
  const ratios: SuiteResult['ratios'] = [];
  const targets: Target[] = [];
  for (const l of lines) {
    if (l.server === 'ceiling') continue;
    if (l.scenario === 'post' || l.scenario === 'get') {
      const ratio = l.msgsPerSec / ceiling[l.scenario];
      const goal = l.scenario === 'post' ? 0.75 : 0.65;
      ratios.push({ server: l.server, scenario: l.scenario, ratio });
      targets.push({ server: l.server, scenario: l.scenario, text: `≥ ${goal.toFixed(2)} × bare`, value: ratio, goal, pass: ratio >= goal });
    } else if (l.scenario === 'batch' && l.server === 'redis') {
      targets.push({ server: l.server, scenario: l.scenario, text: '≥ 200,000 msgs/s', value: l.msgsPerSec, goal: 200_000, pass: l.msgsPerSec >= 200_000 });
    }
  }
  return { lines, ceiling, ratios, targets, failures };
}

/**
 * BENCH_PROFILE: one Redis run of `scenario` (POST by default) against a broker under
 * `node --cpu-prof` (profile written to `dir` when the broker exits). Profiling slows the
 * broker; its figure is not comparable with the suite's.
 */
export async function profileBroker(ctx: Ctx, dir: string, scenario: Scenario): Promise<Line> {
  const redis = await startPrivateRedis();
  try {
    const broker = await startBrokerChild('redis', { redis: redis.server, logLevel: ctx.config.brokerLogLevel, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
    try {
      // No ceiling run here: 60k GET/s is more than this box serves.
      const prefilled = scenario === 'get' ? await prefillForGets(ctx, broker.url, 'redis', 60_000) : undefined;
      const line = await measure(ctx, broker, scenario, { label: 'redis', redisPid: redis.pid });
      if (prefilled !== undefined) line.prefilled = prefilled;
      return line;
    } finally {
      // SIGTERM: the broker shuts down and exits normally, which is when V8 writes the profile.
      await broker.stop();
    }
  } finally {
    await redis.stop();
  }
}
