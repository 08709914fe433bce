/**
 * presque's bookkeeping on Redis (presque-contract.ts), for both layouts: keys.ts presqueKeys
 * (presque's own names, on a plain Redis) or clusterPresqueKeys (a queue's counters and tokens
 * in its slot, every worker key in one slot of its own). What changes several keys of one slot
 * is one script of lua/presque/, so no command ever spans slots.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { UNIQ_CLAIM_MS, type PresqueCounters, type PresqueStore } from '../presque-contract.js';
import type { PresqueLayout } from './keys.js';
import { luaDir } from './scripts.js';
import type { Run } from './redis-errors.js';


/** The scripts of lua/presque/<name>-<numberOfKeys>.lua, defined as `presque<Name>`. */
interface PresqueCommands {
  presqueCredit(workers: string, counters: string, worker: string, n: string): Promise<number>;
  presqueClaim(uniq: string, uniqJob: string, bodies: string, token: string, staleMs: string, prefix: string): Promise<number>;
  presqueRegister(...args: string[]): Promise<number>;
  presqueUnregister(...args: string[]): Promise<number>;
  presqueBind(uniq: string, uniqJob: string, body: string, token: string, key: string, field: string): Promise<number>;
  presqueRelease(uniq: string, uniqJob: string, ...keys: string[]): Promise<number>;
}
type Client = (Redis | Cluster) & PresqueCommands;

const defined = new WeakSet<Redis | Cluster>();

function definePresqueScripts(client: Redis | Cluster): Client {
  if (!defined.has(client)) {
    const dir = `${luaDir()}presque/`;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.lua'))) {
      const m = /^([a-z]+)-(\d+)\.lua$/.exec(file);
      if (!m) throw new Error(`Lua script presque/${file} is not named <name>-<numberOfKeys>.lua`);
      const name = `presque${m[1]![0]!.toUpperCase()}${m[1]!.slice(1)}`;
      client.defineCommand(name, { numberOfKeys: Number(m[2]), lua: readFileSync(dir + file, 'utf8') });
    }
    defined.add(client);
  }
  return client as Client;
}

const count = (v: string | null | undefined): number => (v ? Number(v) || 0 : 0);

export class RedisPresque implements PresqueStore {
  private readonly redis: Client;

  constructor(
    redis: Redis | Cluster,
    private readonly k: PresqueLayout,
    private readonly run: Run,
  ) {
    this.redis = definePresqueScripts(redis);
  }

  async fetched(queue: string, keys: readonly string[], worker?: string): Promise<void> {
    if (keys.length === 0) return;
    const [hash, field] = this.k.processed(queue);
    await this.run(() => Promise.all([
      this.redis.hincrby(hash, field, keys.length),
      this.redis.presqueRelease(this.k.uniq(queue), this.k.uniqJob(queue), ...keys),
      worker === undefined ? 0 : this.redis.presqueCredit(this.k.workers, this.k.workerProcessed, worker, String(keys.length)),
    ]));
  }

  async failed(queue: string, worker?: string): Promise<void> {
    const [hash, field] = this.k.failed(queue);
    await this.run(() => Promise.all([
      this.redis.hincrby(hash, field, 1),
      worker === undefined ? 0 : this.redis.presqueCredit(this.k.workers, this.k.workerFailed, worker, '1'),
    ]));
  }

  async counters(queue: string): Promise<PresqueCounters> {
    const [ph, pf] = this.k.processed(queue);
    const [fh, ff] = this.k.failed(queue);
    const [processed, failed] = await this.run(() => Promise.all([this.redis.hget(ph, pf), this.redis.hget(fh, ff)]));
    return { processed: count(processed), failed: count(failed) };
  }

  async claimUniq(queue: string, token: string): Promise<boolean> {
    // The layout's body of a job `<q>:<n>`: the key itself (plain), or field n of a hash (cluster).
    const [bodies, field] = this.k.body(queue, `${queue}:1`);
    const uniq = this.k.uniq(queue);
    const r = await this.run(() => field === ''
      ? this.redis.presqueClaim(uniq, this.k.uniqJob(queue), uniq, token, String(UNIQ_CLAIM_MS), '')
      : this.redis.presqueClaim(uniq, this.k.uniqJob(queue), bodies, token, String(UNIQ_CLAIM_MS), `${queue}:`));
    return r === 1;
  }

  async bindUniq(queue: string, token: string, key: string): Promise<void> {
    const [body, field] = this.k.body(queue, key);
    await this.run(() => this.redis.presqueBind(this.k.uniq(queue), this.k.uniqJob(queue), body, token, key, field));
  }

  async dropUniq(queue: string, token: string): Promise<void> {
    await this.run(() => this.redis.hdel(this.k.uniq(queue), token));
  }

  async purged(queue: string): Promise<void> {
    const [ph, pf] = this.k.processed(queue);
    const [fh, ff] = this.k.failed(queue);
    await this.run(() => Promise.all([
      this.redis.hdel(ph, pf),
      this.redis.hdel(fh, ff),
      this.redis.del(this.k.uniq(queue)),
      this.redis.del(this.k.uniqJob(queue)),
    ]));
  }

  private workerArgs(worker: string, queue: string): string[] {
    return [this.k.workers, this.k.queueWorkers(queue), this.k.workerQueues(worker), this.k.workerProcessed, this.k.workerFailed, worker, queue];
  }

  async register(worker: string, queue: string): Promise<void> {
    await this.run(() => this.redis.presqueRegister(...this.workerArgs(worker, queue)));
  }

  async unregister(worker: string, queue: string): Promise<void> {
    await this.run(() => this.redis.presqueUnregister(...this.workerArgs(worker, queue)));
  }

  async workers(queue?: string): Promise<string[]> {
    const ids = await this.run(() => this.redis.smembers(queue === undefined ? this.k.workers : this.k.queueWorkers(queue)));
    return ids.sort();
  }

  async worker(id: string): Promise<PresqueCounters | null> {
    const [member, processed, failed] = await this.run(() => Promise.all([
      this.redis.sismember(this.k.workers, id),
      this.redis.hget(this.k.workerProcessed, id),
      this.redis.hget(this.k.workerFailed, id),
    ]));
    return member === 1 ? { processed: count(processed), failed: count(failed) } : null;
  }
}
