/**
 * The storage conformance suite: every QueueStore backend runs these cases through
 * `runStoreConformance({ name, open })` (Hono's `runTest` shape). Backend-neutral: only the
 * QueueStore interface is used. `open()` must return a NEW store over the SAME backend data
 * each time it is called (the two-instance case relies on it). A skipped case needs a reason.
 * Every assert.ok carries a message: under tsx a bare failing assert.ok hangs the file while
 * node tries to quote the source expression.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { QueueStore } from '../../src/storage/contract.js';
import type { Message } from '../../src/wire.js';

export interface ConformanceOptions {
  name: string;
  open: () => Promise<QueueStore>;
  skip?: { reason: string; tests: string[] }[];
}

type Case = (ctx: Ctx) => Promise<void>;
interface Ctx {
  store: QueueStore;
  open: () => Promise<QueueStore>;
  /** Replaces the suite's store with a newly opened one (after a close). */
  reopen: () => Promise<void>;
  /** A fresh valid queue name, purged after the suite. */
  queue: () => string;
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const values = (ms: Message[]) => ms.map((m) => m.value);
const keysOf = (ms: Message[]) => ms.map((m) => m.key);

async function takeAll(store: QueueStore, q: string, chunk: number): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const r = await store.take(q, chunk);
    if (r.messages.length === 0) return out;
    out.push(...r.messages);
  }
}

/** Concurrent takers over `stores` (round-robin); every message must come out exactly once. */
async function raceTakers(stores: QueueStore[], q: string, total: number, workers: number): Promise<void> {
  const sent = Array.from({ length: total }, (_, i) => `m${i}`);
  await stores[0]!.enqueue(q, sent);
  const got: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const s = stores[w % stores.length]!;
      for (;;) {
        const r = await s.take(q, 1);
        if (r.messages.length === 0) return;
        got.push(...values(r.messages));
      }
    }),
  );
  assert.equal(new Set(got).size, got.length, 'a message was handed out twice');
  assert.deepEqual([...got].sort(), [...sent].sort());
}

