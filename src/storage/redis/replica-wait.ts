/**
 * Replicated writes (--redis-wait-replicas N): a write is confirmed only once N replicas
 * acknowledged it, through WAIT on the same connection right after it. The writes of one
 * event-loop turn for the same routing key go out as one pipeline ending in one WAIT, so a
 * burst of producers costs one round trip to the replicas, not one each. Fewer than N
 * acknowledgements in time is REPLICATION_TIMEOUT for every write of that pipeline: the
 * write may have happened, and may or may not survive a failover.
 */
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import type { RedisStoreConfig, ReplicaWaitConfig } from '../../config/load.js';
import { BrokerError } from '../../errors.js';
import { closeRedis, COMMON, connectRedis } from './connection.js';

interface Pending {
  add: (pipeline: ChainableCommander) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class ReplicaWait {
  private batches = new Map<string, Pending[]>();
  private scheduled = false;

  /**
   * @param client where the writes and their WAIT go. On a single server or a Sentinel
   *   primary give it a connection of its own: WAIT holds its connection until the replicas
   *   answer, and nothing else should queue behind it. On a cluster, the pipeline of a key
   *   goes to the node serving the key's slot, which is where WAIT must run.
   * @param ownsClient close() quits the client.
   */
  constructor(
    private readonly client: Redis | Cluster,
    readonly config: ReplicaWaitConfig,
    private readonly ownsClient = false,
  ) {}

  /**
   * Sends the one command `add` puts on the pipeline, followed by WAIT; resolves with that
   * command's reply once `config.replicas` replicas have it. `key` routes it: writes of one
   * turn with the same key share a pipeline (on a cluster, give a key of the queue's slot).
   */
  write<T>(key: string, add: (pipeline: ChainableCommander) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const batch = this.batches.get(key) ?? [];
      this.batches.set(key, batch);
      batch.push({ add, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: every request that arrived in this turn has added its write.
        setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    await closeRedis(this.client);
  }

  private flush(): void {
    const batches = this.batches;
    this.batches = new Map();
    this.scheduled = false;
    for (const batch of batches.values()) void this.send(batch);
  }

  private async send(batch: Pending[]): Promise<void> {
    let replies: [Error | null, unknown][] | null;
    try {
      const pipeline = this.client.pipeline();
      for (const p of batch) p.add(pipeline);
      pipeline.call('WAIT', String(this.config.replicas), String(this.config.timeoutMs));
      replies = await pipeline.exec();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const [waitErr, acked] = replies?.[batch.length] ?? [new Error('no reply to WAIT'), 0];
    const short = waitErr ?? (Number(acked) < this.config.replicas ? new BrokerError('REPLICATION_TIMEOUT') : undefined);
    batch.forEach((p, i) => {
      const [err, reply] = replies?.[i] ?? [new Error('no reply'), undefined];
      if (err) p.reject(err);
      else if (short) p.reject(short);
      else p.resolve(reply);
    });
  }
}

/**
 * With --redis-wait-replicas: the replicated writes of a single server or Sentinel primary,
 * on a connection of their own (WAIT holds its connection) whose command timeout outlasts
 * the WAIT. `prepare` defines the scripts on it. Call before `redis` connects.
 */
export async function openReplicaWait(redis: Redis, config: RedisStoreConfig, prepare: (conn: Redis) => void): Promise<ReplicaWait | undefined> {
  if (config.wait === undefined) return undefined;
  const conn = redis.duplicate({ commandTimeout: config.wait.timeoutMs + (COMMON.commandTimeout ?? 0) });
  conn.on('error', () => {});
  prepare(conn);
  await connectRedis(conn, config);
  conn.options.enableOfflineQueue = false;
  return new ReplicaWait(conn, config.wait, true);
}
