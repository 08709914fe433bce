/**
 * CLUSTER SLOT MIGRATION under traffic (loopback, bounded): the slot of a queue moves to
 * another primary (CLUSTER SETSLOT IMPORTING / MIGRATING, MIGRATE ... KEYS of every key of the
 * slot, then SETSLOT NODE) while a producer posts and a consumer takes. ioredis follows ASK and
 * MOVED; the client here retries a 503 (POSTs with a dedup id). Afterwards every message number
 * the counter gave out is pending (with its body) or was delivered: none half-written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterKeys } from '../../src/storage/redis/keys.js';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedisCluster, type ClusterNode, type RedisCluster } from '../harness/redis-cluster.js';
import { qname, req } from './backends.js';

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

describe('CLUSTER SLOT MIGRATION under traffic', () => {
  let cluster: RedisCluster;
  let broker: SpawnedBroker;
  before(async () => {
    cluster = await startRedisCluster();
    broker = await spawnBroker(['--store', cluster.url, '--log-level', 'warn']);
  });
  after(async () => {
    await broker?.stop('SIGTERM');
    await cluster?.stop();
  });

  it('moves a busy queue to another primary without a failed request or a half-written message', async () => {
    const q = qname();
    const from = await cluster.ownerOf(clusterKeys.counter(q));
    const to = (await cluster.primaries()).find((n) => n.port !== from.port)!;
    const admin = (n: ClusterNode) => cluster.client(n);
    const src = admin(from);
    const dst = admin(to);
    const slot = Number(await src.call('CLUSTER', 'KEYSLOT', clusterKeys.counter(q)));
    const srcId = String(await src.call('CLUSTER', 'MYID'));
    const dstId = String(await dst.call('CLUSTER', 'MYID'));

    let running = true;
    let retried = 0;
    const failed: string[] = [];
    /** A request retried on 503 (up to 20 times), as a client would. */
    const ask = async (method: string, path: string, form?: Record<string, string>) => {
      for (let i = 0; ; i++) {
        const r = await req(broker.url, method, path, form ? { form } : {}).catch((e: unknown) => ({ status: 0, text: String(e) }));
        if (r.status !== 503 || i === 20) {
          if (r.status >= 500 || r.status === 0) failed.push(`${method} ${path} → ${r.status} ${r.text}`);
          return r;
        }
        retried++;
        await pause(50);
      }
    };
    const posted: string[] = [];
    const producer = (async () => {
      for (let i = 0; running; i++) {
        const r = await ask('POST', `/q/${q}`, { value: `m-${i}`, dedup: `m-${i}` });
        if (r.status === 200) posted.push(`m-${i}`);
      }
    })();
    const delivered = new Map<number, string>();
    const consumer = (async () => {
      while (running) {
        const r = await ask('GET', `/q/${q}`);
        if (r.status === 200) {
          const m = JSON.parse(r.text) as { key: string; value: string };
          delivered.set(Number(m.key.slice(m.key.lastIndexOf(':') + 1)), m.value);
        } else await pause(5);
      }
    })();
    while (posted.length < 100) await pause(20);

    // The migration, as redis-cli --cluster reshard does it for one slot.
    const t0 = Date.now();
    await dst.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', srcId);
    await src.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', dstId);
    let moved = 0;
    for (;;) {
      const keys = (await src.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '10')) as string[];
      if (keys.length === 0) break;
      await src.call('MIGRATE', to.host, String(to.port), '', '0', '5000', 'KEYS', ...keys);
      moved += keys.length;
      // Small batches with traffic between them, so that requests meet the slot half moved.
      await pause(50);
    }
    for (const n of await cluster.primaries()) {
      const c = admin(n);
      await c.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', dstId);
      c.disconnect();
    }
    const migratedIn = Date.now() - t0;
    const postedAtEnd = posted.length;
    while (posted.length < postedAtEnd + 100) await pause(20);
    running = false;
    await producer;
    await consumer;
    assert.equal((await cluster.ownerOf(clusterKeys.counter(q))).port, to.port, 'the slot moved');

    // Every number the counter gave out is pending with its body, or was delivered.
    const counter = Number(await dst.get(clusterKeys.counter(q)));
    const pending = ((await dst.lrange(clusterKeys.pending(q), 0, -1)) as string[]).map(Number);
    const bodies = await dst.hgetall(clusterKeys.bodies(q));
    const leased = ((await dst.zrange(clusterKeys.leased(q), 0, -1)) as string[]).map(Number);
    const missing: number[] = [];
    for (let n = 1; n <= counter; n++) {
      if (delivered.has(n) || leased.includes(n)) continue;
      if (!pending.includes(n) || bodies[String(n)] === undefined) missing.push(n);
    }
    const pendingWithoutBody = pending.filter((n) => bodies[String(n)] === undefined);
    const values = new Set([...delivered.values(), ...pending.map((n) => bodies[String(n)])]);
    const lost = posted.filter((v) => !values.has(v));
    console.log(`# slot ${slot} moved ${from.port} → ${to.port} in ${migratedIn} ms (${moved} keys); posted ${posted.length}, delivered ${delivered.size}, ` +
      `pending ${pending.length}, counter ${counter}; requests retried on 503: ${retried}; failed: ${failed.length}`);
    src.disconnect();
    dst.disconnect();
    assert.deepEqual(failed.slice(0, 5), [], 'no request failed beyond the retries');
    assert.deepEqual(missing, [], 'every message number is pending with its body or was delivered');
    assert.deepEqual(pendingWithoutBody, [], 'no pending number without its body');
    assert.deepEqual(lost, [], 'every answered POST is delivered or pending');
  });
});
