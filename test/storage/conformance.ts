/**
 * The storage conformance suite, one entry point: `runStoreConformance({ name, open, skip })`
 * runs every contract's cases (queue, lease, stream, API key, meter: cases/*.ts) on one backend,
 * over one harness, so a backend is one file of wiring and cannot be half-covered.
 *
 * Each case gets a store of its own from `open()` (a fresh broker, empty inbox) and closes it
 * after, leaving nothing behind: inbox drained, registrations removed, its queues purged.
 * `open()` must return a NEW store over the SAME backend data each time (the two-instance and
 * reopen cases rely on it); the previous case's store is closed before the next opens, which
 * single-owner backends need. A skipped case needs a written reason.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Cases, ConformingStore, Ctx } from './cases/context.js';
import { QUEUE_CASES } from './cases/queue.js';
import { LEASE_CASES } from './cases/lease.js';
import { STREAM_CASES } from './cases/stream.js';
import { AUTHKEY_CASES } from './cases/authkey.js';
import { METER_CASES } from './cases/meter.js';
import { RANKING_CASES } from './cases/ranking.js';
import { DELETE_QUEUE_CASES } from './cases/delete-queue.js';
import { TTL_CASES } from './cases/ttl.js';
import { PRESQUE_CASES } from './cases/presque.js';
import { spreadQueueName } from '../harness/cluster-spread.js';
import { DELAY_CASES } from './cases/delay.js';
import { FIFO_CASES } from './cases/fifo.js';
import { BROWSE_CASES } from './cases/browse.js';
import { SQS_STREAM_CASES } from './cases/sqs-stream.js';
import { MOVE_CASES } from './cases/move.js';


export interface ConformanceOptions {
  name: string;
  open: () => Promise<ConformingStore>;
  skip?: { reason: string; tests: string[] }[];
  /** Run after every case with every queue name the cases used (where did they land?). */
  checkQueues?: { name: string; check: (queues: readonly string[]) => Promise<void> };
}

const SUITES: [string, Cases][] = [
  ['QueueStore', QUEUE_CASES],
  ['LeaseStore', LEASE_CASES],
  ['StreamStore', STREAM_CASES],
  ['AuthKeyStore', AUTHKEY_CASES],
  ['MeterStore', METER_CASES],
  ['MeterStore.rankQueues', RANKING_CASES],
  ['QueueStore.deleteQueue', DELETE_QUEUE_CASES],
  ['TTL across send-backs', TTL_CASES],
  ['PresqueStore', PRESQUE_CASES],
  ['Delay', DELAY_CASES],
  ['LeaseStore on FIFO queues', FIFO_CASES],
  ['BrowseStore', BROWSE_CASES],
  ['SQS metadata on the stream path', SQS_STREAM_CASES],
  ['LeaseStore.moveLeased', MOVE_CASES],
];

/** Case name → reason, each name checked to be a case of exactly one suite. */
function skipped(opts: ConformanceOptions): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of opts.skip ?? []) {
    assert.ok(s.reason.trim().length > 0, 'a skipped conformance case needs a reason');
    for (const t of s.tests) {
      const owners = SUITES.filter(([, cases]) => t in cases).length;
      assert.ok(owners === 1, `a case to skip must name exactly one conformance case: ${t} (${owners} found)`);
      out.set(t, s.reason);
    }
  }
  return out;
}

export function runStoreConformance(opts: ConformanceOptions): void {
  const skips = skipped(opts);
  let store: ConformingStore | undefined;
  let used: string[] = [];
  const everyQueue = new Set<string>();
  let registered: [string, string[]][] = [];
  const track = (q: string): string => {
    used.push(q);
    return q;
  };
  const ctx: Ctx = {
    get store() {
      assert.ok(store, 'store not opened');
      return store;
    },
    open: opts.open,
    reopen: async () => {
      const old = store;
      store = undefined;
      await old?.close();
      store = await opts.open();
      return store;
    },
    queue: () => {
      const q = spreadQueueName('q-');
      used.push(q, `${q}.dead`);
      return q;
    },
    track,
    register: async (queue, ids, ttlMs = 60_000) => {
      registered.push([queue, [...ids]]);
      await ctx.store.registerConsumers(queue, ids, ttlMs);
    },
  };

  for (const [contract, cases] of SUITES) {
    describe(`${contract} conformance: ${opts.name}`, () => {
      beforeEach(async () => {
        used = [];
        registered = [];
        store = await opts.open();
      });
      afterEach(async () => {
        const s = store;
        store = undefined;
        if (!s) return;
        try {
          while ((await s.readInbox(100)).length > 0) await s.ackInbox(100);
          for (const [q, ids] of registered) await s.unregisterConsumers(q, ids);
          for (const q of used) await s.purge(q);
        } finally {
          for (const q of used) everyQueue.add(q);
          await s.close();
        }
      });
      for (const [name, fn] of Object.entries(cases)) {
        const reason = skips.get(name);
        it(name, reason === undefined ? {} : { skip: reason }, () => fn(ctx));
      }
    });
  }
  const check = opts.checkQueues;
  if (check) describe(`the queues of the conformance run: ${opts.name}`, () => it(check.name, () => check.check([...everyQueue])));
}