export const CASES: Record<string, Case> = {
  'FIFO order over many messages': async ({ store, queue }) => {
    const q = queue();
    const sent = Array.from({ length: 500 }, (_, i) => `v${i}`);
    for (let i = 0; i < 400; i += 100) await store.enqueue(q, sent.slice(i, i + 100));
    for (const v of sent.slice(400)) await store.enqueue(q, [v]);
    assert.deepEqual(values(await takeAll(store, q, 7)), sent);
  },
  'keys are <q>:1, <q>:2 ... and the counter continues after purge': async ({ store, queue }) => {
    const q = queue();
    assert.deepEqual(await store.enqueue(q, ['a', 'b', 'c']), [`${q}:1`, `${q}:2`, `${q}:3`]);
    assert.deepEqual(await store.enqueue(q, ['d']), [`${q}:4`]);
    assert.equal(await store.purge(q), true);
    assert.deepEqual(await store.enqueue(q, ['e']), [`${q}:5`]);
    const r = await store.take(q, 1);
    assert.deepEqual(r.messages, [{ key: `${q}:5`, value: 'e' }]);
  },
  'take(count) returns up to count, oldest first, with their keys': async ({ store, queue }) => {
    const q = queue();
    const ks = await store.enqueue(q, ['1', '2', '3', '4', '5']);
    const a = await store.take(q, 3);
    assert.deepEqual(a, { stopped: false, expired: 0, messages: [0, 1, 2].map((i) => ({ key: ks[i]!, value: String(i + 1) })) });
    assert.deepEqual(values((await store.take(q, 10)).messages), ['4', '5']);
    assert.deepEqual(await store.take(q, 1), { stopped: false, expired: 0, messages: [] });
  },
  'take on an empty or unknown queue returns no messages': async ({ store, queue }) => {
    assert.deepEqual(await store.take(queue(), 5), { stopped: false, expired: 0, messages: [] });
  },
  'concurrent takers never get the same message': async ({ store, queue }) => {
    await raceTakers([store], queue(), 200, 20);
  },
  'two store instances on one backend share messages exactly once': async ({ store, open, queue }) => {
    const second = await open();
    try {
      await raceTakers([store, second], queue(), 200, 20);
    } finally {
      await second.close();
    }
  },
  'an expired message is skipped and counted, the next one is returned': async ({ store, queue }) => {
    const q = queue();
    const [k1] = await store.enqueue(q, ['short-lived'], { ttlSeconds: 1 });
    const [k2] = await store.enqueue(q, ['kept']);
    assert.deepEqual(keysOf(await store.peek(q, 1)), [k1]);
    await waitUntil(async () => keysOf(await store.peek(q, 1))[0] === k2, 5000, 'the ttl to pass');
    const r = await store.take(q, 1);
    assert.deepEqual(r, { stopped: false, expired: 1, messages: [{ key: k2!, value: 'kept' }] });
    assert.equal(await store.softGet(q), null);
  },
  'softGet skips an expired head': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['gone'], { ttlSeconds: 1 });
    const [k2] = await store.enqueue(q, ['next']);
    await waitUntil(async () => keysOf(await store.peek(q, 1))[0] === k2, 5000, 'the ttl to pass');
    assert.deepEqual(await store.softGet(q), { key: k2, value: 'next', count: 1 });
    const [info] = await store.info([q]);
    assert.equal(info?.length, 1, 'softGet drops the expired entry');
  },
  'purge deletes everything, keeps policy, status and registration': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.purge(q), false, 'nothing to purge on a fresh queue');
    await store.enqueue(q, ['a', 'b']);
    await store.setPolicy(q, 'roundrobin');
    await store.setStatus(q, 'stopped');
    await store.softGet(q);
    assert.equal(await store.purge(q), true);
    assert.equal(await store.purge(q), false, 'second purge finds nothing');
    assert.deepEqual(await store.info([q]), [{ name: q, length: 0, status: 'stopped', policy: 'roundrobin' }]);
    await store.setStatus(q, 'started');
    assert.deepEqual(await store.take(q, 10), { stopped: false, expired: 0, messages: [] });
    assert.equal(await store.softGet(q), null);
    assert.ok((await store.listQueues()).includes(q), 'purge keeps the registration');
    assert.deepEqual(await store.enqueue(q, ['c']), [`${q}:3`]);
  },
  'length and info count pending messages, in the order asked': async ({ store, queue }) => {
    const [a, b, fresh] = [queue(), queue(), queue()];
    await store.enqueue(a, ['1', '2', '3']);
    await store.enqueue(b, ['1']);
    await store.setStatus(b, 'stopped');
    await store.setStatus(a, 'started');
    await store.setPolicy(a, 'broadcast');
    await store.take(a, 1);
    assert.deepEqual(await store.info([fresh, b, a]), [
      { name: fresh, length: 0, status: null, policy: null },
      { name: b, length: 1, status: 'stopped', policy: null },
      { name: a, length: 2, status: 'started', policy: 'broadcast' },
    ]);
    assert.deepEqual(await store.info([]), []);
  },
  'listQueues has enqueued queues, sorted, not policy/status-only ones': async ({ store, queue }) => {
    const [a, b, c] = [queue(), queue(), queue()];
    await store.enqueue(a, ['x']);
    await store.enqueue(b, ['x']);
    await store.take(b, 1);
    await store.setPolicy(c, 'roundrobin');
    await store.setStatus(c, 'stopped');
    const list = await store.listQueues();
    assert.ok(list.includes(a) && list.includes(b), 'enqueued queues are listed, even when emptied');
    assert.ok(!list.includes(c), 'setPolicy/setStatus do not register a queue');
    assert.deepEqual(list, [...list].sort());
  },
  'policy is null by default and set/get round-trips': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.getPolicy(q), null);
    await store.setPolicy(q, 'roundrobin');
    assert.equal(await store.getPolicy(q), 'roundrobin');
    await store.setPolicy(q, 'broadcast');
    assert.equal(await store.getPolicy(q), 'broadcast');
  },
  'status is null by default; stopped blocks take, started resumes': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.getStatus(q), null);
    await store.setStatus(q, 'stopped');
    const [k] = await store.enqueue(q, ['held']);
    assert.equal(await store.getStatus(q), 'stopped', 'enqueue does not restart a stopped queue');
    assert.deepEqual(await store.take(q, 5), { stopped: true, expired: 0, messages: [] });
    assert.equal((await store.info([q]))[0]?.length, 1, 'a stopped take takes nothing');
    await store.setStatus(q, 'started');
    assert.equal(await store.getStatus(q), 'started');
    assert.deepEqual(await store.take(q, 5), { stopped: false, expired: 0, messages: [{ key: k!, value: 'held' }] });
  },
  'enqueue stores status started on a queue without one': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['x']);
    assert.equal(await store.getStatus(q), 'started');
  },
  'softGet returns the oldest without removing it and counts reads': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.softGet(q), null);
    const [k1] = await store.enqueue(q, ['first', 'second']);
    for (const n of [1, 2, 3]) assert.deepEqual(await store.softGet(q), { key: k1, value: 'first', count: n });
    assert.equal((await store.info([q]))[0]?.length, 2);
    assert.deepEqual(values((await store.take(q, 1)).messages), ['first']);
    assert.equal((await store.softGet(q))?.count, 1, 'the next message has its own count');
  },
  'remove deletes one message from the middle; false when missing': async ({ store, queue }) => {
    const q = queue();
    const [k1, k2, k3] = await store.enqueue(q, ['a', 'b', 'c']);
    assert.equal(await store.remove(q, k2!), true);
    assert.equal(await store.remove(q, k2!), false);
    assert.equal(await store.remove(q, `${q}:999`), false);
    assert.equal((await store.info([q]))[0]?.length, 2);
    assert.deepEqual(await store.take(q, 5), {
      stopped: false, expired: 0, messages: [{ key: k1!, value: 'a' }, { key: k3!, value: 'c' }],
    });
  },
  'peek returns the oldest first without consuming or counting': async ({ store, queue }) => {
    const q = queue();
    assert.deepEqual(await store.peek(q, 3), []);
    const [k1, k2, k3] = await store.enqueue(q, ['a', 'b', 'c']);
    assert.deepEqual(await store.peek(q, 2), [{ key: k1, value: 'a' }, { key: k2, value: 'b' }]);
    assert.deepEqual(keysOf(await store.peek(q, 10)), [k1, k2, k3]);
    assert.equal((await store.info([q]))[0]?.length, 3);
    assert.equal((await store.softGet(q))?.count, 1, 'peek does not count as a soft read');
    assert.deepEqual(values((await store.take(q, 1)).messages), ['a']);
  },
  'values are byte-exact UTF-8 strings': async ({ store, queue }) => {
    const q = queue();
    const MiB = 1024 * 1024;
    const big = 'ünï😀'.repeat(Math.floor(MiB / 9)) + 'x'.repeat(MiB % 9); // 9 UTF-8 bytes a unit
    assert.equal(Buffer.byteLength(big), MiB);
    const sent = ['😀 emoji 漢字', 'line\r\nbreak\r\n', '  leading and trailing  ', '{"a":[1,2,{"b":null}]}',
      '007', '1e3', 'null', 'true', '\t', big];
    await store.enqueue(q, sent);
    assert.deepEqual(values(await store.peek(q, sent.length)), sent);
    const got = values(await takeAll(store, q, 3));
    assert.equal(got.length, sent.length);
    got.forEach((v, i) => assert.ok(v === sent[i], `value ${i} changed`));
    assert.equal(typeof got[4], 'string');
  },
  'ping resolves on an open store': async ({ store }) => {
    await store.ping();
  },
  // Closes the suite's own store (no second one open at a time, for single-owner backends),
  // then reopens it: close must also release whatever would block the next open.
  'close is idempotent': async (ctx) => {
    await ctx.store.close();
    await ctx.store.close();
    await ctx.reopen();
    await ctx.store.ping();
    const q = ctx.queue();
    await ctx.store.enqueue(q, ['after reopen']);
    assert.deepEqual(values((await ctx.store.take(q, 1)).messages), ['after reopen']);
  },
};

export function runStoreConformance(opts: ConformanceOptions): void {
  const skipped = new Map<string, string>();
  for (const s of opts.skip ?? []) {
    assert.ok(s.reason.trim().length > 0, 'a skipped conformance case needs a reason');
    for (const t of s.tests) {
      assert.ok(t in CASES, `unknown conformance case to skip: ${t}`);
      skipped.set(t, s.reason);
    }
  }

  describe(`QueueStore conformance: ${opts.name}`, () => {
    let store: QueueStore | undefined;
    const used: string[] = [];
    const ctx: Ctx = {
      get store() {
        assert.ok(store, 'store not opened');
        return store;
      },
      open: opts.open,
      reopen: async () => {
        store = await opts.open();
      },
      queue: () => {
        const q = `q-${randomUUID()}`;
        used.push(q);
        return q;
      },
    };

    before(async () => {
      store = await opts.open();
    });
    after(async () => {
      if (!store) return;
      try {
        for (const q of used) await store.purge(q);
      } finally {
        await store.close();
      }
    });

    for (const [name, fn] of Object.entries(CASES)) {
      const reason = skipped.get(name);
      it(name, reason === undefined ? {} : { skip: reason }, () => fn(ctx));
    }
  });
}
