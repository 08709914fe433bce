/**
 * Loads the configuration: defaults < config file < environment (RESTMQ_*) < flags.
 * Validates every value once and returns a frozen Config. The only module that reads
 * process.env (through the `env` argument, defaulting to it).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SETTINGS, envName, type SettingSpec } from './settings.js';
import { parseCorsOrigins, type CorsOrigins } from './cors-origins.js';
import { ConfigError, parseStoreUrl, type StoreConfig } from './store-url.js';

export { ConfigError, describeStore } from './store-url.js';
export type { HostPort, RedisClusterConfig, RedisStoreConfig, ReplicaWaitConfig, StoreConfig } from './store-url.js';

/** SQLite's synchronous mode: what a commit survives (README, Stores). */
export type SqliteSync = 'normal' | 'full';
const SQLITE_SYNC: readonly SqliteSync[] = ['normal', 'full'];

export interface Config {
  port: number;
  listen: string;
  /** Broker processes sharing the listening socket (1: this process serves alone). */
  workers: number;
  store: StoreConfig;
  sqliteSync: SqliteSync;
  acl?: string;
  maxMessageBytes: number;
  heartbeatSeconds: number;
  /** 0: COMET streams get no heartbeat. */
  cometHeartbeatSeconds: number;
  stallTimeoutSeconds: number;
  trustProxy?: string;
  logLevel: string;
  redisPool: number;
  tlsCert?: string;
  tlsKey?: string;
  /** 0: no limit. */
  maxStreamsPerIp: number;
  /** 0: no limit. */
  maxLongPollsPerIp: number;
  maxUrlBytes: number;
  maxHeaderBytes: number;
  headersTimeoutSeconds: number;
  readOnlyDashboard: boolean;
  /** Queues with their own series on /metrics (the deepest); the rest are summed in one. */
  metricsMaxQueues: number;
  /** One log line per request (--access-log); otherwise failed requests only. */
  accessLog: boolean;
  /** --cors-origin: origins whose pages may call the broker; absent: CORS off. */
  corsOrigins?: CorsOrigins;
  /** Present when a syslog port is given. */
  syslog?: SyslogConfig;
}

export interface SyslogConfig {
  tcpPort?: number;
  udpPort?: number;
  listen: string;
  naming: 'sender' | 'local';
  maxLineBytes: number;
}

type Raw = Record<string, string | number | boolean | undefined>;
const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function coerce(spec: SettingSpec, value: unknown, source: string): string | number | boolean {
  const where = source;
  if (spec.type === 'string') {
    if (typeof value !== 'string' || value === '') throw new ConfigError(`${where}: expected a non-empty string`);
    return value;
  }
  if (spec.type === 'bool') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new ConfigError(`${where}: expected true or false`);
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new ConfigError(`${where}: expected a whole number, got ${JSON.stringify(value)}`);
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw new ConfigError(`${where}: ${n} is out of range ${spec.min}..${spec.max}`);
  }
  return n;
}

function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`config file ${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  return parsed as Raw;
}

function parseStore(value: string | undefined, merged: Map<string, string | number | boolean>, redisChosen: boolean): StoreConfig {
  const password = merged.get('redis-password') as string | undefined;
  const tlsCa = merged.get('redis-tls-ca') as string | undefined;
  const replicas = merged.get('redis-wait-replicas') as number;
  const defaults = {
    ...(password === undefined ? {} : { password }),
    ...(tlsCa === undefined ? {} : { tlsCa }),
    ...(replicas > 0 ? { wait: { replicas, timeoutMs: merged.get('redis-wait-timeout') as number } } : {}),
  };
  let store: StoreConfig;
  if (value !== undefined) store = parseStoreUrl(value, defaults);
  else if (!redisChosen) store = { kind: 'sqlite', path: './restmq.db' };
  else {
    if (tlsCa !== undefined) throw new ConfigError('redis-tls-ca needs a rediss:// store (Redis over TLS)');
    const { tlsCa: _ca, ...rest } = defaults;
    store = { kind: 'redis', host: merged.get('redis-host') as string, port: merged.get('redis-port') as number, db: merged.get('redis-db') as number, ...rest };
  }
  if (replicas > 0 && (store.kind === 'sqlite' || store.kind === 'memory')) throw new ConfigError('redis-wait-replicas needs a Redis store');
  return store;
}

/** Most worker processes: far more than any machine's cores, so a typo is caught. */
const MAX_WORKERS = 256;

/**
 * `--workers N|auto`. SQLite (and memory) is one process: the file is locked by the broker that
 * opened it, so `auto` means 1 there and a number above 1 is refused.
 */
function parseWorkers(value: string, store: StoreConfig): number {
  const oneProcess = store.kind === 'sqlite' || store.kind === 'memory';
  if (value === 'auto') return oneProcess ? 1 : availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) throw new ConfigError(`workers: expected auto or a whole number 1..${MAX_WORKERS}, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n > 1 && oneProcess) throw new ConfigError(`workers: ${n} processes need a Redis store; the ${store.kind} store is served by one process`);
  return n;
}

