/** Bench settings, from the environment (see bench/README.md for the knobs). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Backend = 'redis' | 'sqlite';

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
  /** Profile mode: only the Redis POST run, broker under --cpu-prof, profile written here. */
  profileDir: string | undefined;
  /** BENCH_PROFILE_SCENARIO: which run to profile (post, get, batch). */
  profileScenario: 'post' | 'get' | 'batch';
  resultsDir: string;
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
  for (const b of backends) if (b !== 'redis' && b !== 'sqlite') throw new Error(`BENCH_BACKENDS: unknown backend ${JSON.stringify(b)} (redis, sqlite)`);
  const logLevel = env.BENCH_LOG_LEVEL || 'warn';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new Error(`BENCH_LOG_LEVEL must be a pino level, not ${JSON.stringify(logLevel)}`);
  const profile = env.BENCH_PROFILE;
  const profileDir = profile === undefined || profile === '' || profile === '0' ? undefined : profile === '1' ? `/tmp/restmq-bench-profile-${Date.now()}` : profile;
  const profileScenario = env.BENCH_PROFILE_SCENARIO || 'post';
  if (profileScenario !== 'post' && profileScenario !== 'get' && profileScenario !== 'batch') throw new Error(`BENCH_PROFILE_SCENARIO must be post, get or batch, not ${JSON.stringify(profileScenario)}`);
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
    profileScenario,
    resultsDir: env.BENCH_RESULTS_DIR ? resolve(env.BENCH_RESULTS_DIR) : fileURLToPath(new URL('./results/', import.meta.url)),
  };
}
