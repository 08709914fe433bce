/**
 * What one leased streaming consumer (`?lease=<s>`) holds: the receipts it was handed and has
 * not settled, each with its lease deadline. `prefetch` caps them: a consumer with no room is
 * handed nothing more until it acknowledges (or nacks) one, or a lease runs out. When its
 * connection ends the distributor returns every receipt still held to the queue at once.
 */
import { BrokerError } from '../errors.js';

/** Unacknowledged messages one leased consumer holds unless it asks for another `prefetch`. */
export const DEFAULT_PREFETCH = 10;
export const MAX_PREFETCH = 1000;

/** `prefetch=<n>`: a whole number from 1 to MAX_PREFETCH; absent: the default. */
export function parsePrefetch(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PREFETCH;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PREFETCH) throw new BrokerError('INVALID_PREFETCH');
  return n;
}

export class Holdings {
  /** Receipt → when its lease ends (ms since epoch). */
  private readonly held = new Map<string, number>();

  constructor(
    readonly leaseMs: number,
    readonly prefetch: number,
  ) {}

  /** Messages it may still be handed. A lease past its deadline no longer counts: the
   *  message is back in the queue (or about to be), whatever became of its receipt. */
  get room(): number {
    if (this.held.size >= this.prefetch) {
      const now = Date.now();
      for (const [receipt, deadline] of this.held) if (deadline <= now) this.held.delete(receipt);
    }
    return Math.max(0, this.prefetch - this.held.size);
  }

  get size(): number {
    return this.held.size;
  }

  hold(receipt: string): void {
    this.held.set(receipt, Date.now() + this.leaseMs);
  }

  /** Forgets a receipt (acked or nacked); true if it was held. */
  settle(receipt: string): boolean {
    return this.held.delete(receipt);
  }

  /** Sets a held receipt's deadline `leaseMs` from now (extend). */
  extend(receipt: string, leaseMs: number): void {
    if (this.held.has(receipt)) this.held.set(receipt, Date.now() + leaseMs);
  }

  /** Every receipt still held, forgotten here: the caller gives them back. */
  release(): string[] {
    const receipts = [...this.held.keys()];
    this.held.clear();
    return receipts;
  }
}
