/**
 * What every conformance case receives (test/storage/conformance.ts builds it): a store of its
 * own, opened before the case and closed after, and helpers whose queues and registrations
 * are cleaned up after the case. Every assert.ok carries a message: under tsx a bare failing
 * assert.ok hangs the file while node tries to quote the source expression.
 */
import type { BrowseStore } from '../../../src/storage/browse-contract.js';
import type { QueueStore } from '../../../src/storage/contract.js';
import type { StreamStore } from '../../../src/storage/stream-contract.js';
import type { LeaseStore } from '../../../src/storage/lease-contract.js';
import type { AuthKeyStore } from '../../../src/storage/authkey-contract.js';
import type { MeterStore } from '../../../src/storage/meter-contract.js';
import type { SqsStore } from '../../../src/storage/sqs-contract.js';
import type { PresqueHolder } from '../../../src/storage/presque-contract.js';

/** Every contract a backend implements. */
export type ConformingStore = QueueStore & StreamStore & LeaseStore & AuthKeyStore & MeterStore & SqsStore & PresqueHolder & BrowseStore;

export interface Ctx {
  /** The case's store (a fresh broker: empty inbox, no registrations of its own). */
  readonly store: ConformingStore;
  /** A NEW store over the SAME backend data; the caller closes it. */
  open: () => Promise<ConformingStore>;
  /** Closes the case's store (if still open) and opens a new one over the same data; it becomes `store`. */
  reopen: () => Promise<ConformingStore>;
  /** A fresh valid queue name; it and `<q>.dead` are purged after the case. */
  queue: () => string;
  /** Registers another queue name (a custom dead letter) to purge after the case. */
  track: (queue: string) => string;
  /** Registers consumers of `queue` (60 s unless told), unregistered after the case. */
  register: (queue: string, ids: readonly string[], ttlMs?: number) => Promise<void>;
}

export type Case = (ctx: Ctx) => Promise<void>;
export type Cases = Record<string, Case>;

/** The meters-based counts the contracts used to have one method each for. */
export async function inflightOf(store: MeterStore, queues: readonly string[]): Promise<number[]> {
  return (await store.meters(queues)).map((m) => m.inflight);
}

export async function consumersOf(store: MeterStore, queues: readonly string[]): Promise<number[]> {
  return (await store.meters(queues)).map((m) => m.consumers);
}

export async function delayedOf(store: MeterStore, queue: string): Promise<number> {
  return (await store.meters([queue]))[0]!.delayed;
}
