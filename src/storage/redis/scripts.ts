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
  'enqueue', 'take', 'softget', 'remove', 'purge', 'peek',
  'dispatch', 'requeue', 'register', 'heartbeat', 'reap',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LuaScript {
  name: string;
  numberOfKeys: number;
  file: string;
  lua: string;
}

const FILE_NAME = /^([A-Za-z][A-Za-z0-9]*)-(\d+)\.lua$/;

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
    out.push({ name: m[1]!, numberOfKeys: Number(m[2]), file, lua: readFileSync(dir + file, 'utf8') });
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
  /** enqueue-5.lua → the new keys, in order. */
  enqueue(counter: string, pending: string, queueset: string, status: string, consumers: string,
    queue: string, prefix: string, ttl: string, channel: string, ...values: string[]): Promise<string[]>;
  /** take-2.lua → [stopped, expired, k1, v1, ...]. */
  take(pending: string, status: string, count: string, refcountSuffix: string): Promise<(string | number)[]>;
  /** softget-1.lua → [key, value, count] or null. */
  softget(pending: string, refcountSuffix: string): Promise<[string, string, number] | null>;
  /** remove-1.lua → 1 if the body existed. */
  remove(pending: string, key: string, refcountSuffix: string): Promise<number>;
  /** purge-1.lua → 1 if the list existed. */
  purge(pending: string, refcountSuffix: string): Promise<number>;
  /** peek-1.lua → [k1, v1, ...]. */
  peek(pending: string, count: string): Promise<string[]>;

  /** dispatch-6.lua → [dispatched, expired, item1, ...] (the caller's inbox, oldest first). */
  dispatch(pending: string, status: string, policy: string, consumers: string, rotation: string, brokers: string,
    count: string, read: string, refcountSuffix: string, inboxPrefix: string, brokerId: string,
    channel: string, queue: string): Promise<(string | number)[]>;
  /** requeue-3.lua → how many messages were put back. */
  requeue(pending: string, consumers: string, counter: string,
    channel: string, queue: string, prefix: string, ...keysAndValues: string[]): Promise<number>;
  /** register-2.lua → 1 when the broker was unknown (new, or reaped or left since). */
  register(consumers: string, brokers: string, ttlMs: string, brokerId: string, ...members: string[]): Promise<number>;
  /** heartbeat-1.lua → 1 when the broker was unknown (new, or reaped or left since). */
  heartbeat(brokers: string, ttlMs: string, brokerId: string): Promise<number>;
  /** reap-1.lua → how many messages went back to their queues. */
  reap(brokers: string, inboxPrefix: string, pendingSuffix: string, channel: string, brokerId: string): Promise<number>;
}

export type ScriptedRedis = Redis & StoreCommands;
