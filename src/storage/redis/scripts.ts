/**
 * Loads the Lua scripts of lua/<name>-<numberOfKeys>.lua and registers each one as an ioredis
 * custom command (ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT by itself).
 * Policy and status writes are single SET commands, atomic already, so they have no script.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/** Every script the store calls; test/unit/lua-scripts.test.ts checks it matches lua/. */
export const SCRIPT_NAMES = [
  'enqueue', 'enqueuelean', 'take', 'softget', 'remove', 'purge', 'peek',
  'dispatch', 'requeue', 'register', 'heartbeat', 'reap',
  'lease', 'leasefifo', 'leasedispatched', 'ack', 'nack', 'extend', 'reapleases', 'redrive', 'settings',
  'meters', 'deletequeue', 'due', 'setmeta', 'moveleased',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LuaScript {
  name: string;
  numberOfKeys: number;
  file: string;
  lua: string;
}

const FILE_NAME = /^([A-Za-z][A-Za-z0-9]*)-(\d+)\.lua$/;
/** A line `-- #include <name>` stands for lua/lib/<name>.lua: one shared local function. */
const INCLUDE = /^-- #include ([a-z_]+)$/gm;

/**
 * Pastes the libs `lua` includes in place of their include lines, each lib's own includes
 * first and every lib once per script (later include lines of a pasted lib vanish), as
 * BullMQ's includes: a Lua local must be defined before the code that calls it.
 */
export function resolveIncludes(lua: string, libDir: string | readonly string[], pasted = new Set<string>()): string {
  const dirs = typeof libDir === 'string' ? [libDir] : libDir;
  return lua.replace(INCLUDE, (_, lib: string) => {
    if (pasted.has(lib)) return '';
    pasted.add(lib);
    // The first directory that has the lib wins (the cluster scripts' own, then the shared ones).
    const dir = dirs.find((d) => existsSync(`${d}${lib}.lua`)) ?? dirs[0];
    return resolveIncludes(readFileSync(`${dir}${lib}.lua`, 'utf8'), dirs, pasted).trimEnd();
  });
}

/**
 * The lua directory. The build copies no files, so after `tsc` this module runs from
 * dist/src/storage/redis/ while the scripts stay in src/storage/redis/lua/.
 */
export function luaDir(): string {
  const candidates = [new URL('./lua/', import.meta.url), new URL('../../../../src/storage/redis/lua/', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(dir)) return dir;
  }
  throw new Error(`Lua scripts not found; looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')}`);
}

let cache: LuaScript[] | undefined;

/** Reads and parses every script once per process. */
export function loadScripts(): LuaScript[] {
  if (cache) return cache;
  const dir = luaDir();
  const out: LuaScript[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.lua')) continue;
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`Lua script ${file} is not named <name>-<numberOfKeys>.lua`);
    const lua = resolveIncludes(readFileSync(dir + file, 'utf8'), `${dir}lib/`);
    out.push({ name: m[1]!, numberOfKeys: Number(m[2]), file, lua });
  }
  cache = out;
  return out;
}

const registered = new WeakSet<Redis>();

