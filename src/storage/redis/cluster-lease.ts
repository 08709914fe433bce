/**
 * The lease side of the cluster store (lease-contract.ts), in the cluster layout: each change of
 * a queue is one script of lua/cluster/ in its slot, as redis-lease.ts is on one Redis. Dead
 * letters and redrive are moves through the queue's outbox (cluster-moves.ts); the queues the
 * reaper walks are kept in a set beside the scripts.
 */
import { FIFO_SCAN, isFifoQueue, type LeasedMessage, type LeaseResult, type QueueSettings, type ReceiptOutcome } from '../lease-contract.js';
import { clusterKeys, clusterQueueKeys, defaultDeadLetter } from './keys.js';
import { run } from './redis-errors.js';
import { decodeSettings } from './redis-replies.js';
import { newTokens } from './redis-lease.js';
import type { ScriptedCluster } from './cluster-scripts.js';
import { drainOutbox } from './cluster-moves.js';
import { RECEIPT } from './redis-lease.js';

/** `<n>.<token>`, as redis-lease.ts. */
const outcome = (r: number): ReceiptOutcome => (r >= 1 ? 'ok' : 'stale');
/** The origin a dead-letter queue's name implies (`<q>.dead` → `<q>`), or ''. */
const DEAD_SUFFIX = defaultDeadLetter('');
const impliedOrigin = (dq: string) => (dq.length > DEAD_SUFFIX.length && dq.endsWith(DEAD_SUFFIX) ? dq.slice(0, -DEAD_SUFFIX.length) : '');

export class ClusterLease {
  constructor(
    private readonly cluster: ScriptedCluster,
    /** Puts a queue into the index before its first write from here (the store's). */
    private readonly register: (queue: string) => Promise<void>,
  ) {}

  async lease(queue: string, count: number, leaseMs: number): Promise<LeaseResult> {
    const n = Math.max(0, Math.floor(count));
    const tokens = newTokens(n);
    const head = [...clusterQueueKeys(queue), queue, clusterKeys.events(queue), defaultDeadLetter(queue), String(n), String(Math.max(1, Math.ceil(leaseMs)))];
    const r = await run(() => isFifoQueue(queue)
      ? this.cluster.leasefifo(...head, String(FIFO_SCAN), ...tokens)
      : this.cluster.lease(...head, ...tokens));
    const messages: LeasedMessage[] = [];
    for (let i = 3; i + 3 < r.length; i += 4) {
      const key = String(r[i]);
      messages.push({ key, value: String(r[i + 1]), receipt: `${key.slice(queue.length + 1)}.${String(r[i + 2])}`, attempts: Number(r[i + 3]) });
    }
    if (messages.length > 0) await run(() => this.cluster.sadd(clusterKeys.leasedQueues, queue));
    if (Number(r[2]) > 0) await this.reapQueue(queue);
    return { stopped: Number(r[0]) === 1, expired: Number(r[1]), messages };
  }

  async ack(queue: string, receipt: string): Promise<ReceiptOutcome> {
    const p = RECEIPT.exec(receipt);
    if (!p) return 'stale';
    return outcome(await run(() => this.cluster.ack(...clusterQueueKeys(queue), queue, p[1]!, p[2]!)));
  }

  async nack(queue: string, receipt: string, delayMs: number): Promise<ReceiptOutcome> {
    const p = RECEIPT.exec(receipt);
    if (!p) return 'stale';
    const delay = String(Math.max(0, Math.ceil(delayMs)));
    const r = await run(() => this.cluster.nack(...clusterQueueKeys(queue), queue, clusterKeys.events(queue), defaultDeadLetter(queue),
      p[1]!, p[2]!, delay));
    if (r === 2) await this.reapQueue(queue);
    return outcome(r);
  }

  async extend(queue: string, receipt: string, leaseMs: number): Promise<ReceiptOutcome> {
    const p = RECEIPT.exec(receipt);
    if (!p) return 'stale';
    return outcome(await run(() => this.cluster.extend(...clusterQueueKeys(queue), p[1]!, p[2]!, String(Math.max(1, Math.ceil(leaseMs))))));
  }

  /**
   * Reaps each queue (all in the leased-queues set when none are named), finishing the moves
   * its outbox holds. A queue found idle leaves the set; since another broker may lease on it
   * meanwhile (and add it after its script), it is checked again after the SREM and put back
   * when it is busy: a writer always adds after its write, so one of the two sees the other.
   */
  async reapLeases(queues?: readonly string[]): Promise<{ returned: number; dead: number }> {
    const all = queues === undefined;
    const list = queues ?? (await run(() => this.cluster.smembers(clusterKeys.leasedQueues)));
    let returned = 0;
    let dead = 0;
    for (const q of list) {
      const r = await this.reapQueue(q);
      returned += r.returned;
      dead += r.dead;
      if (all && r.idle) {
        await run(async () => {
          await this.cluster.srem(clusterKeys.leasedQueues, q);
          const busy = await this.cluster.exists(clusterKeys.leased(q), clusterKeys.delayed(q), clusterKeys.outbox(q));
          if (busy > 0) await this.cluster.sadd(clusterKeys.leasedQueues, q);
        });
      }
    }
    return { returned, dead };
  }

  /** reapleases-20.lua on one queue, then steps 1 and 2 of every move in its outbox. */
  private async reapQueue(queue: string): Promise<{ returned: number; dead: number; idle: boolean }> {
    const r = await run(() => this.cluster.reapleases(...clusterQueueKeys(queue), queue, clusterKeys.events(queue), defaultDeadLetter(queue)));
    const moved = await run(() => drainOutbox(this.cluster, queue, r.slice(3), this.register));
    return { returned: Number(r[0]), dead: Number(r[1]), idle: Number(r[2]) === 1 && moved === 0 };
  }

  async getSettings(queue: string): Promise<QueueSettings> {
    return decodeSettings(await run(() => this.cluster.hgetall(clusterKeys.settings(queue))));
  }

  async setSettings(queue: string, settings: QueueSettings): Promise<void> {
    const text = (v: number | string | undefined) => (v === undefined ? '' : String(v));
    await run(() => this.cluster.settings(...clusterQueueKeys(queue), text(settings.leaseSeconds), text(settings.maxAttempts),
      text(settings.deadLetter)));
  }

  /** Step 0 into the dead queue's outbox, then steps 1 and 2 (cluster-moves.ts). The dead queue
   *  joins the reaper's set first, so a crash midway is finished by the next reaper. */
  async redrive(deadQueue: string, destination?: string): Promise<number> {
    return run(async () => {
      await this.cluster.sadd(clusterKeys.leasedQueues, deadQueue);
      const r = await this.cluster.redrive(...clusterQueueKeys(deadQueue), deadQueue, impliedOrigin(deadQueue), destination ?? '');
      await drainOutbox(this.cluster, deadQueue, r.slice(1), this.register);
      return Number(r[0]);
    });
  }
}
