/**
 * The ioredis clients of a Redis store configuration: one server (plain or TLS), the primary
 * that Sentinels name (followed across failovers), or a cluster (checked ready before use).
 * Every failure to start is one STORE_UNAVAILABLE naming the address, never the password.
 */
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisClusterConfig, RedisStoreConfig } from '../../config/load.js';
import { BrokerError } from '../../errors.js';

/** Options of every store connection (the store's own choices; see redis-store.ts). */
export const COMMON: RedisOptions = {
  lazyConnect: true,
  // Off on purpose: HTTP requests arrive one per tick, so auto-pipelining batched nothing
  // and cost ~28 µs of CPU per request (npm run bench: POST 0.36 → 0.60 × the bare handler).
  enableAutoPipelining: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 3000,
  commandTimeout: 5000,
};

const list = (servers: readonly { host: string; port: number }[]) => servers.map((s) => `${s.host}:${s.port}`).join(',');

/** What a start failure names: the address, never the password. */
export function describeRedisTarget(config: RedisStoreConfig | RedisClusterConfig): string {
  switch (config.kind) {
    case 'redis':
      return `Redis at ${config.host}:${config.port}`;
    case 'redis-sentinel':
      return `the Redis primary "${config.masterName}" through the Sentinels at ${list(config.sentinels)}`;
    case 'redis-cluster':
      return `the Redis Cluster at ${list(config.nodes)}`;
  }
}

function tlsOptions(ca: string | undefined): RedisOptions['tls'] {
  if (ca === undefined) return {};
  try {
    return { ca: readFileSync(ca) };
  } catch (err) {
    throw new BrokerError('STORE_UNAVAILABLE', `cannot read the Redis TLS CA file ${ca}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
}

/**
 * After a failover the old primary may still be reachable, turned replica: its READONLY
 * answer means "the primary moved". Reconnecting asks the Sentinels again; the command is
 * sent again (2) since a write refused as READONLY did nothing.
 */
const reconnectOnReadonly = (err: Error): 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

/** The client options for a single server or a Sentinel-managed primary (not connected). */
export function redisClientOptions(config: RedisStoreConfig): RedisOptions {
  const password = config.password === undefined ? {} : { password: config.password };
  if (config.kind === 'redis') {
    return { ...COMMON, host: config.host, port: config.port, db: config.db, ...password, ...(config.tls ? { tls: tlsOptions(config.tls.ca) } : {}) };
  }
  return {
    ...COMMON,
    ...password,
    sentinels: config.sentinels,
    name: config.masterName,
    db: config.db,
    // Subscribes to the Sentinels' +switch-master: the connection moves as soon as they
    // agree, not when the old primary finally refuses a write.
    failoverDetector: true,
    reconnectOnError: reconnectOnReadonly,
  };
}

/** A client, not connected yet (lazyConnect): the store registers its scripts first. */
export function createRedisClient(config: RedisStoreConfig): Redis {
  const redis = new Redis(redisClientOptions(config));
  // Without a listener ioredis prints every reconnect error; commands report failures anyway.
  redis.on('error', () => {});
  return redis;
}

/**
 * QUIT (what was sent still runs), then disconnect: in Sentinel mode only disconnect() closes
 * ioredis's +switch-master subscriptions to the Sentinels, which would keep the process alive.
 */
export async function closeRedis(client: Redis | Cluster): Promise<void> {
  await client.quit().catch(() => undefined);
  client.disconnect();
}

/** Connects `redis`, failing fast (one STORE_UNAVAILABLE naming the address) when it cannot. */
export async function connectRedis(redis: Redis, config: RedisStoreConfig): Promise<void> {
  // ioredis asks the Sentinels again and again until one answers: right for an outage later
  // on, but a start must fail. The connector reads this option at each round.
  const retry = redis.options.sentinelRetryStrategy;
  redis.options.sentinelRetryStrategy = () => null;
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new BrokerError('STORE_UNAVAILABLE', `cannot connect to ${describeRedisTarget(config)}`, { cause: err });
  } finally {
    redis.options.sentinelRetryStrategy = retry;
  }
}

/** Field `name` of an INFO-style reply. */
function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** A plain client of the first seed node (errors come back through its commands). */
function seedClient(config: RedisClusterConfig, options: RedisOptions): Redis {
  const seed = new Redis({ ...options, ...config.nodes[0], ...(config.password === undefined ? {} : { password: config.password }) });
  seed.on('error', () => {});
  return seed;
}

/**
 * Connects to a cluster through its seed nodes and checks every primary reports
 * cluster_state:ok, so a broker never starts on a cluster that cannot serve all slots.
 * `prepare` runs before connecting (to define scripts); `options` are merged over ours.
 */
export async function connectRedisCluster(config: RedisClusterConfig, prepare?: (cluster: Cluster) => void, options: ClusterOptions = {}): Promise<Cluster> {
  const { lazyConnect: _lazy, ...redisOptions } = COMMON;
  const cluster = new Cluster(config.nodes, {
    lazyConnect: true,
    // ioredis's own check reconnects for ever on a cluster that is not ready; ours fails.
    enableReadyCheck: false,
    ...options,
    redisOptions: { ...redisOptions, ...(config.password === undefined ? {} : { password: config.password }), ...options.redisOptions },
  });
  cluster.on('error', () => {});
  prepare?.(cluster);
  const where = describeRedisTarget(config);
  try {
    await cluster.connect();
  } catch (err) {
    cluster.disconnect();
    throw new BrokerError('STORE_UNAVAILABLE', `cannot connect to ${where}`, { cause: err });
  }
  let state: string | undefined;
  try {
    // Seeds that serve no slot leave ioredis with no primary: ask the first seed itself.
    const primaries = cluster.nodes('master');
    const asked = primaries.length > 0 ? primaries : [seedClient(config, redisOptions)];
    const states = await Promise.all(asked.map(async (node) => infoField(String(await node.call('CLUSTER', 'INFO')), 'cluster_state')));
    if (primaries.length === 0) asked[0]!.disconnect();
    state = states.find((s) => s !== 'ok');
  } catch (err) {
    cluster.disconnect();
    throw new BrokerError('STORE_UNAVAILABLE', `cannot connect to ${where}`, { cause: err });
  }
  if (state !== undefined) {
    cluster.disconnect();
    throw new BrokerError('STORE_UNAVAILABLE', `${where} is not ready (cluster_state: ${state})`);
  }
  return cluster;
}
