/**
 * Shared body of the crash-producers-*.test.ts files (one per store, sync setting and case, so
 * that each file stays well inside the runner's per-file time limit).
 *
 * Crash safety (SPEC section 6, "Atomicity"): a real broker process is killed with SIGKILL in
 * the middle of a producer run and restarted on the same store (Redis with appendfsync always,
 * or a SQLite file) and the same port. Every value a producer got a key for must then be
 * delivered exactly once, and no value twice. A leased message whose broker dies before the
 * ack comes back (attempts 2) and is delivered once more.
 */
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, storeFlagFor, type SpawnedBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { CometClient } from '../harness/stream-clients.js';
import { qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';

interface Leased {
  key: string;
  value: string;
  receipt: string;
  attempts: number;
}

const PER_PRODUCER = 1000;
const LANES = 4; // requests in flight per producer, so the kill lands on several at once
const KILL_AFTER = 1000; // acknowledged sends before the SIGKILL
const REQUEST_TIMEOUT_MS = 10_000;

/** One broker process at a time on a fixed store. A restart takes a new free port (the
 *  producers follow `url`): reusing the old one would race with any other test process whose
 *  freePort() picks it while it is free, and spawnBroker's /health check would then succeed
 *  against the wrong server. */
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class BrokerSlot {
  broker!: SpawnedBroker;
  /** Resolves while the broker is up; replaced by a pending promise between kill and restart. */
  up: Promise<void> = Promise.resolve();
  restarts = 0;
  constructor(private readonly args: string[]) {}
  get url(): string {
    return this.broker.url;
  }
  async start(): Promise<void> {
    // A generous start: a restart on a loaded machine (tsx, recovery) can take well over 20 s.
    this.broker = await spawnBroker(this.args, { timeoutMs: 60_000 });
  }
  /** SIGKILL, wait for the exit, start a new process on the same store. */
  async crashAndRestart(): Promise<void> {
    let release!: () => void;
    this.up = new Promise((r) => (release = r));
    const code = await this.broker.stop('SIGKILL');
    assert.equal(code, 'SIGKILL');
    this.restarts++;
    await this.start();
    release();
  }
  async stop(): Promise<void> {
    await this.broker?.stop('SIGTERM');
  }
}

interface ProducerRun {
  sent: number;
  acked: Map<string, string>; // value -> key
  failed: string[]; // connection errors: stored or not, nobody knows
  other: string[]; // a reply that was neither 200 nor a connection error
}

/** Two producers, LANES requests in flight each, one POST per value; never retry a value. */
async function produce(slot: BrokerSlot, queue: string): Promise<ProducerRun> {
  const run: ProducerRun = { sent: 0, acked: new Map(), failed: [], other: [] };
  let crash: Promise<void> | undefined;
  const producer = async (name: string) => {
    let next = 0;
    const lane = async () => {
      while (next < PER_PRODUCER) {
        const value = `${name}-${next++}`;
        run.sent++;
        try {
          const r = await fetch(`${slot.url}/q/${queue}`, {
            method: 'POST',
            body: new URLSearchParams({ value }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const text = await r.text();
          if (r.status !== 200) {
            run.other.push(`${value}: ${r.status} ${text}`);
            continue;
          }
          assert.match(text, new RegExp(`^${queue}:\\d+\\r\\n$`));
          run.acked.set(value, text.slice(0, -2));
          // The other lanes keep sending: the kill lands on requests in flight. A little
          // jitter so that it does not always fall just after a reply was written.
          if (run.acked.size === KILL_AFTER && !crash) crash = delay(Math.random() * 3).then(() => slot.crashAndRestart());
        } catch {
          run.failed.push(value); // connection refused/reset: move on to the next value, no retry
          await slot.up; // ...once the broker is back (not burning every value on a dead port)
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
  };
  await Promise.all([producer('p1'), producer('p2')]);
  assert.ok(crash, `the broker was killed during the run (acknowledged ${run.acked.size}, errors ${run.failed.length}, other ${run.other.length}: ${run.other[0] ?? ''})`);
  await crash;
  return run;
}

/** Pull drain: lease 100 at a time and ack each, until the queue is empty (ready and in flight). */
async function drainByLease(url: string, queue: string, seen: string[]): Promise<void> {
  const pass = async () => {
    for (;;) {
      const r = await req(url, 'GET', `/q/${queue}?lease=30&count=100`);
      if (r.status === 204) return;
      assert.equal(r.status, 200, r.text);
      const batch = JSON.parse(r.text) as Leased[];
      assert.ok(batch.length > 0);
      for (const m of batch) {
        seen.push(m.value);
        const ack = await req(url, 'DELETE', `/q/${queue}/${m.receipt}`);
        assert.equal(ack.status, 200, `ack of ${m.key}: ${ack.text}`);
      }
    }
  };
  await pass();
  // Anything still leased (none expected) would come back through the reaper: wait for the
  // store to show nothing in flight, then drain what came back.
  await waitUntil('nothing in flight', async () => (JSON.parse((await req(url, 'GET', `/stats/${queue}`)).text) as { inflight: number }).inflight === 0, 40_000);
  await pass();
}

/** Stream drain: a COMET consumer gets everything; a sentinel sent last marks the end (FIFO). */
async function drainByStream(url: string, queue: string, seen: string[]): Promise<void> {
  const consumer = await CometClient.open(url, queue);
  try {
    assert.equal(consumer.status, 200);
    const sentinel = `sentinel-${queue}`;
    const r = await req(url, 'POST', `/q/${queue}`, { form: { value: sentinel } });
    assert.equal(r.status, 200, r.text);
    await consumer.waitForRaw(() => consumer.messages.some((m) => m.value === sentinel), 30_000);
    for (const m of consumer.messages) if (m.value !== sentinel) seen.push(m.value);
  } finally {
    consumer.close();
  }
  const left = await req(url, 'GET', `/q/${queue}`);
  assert.equal(left.status, 204, `nothing left after the stream drain: ${left.text}`);
}

function check(t: { diagnostic(msg: string): void }, label: string, run: ProducerRun, seen: string[]): void {
  const counts = new Map<string, number>();
  for (const v of seen) counts.set(v, (counts.get(v) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const lost = [...run.acked.keys()].filter((v) => !counts.has(v));
  const unacked = [...counts.keys()].filter((v) => !run.acked.has(v));
  const strangers = unacked.filter((v) => !run.failed.includes(v));
  t.diagnostic(
    `${label}: sent ${run.sent}, acknowledged ${run.acked.size}, connection errors ${run.failed.length}, ` +
      `other replies ${run.other.length}, delivered ${seen.length} (distinct ${counts.size}), duplicates ${duplicates.length}, ` +
      `delivered-but-unacknowledged ${unacked.length}, lost ${lost.length}`,
  );
  assert.equal(run.sent, 2 * PER_PRODUCER);
  assert.deepEqual(run.other, [], 'every reply was a 200 or a connection error');
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} acknowledged values were never delivered`);
  assert.deepEqual(duplicates.slice(0, 20), [], `${duplicates.length} values were delivered twice`);
  assert.deepEqual(strangers, [], 'every unacknowledged delivery was a send that failed');
}

export interface CrashRun {
  backend: 'redis' | 'sqlite';
  label: string;
  flags: readonly string[];
}

/** The three cases; one file runs one of them, since a single case can take over a minute
 *  on a loaded machine and the runner allows a file 120 s. */
export type CrashCase = 'lease drain' | 'stream drain' | 'lease restart';

/** Registers one SIGKILL case for one store configuration. */
export function crashSuite({ backend, label, flags }: CrashRun, only: CrashCase): void {
  describe(`${label}: SIGKILL of the broker`, () => {
    let redis: RedisServer | undefined;
    let slot: BrokerSlot;
    let cleanup = () => {};
    before(async () => {
      if (backend === 'redis') redis = await startRedis({ appendonly: true, appendfsync: 'always' });
      const store = storeFlagFor(backend, redis);
      cleanup = store.cleanup;
      slot = new BrokerSlot(['--store', store.flag, ...flags]);
      await slot.start();
    });
    after(async () => {
      await slot?.stop();
      await redis?.stop();
      cleanup();
    });

    const it = (name: string, which: CrashCase, fn: (t: TestContext) => Promise<void>) => (which === only ? test(name, fn) : undefined);

    it('mid-run: every acknowledged value is delivered exactly once (lease + ack drain)', 'lease drain', async (t) => {
      const q = qname();
      const run = await produce(slot, q);
      const seen: string[] = [];
      await drainByLease(slot.url, q, seen);
      check(t, `${label} lease drain`, run, seen);
    });

    it('mid-run: every acknowledged value is delivered exactly once (streaming drain)', 'stream drain', async (t) => {
      const q = qname();
      const run = await produce(slot, q);
      const seen: string[] = [];
      await drainByStream(slot.url, q, seen);
      check(t, `${label} stream drain`, run, seen);
    });

    it('a lease whose broker dies before the ack comes back with attempts 2, and is delivered once after the ack', 'lease restart', async () => {
      const q = qname();
      const key = (await req(slot.url, 'POST', `/q/${q}`, { form: { value: 'job' } })).text.trim();
      const r1 = await req(slot.url, 'GET', `/q/${q}?lease=2`);
      assert.equal(r1.status, 200, r1.text);
      const m1 = JSON.parse(r1.text) as Leased;
      assert.equal(m1.key, key);
      assert.equal(m1.attempts, 1);
      await slot.crashAndRestart();
      let m2: Leased | undefined;
      await waitUntil('the leased message to come back after the restart', async () => {
        const r = await req(slot.url, 'GET', `/q/${q}?lease=30`);
        if (r.status === 204) return false;
        assert.equal(r.status, 200, r.text);
        m2 = JSON.parse(r.text) as Leased;
        return true;
      }, 15_000);
      assert.ok(m2);
      assert.equal(m2.key, key);
      assert.equal(m2.value, 'job');
      assert.equal(m2.attempts, 2);
      assert.equal((await req(slot.url, 'DELETE', `/q/${q}/${m1.receipt}`)).status, 409, 'the first receipt is stale');
      assert.equal((await req(slot.url, 'DELETE', `/q/${q}/${m2.receipt}`)).status, 200);
      assert.equal((await req(slot.url, 'GET', `/q/${q}?lease=30`)).status, 204, 'delivered once');
      const s = JSON.parse((await req(slot.url, 'GET', `/stats/${q}`)).text) as { len: number; inflight: number };
      assert.equal(s.len, 0);
      assert.equal(s.inflight, 0);
    });
  });
}
