/**
 * The lease side of the Redis store (lease-contract.ts, SPEC.md section 6). A leased message
 * keeps its body `<q>:<n>` and leaves `<q>:queue`, exactly as if an old broker had RPOPed it,
 * so an old RestMQ sharing the Redis simply does not see it; the lease itself lives under
 * restmq:* (keys.ts): deadline, token, attempts, settings, dead-letter origins. Every change is
 * one Lua script (lease-8, leasefifo-8 for FIFO queues, leasedispatched-5, ack-8, nack-8, extend-2, reapleases-1, redrive-2, settings-1),
 * timed by the Redis clock, sharing the helpers of lua/lib/.
 *
 * A nack with a delay keeps the message leased to nobody (its token removed, its deadline
 * moved to now + delay), so the reaper returns it when due: it is counted as delayed, not in
 * flight (inflight = leases with a token).
 */
import { randomBytes } from 'node:crypto';
import { FIFO_SCAN, isFifoQueue, type LeasedMessage, type LeaseResult, type QueueSettings, type ReceiptOutcome } from '../lease-contract.js';
import type { ReturnedMessage } from '../stream-contract.js';
import { expiryArg, metaArg } from './inbox-item.js';
import { keys, LAZY_LAYOUT, LEASE_LAYOUT } from './keys.js';
import type { ScriptedRedis } from './scripts.js';
import { decodeSettings } from './redis-replies.js';
import type { Run } from './redis-errors.js';


/** `<n>.<token>`: n the message number, the token lowercase hex. Anything else is stale. */
/** A lease receipt: `<lease number>.<token>` (both layouts). */
export const RECEIPT = /^([1-9][0-9]{0,15})\.([0-9a-f]{8,32})$/;
const TOKEN_BYTES = 8;

/** `n` fresh lease tokens (the cluster store's too). */
export function newTokens(n: number): string[] {
  const bytes = randomBytes(TOKEN_BYTES * n).toString('hex');
  return Array.from({ length: n }, (_, i) => bytes.slice(2 * TOKEN_BYTES * i, 2 * TOKEN_BYTES * (i + 1)));
}

/** The eight keys of a queue, in the order lease-8, ack-8 and nack-8 take them (lua/lib/queue_keys.lua). */
export function leaseKeys(q: string): string[] {
  return [keys.pending(q), keys.status(q), keys.leased(q), keys.leaseTokens(q), keys.attempts(q), keys.settings(q),
    keys.consumers(q), keys.origin(q)];
}

/** The message key and token a receipt names, or undefined for a malformed one. */
export function parseReceipt(queue: string, receipt: string): { key: string; token: string } | undefined {
  const m = RECEIPT.exec(receipt);
  return m ? { key: keys.message(queue, m[1]!), token: m[2]! } : undefined;
}

const outcome = (r: number): ReceiptOutcome => (r === 1 ? 'ok' : 'stale');

