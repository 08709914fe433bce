/**
 * The cluster layout's Lua scripts, lua/cluster/<name>-<numberOfKeys>.lua (`-n`: the caller
 * gives the number of keys), registered as ioredis commands on the Cluster client. Each starts
 * with a `#!lua` line, so Redis runs it with the Redis 7 script flags: in a cluster it then
 * refuses any key outside the slot of the declared ones, and every key it touches is in KEYS.
 * `-- #include <name>` pastes lua/cluster/lib/<name>.lua, else lua/lib/<name>.lua (now_ms, fmt),
 * as for the plain scripts: one helper per file, each pasted once. The cluster helpers name no
 * key: they work on the queue table K that queue_from builds from the script's KEYS, and a
 * message is a number n (its body field n of K.bodies, its TTL field n of K.expires).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Cluster } from 'ioredis';
import { luaDir, resolveIncludes, type LuaScript } from './scripts.js';

/** Every cluster script the store calls; test/unit/lua-scripts.test.ts checks it matches lua/cluster/. */
export const CLUSTER_SCRIPT_NAMES = [
  'enqueue', 'take', 'softget', 'remove', 'purge', 'peek', 'meters',
  'lease', 'leasefifo', 'leasedispatched', 'ack', 'nack', 'extend', 'reapleases', 'settings', 'movein', 'redrive',
  'register', 'heartbeat', 'dispatch', 'requeue', 'reap', 'deletequeue', 'due', 'setmeta', 'moveleased',
] as const;

const FILE_NAME = /^([A-Za-z][A-Za-z0-9]*)-(\d+|n)\.lua$/;

export const clusterLuaDir = (): string => `${luaDir()}cluster/`;

let cache: LuaScript[] | undefined;

/** Reads every cluster script once per process; numberOfKeys is -1 for `-n`. */
export function loadClusterScripts(): LuaScript[] {
  if (cache) return cache;
  const dir = clusterLuaDir();
  cache = readdirSync(dir).filter((f) => f.endsWith('.lua')).sort().map((file) => {
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`Lua script ${file} is not named <name>-<numberOfKeys|n>.lua`);
    const lua = resolveIncludes(readFileSync(dir + file, 'utf8'), [`${dir}lib/`, `${luaDir()}lib/`]);
    return { name: m[1]!, numberOfKeys: m[2] === 'n' ? -1 : Number(m[2]), file, lua };
  });
  return cache;
}

const registered = new WeakSet<Cluster>();

export function registerClusterScripts(cluster: Cluster): void {
  if (registered.has(cluster)) return;
  for (const s of loadClusterScripts()) {
    if (s.name in cluster) throw new Error(`Lua script name ${s.name} collides with an ioredis method`);
    cluster.defineCommand(s.name, s.numberOfKeys < 0 ? { lua: s.lua } : { numberOfKeys: s.numberOfKeys, lua: s.lua });
  }
  registered.add(cluster);
}

type Reply = Promise<(string | number)[]>;

/** Raw replies of the cluster scripts; the 20 queue keys (keys.ts clusterQueueKeys) come first. */
export interface ClusterCommands {
  enqueue(...args: string[]): Promise<string[]>;
  take(...args: string[]): Reply;
  softget(...args: string[]): Promise<[string, string, number] | null>;
  peek(...args: string[]): Promise<string[]>;
  due(...args: string[]): Promise<[number, number]>;
  remove(...args: string[]): Promise<number>;
  purge(...args: string[]): Promise<number>;
  meters(...args: string[]): Promise<number[]>;
  lease(...args: string[]): Reply;
  leasefifo(...args: string[]): Reply;
  leasedispatched(...args: string[]): Reply;
  ack(...args: string[]): Promise<number>;
  nack(...args: string[]): Promise<number>;
  extend(...args: string[]): Promise<number>;
  /** moveleased-20.lua → [0] when stale, else [1, moveId1, record1, ...]. */
  moveleased(...args: string[]): Reply;
  reapleases(...args: string[]): Reply;
  settings(...args: string[]): Promise<number>;
  movein(...args: string[]): Promise<[number, number]>;
  redrive(...args: string[]): Reply;
  register(consumers: string, brokers: string, ttlMs: string, brokerId: string, ...members: string[]): Promise<number>;
  heartbeat(brokers: string, ttlMs: string, brokerId: string): Promise<number>;
  /** `-n` scripts: the number of keys first. */
  dispatch(numberOfKeys: number, ...args: string[]): Reply;
  requeue(...args: string[]): Promise<number>;
  /** setmeta-1.lua → how many were replaced. */
  setmeta(sqsMeta: string, ...numbersAndValues: string[]): Promise<number>;
  reap(numberOfKeys: number, ...args: string[]): Promise<number>;
  /** deletequeue-n.lua → how many of the keys existed. */
  deletequeue(numberOfKeys: number, ...args: string[]): Promise<number>;
}

export type ScriptedCluster = Cluster & ClusterCommands;