/**
 * @param flags values given on the command line (flag name → value); absent = not given.
 * @param env the environment (RESTMQ_* names).
 */
export function loadConfig(flags: Raw = {}, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const configPath = (flags['config'] as string | undefined) ?? env[envName('config')];
  const file = configPath ? readConfigFile(configPath) : {};
  const merged = new Map<string, string | number | boolean>();
  const given = new Set<string>();
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (spec.flag === 'config') continue;
    const sources: [unknown, string][] = [
      [flags[spec.flag], `flag --${spec.flag}`],
      [env[envName(spec.flag)], `env ${envName(spec.flag)}`],
      [file[spec.flag], `config file key ${spec.flag}`],
    ];
    const found = sources.find(([v]) => v !== undefined);
    if (found) {
      merged.set(spec.flag, coerce(spec, found[0], found[1]));
      given.add(spec.flag);
    } else if (spec.default !== undefined) {
      merged.set(spec.flag, spec.default);
    }
  }
  for (const key of Object.keys(file)) {
    if (!SETTINGS.some((s) => s.flag === key)) throw new ConfigError(`config file ${configPath}: unknown setting ${JSON.stringify(key)}`);
  }
  const logLevel = merged.get('log-level') as string;
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`log-level: expected one of ${[...LOG_LEVELS].join(', ')}`);
  const sqliteSync = merged.get('sqlite-sync') as SqliteSync;
  if (!SQLITE_SYNC.includes(sqliteSync)) throw new ConfigError(`sqlite-sync: expected ${SQLITE_SYNC.join(' or ')}, got ${JSON.stringify(sqliteSync)}`);
  if (merged.has('tls-cert') !== merged.has('tls-key')) throw new ConfigError('tls-cert and tls-key go together: give both or neither');
  const naming = merged.get('syslog-queue-naming') as string;
  if (naming !== 'sender' && naming !== 'local') throw new ConfigError('syslog-queue-naming: expected sender or local');
  const syslog: SyslogConfig | undefined =
    merged.has('syslog-port') || merged.has('syslog-udp-port')
      ? {
          ...(merged.has('syslog-port') ? { tcpPort: merged.get('syslog-port') as number } : {}),
          ...(merged.has('syslog-udp-port') ? { udpPort: merged.get('syslog-udp-port') as number } : {}),
          listen: merged.get('syslog-listen') as string,
          naming,
          maxLineBytes: merged.get('syslog-max-line-bytes') as number,
        }
      : undefined;
  const redisChosen = [...given].some((f) => f.startsWith('redis-') && f !== 'redis-pool');
  const store = parseStore(merged.get('store') as string | undefined, merged, redisChosen);
  const config: Config = {
    port: merged.get('port') as number,
    listen: merged.get('listen') as string,
    workers: parseWorkers(merged.get('workers') as string, store),
    store,
    sqliteSync,
    maxMessageBytes: merged.get('max-message-bytes') as number,
    heartbeatSeconds: merged.get('heartbeat') as number,
    cometHeartbeatSeconds: merged.get('comet-heartbeat') as number,
    stallTimeoutSeconds: merged.get('stall-timeout') as number,
    logLevel,
    redisPool: merged.get('redis-pool') as number,
    maxStreamsPerIp: merged.get('max-streams-per-ip') as number,
    maxLongPollsPerIp: merged.get('max-long-polls-per-ip') as number,
    maxUrlBytes: merged.get('max-url-bytes') as number,
    maxHeaderBytes: merged.get('max-header-bytes') as number,
    headersTimeoutSeconds: merged.get('headers-timeout') as number,
    readOnlyDashboard: merged.get('read-only-dashboard') as boolean,
    metricsMaxQueues: merged.get('metrics-max-queues') as number,
    accessLog: merged.get('access-log') as boolean,
    ...(merged.has('tls-cert') ? { tlsCert: merged.get('tls-cert') as string } : {}),
    ...(merged.has('tls-key') ? { tlsKey: merged.get('tls-key') as string } : {}),
    ...(merged.has('acl') ? { acl: merged.get('acl') as string } : {}),
    ...(merged.has('trust-proxy') ? { trustProxy: merged.get('trust-proxy') as string } : {}),
    ...(syslog ? { syslog } : {}),
    ...(merged.has('cors-origin') ? { corsOrigins: parseCorsOrigins(merged.get('cors-origin') as string) } : {}),
  };
  return Object.freeze(config);
}
