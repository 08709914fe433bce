/**
 * The --store value → StoreConfig: sqlite:<path>, memory, redis://, rediss:// (TLS),
 * redis-sentinel://s1,s2/master[/db] and redis-cluster://n1,n2. Error messages never
 * repeat a password: a URL is shown with its user-info masked.
 */

/** A host and port of a server list (Sentinels, cluster seeds). */
export interface HostPort {
  host: string;
  port: number;
}

/** Replicated writes: a producer is answered once its write reached `replicas` replicas. */
export interface ReplicaWaitConfig {
  /** At least 1 (0 is no wait config at all). */
  replicas: number;
  timeoutMs: number;
}

interface RedisCommon {
  password?: string;
  /** Absent: producers do not wait for replicas (--redis-wait-replicas 0). */
  wait?: ReplicaWaitConfig;
}

/** TLS to Redis (rediss://); `ca` is a PEM file to trust instead of the system's CAs. */
export interface RedisTlsConfig {
  ca?: string;
}

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | ({ kind: 'redis'; host: string; port: number; db: number; tls?: RedisTlsConfig } & RedisCommon)
  | ({ kind: 'redis-sentinel'; sentinels: HostPort[]; masterName: string; db: number } & RedisCommon)
  | ({ kind: 'redis-cluster'; nodes: HostPort[] } & RedisCommon);

export type RedisStoreConfig = Extract<StoreConfig, { kind: 'redis' | 'redis-sentinel' }>;
export type RedisClusterConfig = Extract<StoreConfig, { kind: 'redis-cluster' }>;

/** A configuration error: the CLI prints its message as one line and exits non-zero. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The settings from other flags that a Redis store URL is completed with. */
export interface RedisDefaults {
  password?: string;
  tlsCa?: string;
  wait?: ReplicaWaitConfig;
}

const EXPECTED = 'expected sqlite:<path>, memory, redis://host:port/db, rediss://host:port/db, redis-sentinel://host:port,.../master or redis-cluster://host:port,...';

/** The URL with any user-info (where a password goes) masked. */
export function maskUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

function decodePassword(raw: string, scheme: string): string | undefined {
  const colon = raw.indexOf(':');
  const encoded = colon === -1 ? '' : raw.slice(colon + 1);
  if (encoded === '') return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ConfigError(`store: the password of the ${scheme} URL is not properly %-encoded`);
  }
}

/** "h1:p1,[::1]:p2,h3" → host/port list (a missing port is `defaultPort`). */
export function parseHostList(list: string, defaultPort: number, scheme: string): HostPort[] {
  const out: HostPort[] = [];
  for (const item of list.split(',')) {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(item.trim());
    const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
    if (!m || port < 1 || port > 65535) {
      throw new ConfigError(`store: ${JSON.stringify(item)} in the ${scheme} URL is not host:port`);
    }
    out.push({ host: m[1] ?? m[2]!, port });
  }
  return out;
}

const common = (d: RedisDefaults) => (d.wait === undefined ? {} : { wait: d.wait });

function parseDb(text: string | undefined, scheme: string): number {
  if (text === undefined || text === '') return 0;
  const db = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!(db >= 0 && db <= 15)) throw new ConfigError(`store: the ${scheme}:// database must be 0..15`);
  return db;
}

/** scheme://[user-info@]hosts[/path] → parts; hosts may be a comma-separated list. */
function splitUrl(value: string, scheme: string): { userinfo: string; hosts: string; path: string[] } {
  const m = new RegExp(`^${scheme}://(?:([^@/]*)@)?([^/?#]*)(/[^?#]*)?$`).exec(value);
  if (!m || m[2] === '') throw new ConfigError(`store: invalid ${scheme}:// URL ${maskUrl(value)}`);
  const path = (m[3] ?? '').split('/').slice(1);
  if (path.at(-1) === '') path.pop();
  return { userinfo: m[1] ?? '', hosts: m[2]!, path };
}

function parseSingle(value: string, tls: boolean, d: RedisDefaults): StoreConfig {
  const scheme = tls ? 'rediss' : 'redis';
  const { userinfo, hosts, path } = splitUrl(value, scheme);
  const [server, ...more] = parseHostList(hosts, 6379, scheme);
  if (more.length > 0) throw new ConfigError(`store: a ${scheme}:// URL names one server; use redis-sentinel:// or redis-cluster:// for several`);
  if (path.length > 1) throw new ConfigError(`store: invalid ${scheme}:// URL ${maskUrl(value)}`);
  const password = decodePassword(userinfo, scheme) ?? d.password;
  return {
    kind: 'redis',
    host: server!.host,
    port: server!.port,
    db: parseDb(path[0], scheme),
    ...(password === undefined ? {} : { password }),
    ...(tls ? { tls: d.tlsCa === undefined ? {} : { ca: d.tlsCa } } : {}),
    ...common(d),
  };
}

function parseSentinel(value: string, d: RedisDefaults): StoreConfig {
  const scheme = 'redis-sentinel';
  const { userinfo, hosts, path } = splitUrl(value, scheme);
  const sentinels = parseHostList(hosts, 26379, scheme);
  const [name, db, ...rest] = path;
  if (!name || rest.length > 0 || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new ConfigError('store: redis-sentinel:// needs the primary\'s name: redis-sentinel://host:port,.../NAME[/DB]');
  }
  const password = decodePassword(userinfo, scheme) ?? d.password;
  return { kind: 'redis-sentinel', sentinels, masterName: name, db: parseDb(db, scheme), ...(password === undefined ? {} : { password }), ...common(d) };
}

function parseCluster(value: string, d: RedisDefaults): StoreConfig {
  const scheme = 'redis-cluster';
  const { userinfo, hosts, path } = splitUrl(value, scheme);
  if (path.length > 0) throw new ConfigError('store: a Redis Cluster has no database numbers: redis-cluster://host:port,host:port');
  const password = decodePassword(userinfo, scheme) ?? d.password;
  return { kind: 'redis-cluster', nodes: parseHostList(hosts, 6379, scheme), ...(password === undefined ? {} : { password }), ...common(d) };
}

/** Parses a --store value; `d` completes Redis URLs (--redis-password, --redis-tls-ca, waits). */
export function parseStoreUrl(value: string, d: RedisDefaults): StoreConfig {
  if (d.tlsCa !== undefined && !value.startsWith('rediss://')) throw new ConfigError('redis-tls-ca needs a rediss:// store (Redis over TLS)');
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (!path) throw new ConfigError('store sqlite:<path> needs a path');
    return { kind: 'sqlite', path };
  }
  if (value.startsWith('redis://')) return parseSingle(value, false, d);
  if (value.startsWith('rediss://')) return parseSingle(value, true, d);
  if (value.startsWith('redis-sentinel://')) return parseSentinel(value, d);
  if (value.startsWith('redis-cluster://')) return parseCluster(value, d);
  throw new ConfigError(`store: ${EXPECTED}, got ${JSON.stringify(maskUrl(value))}`);
}

/** A description of the store that is safe to show (no address, no password). */
export function describeStore(store: StoreConfig): string {
  return store.kind === 'sqlite' ? `sqlite:${store.path}` : store.kind;
}
