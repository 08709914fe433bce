/** Bench settings, from the environment (see bench/README.md for the knobs). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Backend = 'redis' | 'sqlite' | 'memory';

export interface BenchConfig {
  quick: boolean;
  /** Length of each measured run. */
  seconds: number;
  /** Unmeasured run against the same route before each measured one (JIT, caches). */
  warmupSeconds: number;
  connections: number;
  /** Upper bound on responses per run (the run stops at whichever bound comes first). */
  maxRequests: number;
  backends: Backend[];
  /** --log-level of the broker children. */
  brokerLogLevel: string;
  /** Bytes of each message value (form body = `value=` + this). */
  valueBytes: number;
  /** Before each warm-up, wait up to quietWaitSeconds until other processes use < quietCores. */
  quietCores: number;
  quietWaitSeconds: number;
  /** Profile mode: one run against a broker under --cpu-prof, profile written here. */
  profileDir: string | undefined;
  /** BENCH_PROFILE_SCENARIO: which run to profile (post, get, batch; sse-fanout, ws-fanout). */
  profileScenario: ProfileScenario;
  /** BENCH_PROFILE_BACKEND: the profiled broker's store (the HTTP scenarios are Redis only). */
  profileBackend: Backend;
  resultsDir: string;
  /** Which suites run: BENCH_ONLY=http|stream, BENCH_STREAM=0 (no stream suite). */
  suites: { http: boolean; stream: boolean };
  stream: StreamConfig;
}

export type ProfileScenario = 'post' | 'get' | 'batch' | 'sse-fanout' | 'ws-fanout';

