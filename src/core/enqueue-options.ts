/**
 * The options of an enqueue, normalized once, before any store sees them: stores take
 * EnqueueOptions as contract.ts states them (a delay in whole ms ≥ 1 or none, a dedup id only
 * with a single value) and check nothing themselves.
 */
import { BrokerError } from '../errors.js';
import type { EnqueueOptions } from '../storage/contract.js';

/** How long a dedup id is remembered, for the protocols that keep tokens beside it (presque). */
export { DEDUP_SECONDS } from '../storage/contract.js';

export function normalizeEnqueue(valueCount: number, options: EnqueueOptions = {}): EnqueueOptions {
  const out: EnqueueOptions = {};
  if (options.ttlSeconds !== undefined) out.ttlSeconds = options.ttlSeconds;
  const delay = options.delayMs;
  if (delay !== undefined && Number.isFinite(delay) && delay > 0) out.delayMs = Math.ceil(delay);
  if (options.dedupId !== undefined) {
    if (valueCount > 1) throw new BrokerError('INVALID_BATCH', 'dedup applies to a single message, not to a batch');
    out.dedupId = options.dedupId;
  }
  return out;
}