/** Defines every script on `redis` (once); refuses a name that would shadow an ioredis method. */
export function registerScripts(redis: Redis): void {
  if (registered.has(redis)) return;
  for (const s of loadScripts()) {
    if (s.name in redis) throw new Error(`Lua script name ${s.name} collides with an ioredis method`);
    redis.defineCommand(s.name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  }
  registered.add(redis);
}

/** Raw replies of the scripts, before redis-store.ts turns them into queue types. */
export interface StoreCommands {
  /** enqueue-9.lua → the new keys, in order (with a dedup hit: the first message's key). */
  enqueue(counter: string, pending: string, queueset: string, status: string, consumers: string, delayed: string,
    leasedQueues: string, dedup: string, clock: string, queue: string, prefix: string, ttl: string, channel: string, delayMs: string,
    dedupOn: string, dedupSeconds: string, metaSuffix: string, meta: string, ...values: string[]): Promise<string[]>;
  /** setmeta-0.lua → how many were replaced. */
  setmeta(...metaKeysAndValues: string[]): Promise<number>;
  /** enqueuelean-6.lua (one plain value) → the new message key. */
  enqueuelean(counter: string, pending: string, queueset: string, status: string, consumers: string, clock: string,
    queue: string, prefix: string, channel: string, register: string, value: string): Promise<string>;
  /** meters-0.lua → nine integers per queue (redis-meters.ts). */
  meters(layout: string, ...queues: string[]): Promise<number[]>;
  /** take-5.lua → [stopped, expired, k1, v1, expiry1 ('' for none), ...]. */
  take(pending: string, status: string, attempts: string, origin: string, delayed: string, count: string, refcountSuffix: string,
    metaSuffix: string): Promise<(string | number)[]>;
  /** softget-2.lua → [key, value, count] or null. */
  softget(pending: string, delayed: string, refcountSuffix: string, metaSuffix: string): Promise<[string, string, number] | null>;
  /** remove-2.lua → 1 if the body existed. */
  remove(pending: string, delayed: string, key: string, refcountSuffix: string, metaSuffix: string): Promise<number>;
  /** purge-7.lua → 1 if the list existed. */
  purge(pending: string, leased: string, tokens: string, attempts: string, origin: string, leasedQueues: string,
    delayed: string, refcountSuffix: string, queue: string, metaSuffix: string): Promise<number>;
  /** deletequeue-17.lua → 1 if the queue was known. */
  deletequeue(...args: string[]): Promise<number>;
  /** peek-2.lua → [k1, v1, ...]. */
  peek(pending: string, delayed: string, count: string, refcountSuffix: string, metaSuffix: string): Promise<string[]>;
  /** due-2.lua → [promoted, ms until the next delayed message is due, or -1]. */
  due(delayed: string, pending: string, refcountSuffix: string, metaSuffix: string): Promise<[number, number]>;

  /** dispatch-7.lua → [dispatched, expired, item1, ...] (the caller's inbox, oldest first). */
  dispatch(pending: string, status: string, policy: string, consumers: string, rotation: string, brokers: string, delayed: string,
    count: string, read: string, refcountSuffix: string, inboxPrefix: string, brokerId: string,
    channel: string, queue: string, metaSuffix: string): Promise<(string | number)[]>;
  /** requeue-3.lua → how many messages were put back. */
  requeue(pending: string, consumers: string, counter: string,
    channel: string, queue: string, prefix: string, metaSuffix: string, ...keysValuesExpiriesMetas: string[]): Promise<number>;
  /** register-2.lua → 1 when the broker was unknown (new, or reaped or left since). */
  register(consumers: string, brokers: string, ttlMs: string, brokerId: string, ...members: string[]): Promise<number>;
  /** heartbeat-1.lua → 1 when the broker was unknown (new, or reaped or left since). */
  heartbeat(brokers: string, ttlMs: string, brokerId: string): Promise<number>;
  /** reap-1.lua → how many messages went back to their queues. */
  reap(brokers: string, inboxPrefix: string, pendingSuffix: string, channel: string, brokerId: string, metaSuffix: string): Promise<number>;

  // Leases (redis-lease.ts). `queueKeys` are the eight keys of redis-lease.ts leaseKeys().
  /** lease-8.lua → [stopped, expired, k1, v1, token1, attempts1, ...]. */
  lease(...args: string[]): Promise<(string | number)[]>;
  /** leasefifo-8.lua (a FIFO queue's lease) → as lease-8.lua. */
  leasefifo(...args: string[]): Promise<(string | number)[]>;
  /** leasedispatched-5.lua → [k1, token1, attempts1, ...] (the leased ones). */
  leasedispatched(counter: string, leased: string, tokens: string, attempts: string, leasedQueues: string,
    queue: string, prefix: string, leaseMs: string, metaSuffix: string, ...keysValuesTokensExpiriesMetas: string[]): Promise<(string | number)[]>;
  /** ack-8.lua → 1, or 0 when stale. */
  ack(...args: string[]): Promise<number>;
  /** nack-8.lua → 1, or 0 when stale. */
  nack(...args: string[]): Promise<number>;
  /** moveleased-8.lua → 1, or 0 when stale. */
  moveleased(...args: string[]): Promise<number>;
  /** extend-2.lua → 1, or 0 when stale. */
  extend(leased: string, tokens: string, key: string, token: string, leaseMs: string): Promise<number>;
  /** reapleases-1.lua → [returned, dead]. */
  reapleases(leasedQueues: string, layout: string, channel: string, ...queues: string[]): Promise<[number, number]>;
  /** redrive-2.lua → how many messages moved. */
  redrive(pending: string, origin: string, layout: string, channel: string, deadQueue: string, destination: string): Promise<number>;
  /** settings-1.lua → 1. */
  settings(settings: string, leaseSeconds: string, maxAttempts: string, deadLetter: string): Promise<number>;
}

export type ScriptedRedis = Redis & StoreCommands;