/** The push-delivery suite (bench/stream/). */
export interface StreamConfig {
  /** Length of each measured fan-out / loaded-latency run. */
  seconds: number;
  /** Unmeasured run before each (same queue, same connections). */
  warmupSeconds: number;
  /** Consumer processes holding the connections (1 for the single-consumer runs). */
  workers: number;
  /** SSE broadcast fan-out sizes. */
  sseConsumers: number[];
  /** WebSocket broadcast fan-out sizes. */
  wsConsumers: number[];
  /** Closed-loop producer: most deliveries (messages × consumers) sent but not yet received by every consumer. */
  inflightDeliveries: number;
  /** ... and the least it may shrink to when batches are late. */
  inflightFloor: number;
  /** Closed-loop producer: the lag its in-flight allowance aims at (grows while batches arrive within it). */
  lagBudgetMs: number;
  /** Safety bound on deliveries per fan-out run, per second of the run. */
  maxDeliveriesPerSecond: number;
  /** One-at-a-time latency runs: measured POSTs per transport (after a tenth as many unmeasured). */
  latencyPosts: number;
  /** Loaded latency runs: messages per second offered by the paced producer. */
  loadedRate: number;
  /** Transports of the idle latency runs (COMET and SSE; ws optional). */
  latencyTransports: Array<'comet' | 'sse' | 'ws'>;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, { integer = true } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${name} must be a positive ${integer ? 'whole ' : ''}number, not ${JSON.stringify(raw)}`);
  return n;
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const seconds = positive(env, 'BENCH_SECONDS', quick ? 2 : 10);
  const warmupSeconds = positive(env, 'BENCH_WARMUP', quick ? 1 : 2);
  const connections = positive(env, 'BENCH_CONNECTIONS', 50);
  // 200k responses/s is far above anything this box serves over HTTP: a safety bound only.
  const maxRequests = positive(env, 'BENCH_MAX_REQUESTS', 200_000 * seconds);
  const backends = (env.BENCH_BACKENDS ?? 'redis,sqlite').split(',').map((s) => s.trim()).filter(Boolean);
  for (const b of backends) if (b !== 'redis' && b !== 'sqlite' && b !== 'memory') throw new Error(`BENCH_BACKENDS: unknown backend ${JSON.stringify(b)} (redis, sqlite, memory)`);
  const logLevel = env.BENCH_LOG_LEVEL || 'warn';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new Error(`BENCH_LOG_LEVEL must be a pino level, not ${JSON.stringify(logLevel)}`);
  const profile = env.BENCH_PROFILE;
  const profileDir = profile === undefined || profile === '' || profile === '0' ? undefined : profile === '1' ? `/tmp/restmq-bench-profile-${Date.now()}` : profile;
  const profileScenario = env.BENCH_PROFILE_SCENARIO || 'post';
  const scenarios = ['post', 'get', 'batch', 'sse-fanout', 'ws-fanout'];
  if (!scenarios.includes(profileScenario)) throw new Error(`BENCH_PROFILE_SCENARIO must be one of ${scenarios.join(', ')}, not ${JSON.stringify(profileScenario)}`);
  const profileBackend = env.BENCH_PROFILE_BACKEND || 'redis';
  if (profileBackend !== 'redis' && profileBackend !== 'sqlite') throw new Error(`BENCH_PROFILE_BACKEND must be redis or sqlite, not ${JSON.stringify(profileBackend)}`);
  const only = env.BENCH_ONLY ?? '';
  if (only !== '' && only !== 'http' && only !== 'stream') throw new Error(`BENCH_ONLY must be http or stream, not ${JSON.stringify(only)}`);
  const streamOff = env.BENCH_STREAM === '0' || env.BENCH_STREAM === 'false';
  if (only === 'stream' && streamOff) throw new Error('BENCH_ONLY=stream and BENCH_STREAM=0 leave nothing to run');
  const sizes = (name: string, fallback: string) =>
    (env[name] || fallback)
      .replace(/^none$/, '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error(`${name}: consumer counts are whole numbers 1..5000, not ${JSON.stringify(x)}`);
        return n;
      });
  const transports = (env.BENCH_STREAM_LATENCY || 'comet,sse').replace(/^none$/, '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const t of transports) if (t !== 'comet' && t !== 'sse' && t !== 'ws') throw new Error(`BENCH_STREAM_LATENCY: unknown transport ${JSON.stringify(t)} (comet, sse, ws)`);
  return {
    quick,
    seconds,
    warmupSeconds,
    connections,
    maxRequests,
    backends: backends as Backend[],
    brokerLogLevel: logLevel,
    quietCores: positive(env, 'BENCH_QUIET_CORES', 0.3, { integer: false }),
    quietWaitSeconds: env.BENCH_QUIET_WAIT === '0' ? 0 : positive(env, 'BENCH_QUIET_WAIT', quick ? 0 : 60),
    valueBytes: positive(env, 'BENCH_VALUE_BYTES', 94),
    profileDir,
    profileScenario: profileScenario as ProfileScenario,
    profileBackend,
    suites: { http: only !== 'stream', stream: only === 'stream' || (only !== 'http' && !streamOff) },
    stream: {
      seconds: positive(env, 'BENCH_STREAM_SECONDS', quick ? 2 : 5),
      warmupSeconds: positive(env, 'BENCH_STREAM_WARMUP', quick ? 1 : 2),
      workers: positive(env, 'BENCH_STREAM_WORKERS', 2),
      sseConsumers: sizes('BENCH_STREAM_SSE', '1,100,1000'),
      wsConsumers: sizes('BENCH_STREAM_WS', '1000'),
      inflightDeliveries: positive(env, 'BENCH_STREAM_INFLIGHT', 200_000),
      inflightFloor: positive(env, 'BENCH_STREAM_INFLIGHT_FLOOR', 25_000),
      lagBudgetMs: positive(env, 'BENCH_STREAM_LAG_BUDGET', 50, { integer: false }),
      maxDeliveriesPerSecond: positive(env, 'BENCH_STREAM_MAX_RATE', 10_000_000),
      latencyPosts: positive(env, 'BENCH_STREAM_POSTS', quick ? 300 : 2000),
      loadedRate: positive(env, 'BENCH_STREAM_RATE', 10_000),
      latencyTransports: transports as Array<'comet' | 'sse' | 'ws'>,
    },
    resultsDir: env.BENCH_RESULTS_DIR ? resolve(env.BENCH_RESULTS_DIR) : fileURLToPath(new URL('./results/', import.meta.url)),
  };
}
