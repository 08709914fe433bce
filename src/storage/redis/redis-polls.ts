/**
 * Waiting long polls, counted across brokers (meter-contract.ts reportPolls / pollsWaiting),
 * for both layouts: per queue one ZSET (keys.polls / clusterKeys.polls) whose member
 * `<brokerId>/<count>` is one broker's count, scored by when it lapses (the writer's clock in
 * epoch ms: a broker that stops reporting drops out after the TTL). A count is a hint for the
 * views, so plain commands do: no script, one MULTI per queue that changed.
 */
import type { Redis, Cluster } from 'ioredis';
import type { Run } from './redis-errors.js';


export class RedisPolls {
  /** What this broker last wrote, per queue: its member, to replace it. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly brokerId: string,
    private readonly keyOf: (queue: string) => string,
    private readonly run: Run,
  ) {}

  async report(waiting: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    const now = Date.now();
    const queues = new Set([...this.written.keys(), ...waiting.keys()]);
    await Promise.all([...queues].map(async (q) => {
      const count = waiting.get(q) ?? 0;
      const key = this.keyOf(q);
      const old = this.written.get(q);
      const member = `${this.brokerId}/${count}`;
      const tx = this.redis.multi().zremrangebyscore(key, '-inf', now);
      if (old !== undefined && old !== member) tx.zrem(key, old);
      if (count > 0) tx.zadd(key, now + ttlMs, member).pexpire(key, ttlMs * 2);
      await this.run(() => tx.exec());
      if (count > 0) this.written.set(q, member);
      else this.written.delete(q);
    }));
  }

  async waiting(queues: readonly string[]): Promise<number[]> {
    const now = Date.now();
    const sum = (members: readonly string[]) => members.reduce((n, m) => n + (Number(m.slice(m.lastIndexOf('/') + 1)) || 0), 0);
    if (this.redis.isCluster) {
      // Keys in as many slots as queues: one command each (a cluster pipeline is per slot).
      return Promise.all(queues.map(async (q) => sum(await this.run(() => this.redis.zrangebyscore(this.keyOf(q), now, '+inf')))));
    }
    // One round trip for all of them (a scrape asks for every queue).
    const p = this.redis.pipeline();
    for (const q of queues) p.zrangebyscore(this.keyOf(q), now, '+inf');
    // A failed reply throws inside run(), which makes it the store's error.
    return this.run(async () => {
      const replies = (await p.exec()) ?? [];
      return queues.map((_, i) => {
        const [err, members] = replies[i] ?? [new Error('missing pipeline reply'), null];
        if (err) throw err;
        return sum(members as string[]);
      });
    });
  }
}