export class RedisLease {
  /** false: LEASE_LAYOUT decoded by every lease and ack (the bench's A/B; lazy_layout.lua). */
  lean = true;

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly channel: string,
    private readonly run: Run,
  ) {}

  async lease(queue: string, count: number, leaseMs: number): Promise<LeaseResult> {
    const n = Math.max(0, Math.floor(count));
    const tokens = newTokens(n);
    const ms = String(Math.max(1, Math.ceil(leaseMs)));
    const r = await this.run(() => isFifoQueue(queue)
      ? this.redis.leasefifo(...leaseKeys(queue), LEASE_LAYOUT, this.channel, queue, String(n), ms, String(FIFO_SCAN), ...tokens)
      : this.redis.lease(...leaseKeys(queue), this.lean ? LAZY_LAYOUT : LEASE_LAYOUT, this.channel, queue, String(n), ms, ...tokens));
    const prefix = keys.messagePrefix(queue);
    const messages: LeasedMessage[] = [];
    for (let i = 2; i + 3 < r.length; i += 4) {
      const key = String(r[i]);
      messages.push({ key, value: String(r[i + 1]), receipt: `${key.slice(prefix.length)}.${String(r[i + 2])}`, attempts: Number(r[i + 3]) });
    }
    return { stopped: Number(r[0]) === 1, expired: Number(r[1]), messages };
  }

  /** leasedispatched-5.lua: only keys this queue could have issued are sent. */
  async leaseDispatched(queue: string, messages: readonly ReturnedMessage[], leaseMs: number): Promise<LeasedMessage[]> {
    const prefix = keys.messagePrefix(queue);
    const mine = messages.filter((m) => m.key.startsWith(prefix) && /^[1-9][0-9]*$/.test(m.key.slice(prefix.length)));
    if (mine.length === 0) return [];
    const tokens = newTokens(mine.length);
    const r = await this.run(() => this.redis.leasedispatched(keys.counter(queue), keys.leased(queue), keys.leaseTokens(queue),
      keys.attempts(queue), keys.leasedQueues, queue, prefix, String(Math.max(1, Math.ceil(leaseMs))), keys.metaSuffix,
      ...mine.flatMap((m, i) => [m.key, m.value, tokens[i]!, expiryArg(m), metaArg(m)])));
    const values = new Map(mine.map((m) => [m.key, m.value]));
    const leased: LeasedMessage[] = [];
    for (let i = 0; i + 2 < r.length; i += 3) {
      const key = String(r[i]);
      leased.push({ key, value: values.get(key)!, receipt: `${key.slice(prefix.length)}.${String(r[i + 1])}`, attempts: Number(r[i + 2]) });
    }
    return leased;
  }

  async ack(queue: string, receipt: string): Promise<ReceiptOutcome> {
    const p = parseReceipt(queue, receipt);
    if (!p) return 'stale';
    return outcome(await this.run(() => this.redis.ack(...leaseKeys(queue), this.lean ? LAZY_LAYOUT : LEASE_LAYOUT, queue, p.key, p.token, this.channel)));
  }

  async nack(queue: string, receipt: string, delayMs: number): Promise<ReceiptOutcome> {
    const p = parseReceipt(queue, receipt);
    if (!p) return 'stale';
    const delay = String(Math.max(0, Math.ceil(delayMs)));
    return outcome(await this.run(() =>
      this.redis.nack(...leaseKeys(queue), this.lean ? LAZY_LAYOUT : LEASE_LAYOUT, this.channel, queue, p.key, p.token, delay)));
  }

  async extend(queue: string, receipt: string, leaseMs: number): Promise<ReceiptOutcome> {
    const p = parseReceipt(queue, receipt);
    if (!p) return 'stale';
    const ms = String(Math.max(1, Math.ceil(leaseMs)));
    return outcome(await this.run(() => this.redis.extend(keys.leased(queue), keys.leaseTokens(queue), p.key, p.token, ms)));
  }

  async reapLeases(queues?: readonly string[]): Promise<{ returned: number; dead: number }> {
    if (queues && queues.length === 0) return { returned: 0, dead: 0 };
    const r = await this.run(() => this.redis.reapleases(keys.leasedQueues, LEASE_LAYOUT, this.channel, ...(queues ?? [])));
    return { returned: Number(r[0]), dead: Number(r[1]) };
  }

  async getSettings(queue: string): Promise<QueueSettings> {
    return decodeSettings(await this.run(() => this.redis.hgetall(keys.settings(queue))));
  }

  /** Replaces all three settings: a field left out goes back to its default. */
  async setSettings(queue: string, settings: QueueSettings): Promise<void> {
    const text = (v: number | string | undefined) => (v === undefined ? '' : String(v));
    await this.run(() =>
      this.redis.settings(keys.settings(queue), text(settings.leaseSeconds), text(settings.maxAttempts), text(settings.deadLetter)));
  }

  async redrive(deadQueue: string, destination?: string): Promise<number> {
    return this.run(() => this.redis.redrive(keys.pending(deadQueue), keys.origin(deadQueue), LEASE_LAYOUT, this.channel, deadQueue, destination ?? ''));
  }
}
