/**
 * CLUSTER PRIMARY KILL under traffic (loopback, bounded): a broker process on a 3-primary
 * Redis Cluster with --redis-wait-replicas 1; two producers post 1,000 messages each,
 * alternating between a queue on the primary that is killed (kill -9) and a queue on another
 * primary; a pull consumer (GET) drains the first and an SSE stream (reopened if it ends) the
 * second. The replica is promoted and the killed node restarted (with --redis-wait-replicas 1 the
 * shard takes writes again once it has a replica), the broker writes there again within 10 s of
 * the kill, /ready
 * shows the outage and the recovery, and every message whose POST was answered 2xx is delivered
 * or still stored. Prints the time to recover and the counts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterKeys } from '../../src/storage/redis/keys.js';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedisCluster, type ClusterNode, type RedisCluster } from '../harness/redis-cluster.js';
import { SseClient } from '../harness/stream-clients.js';
import { qname, req } from './backends.js';

const PER_PRODUCER = 1000;
const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A fresh queue name whose slot `owner` serves (or, with `not`, any other primary serves). */
async function queueOn(cluster: RedisCluster, owner: ClusterNode, not = false): Promise<string> {
  for (;;) {
    const q = qname();
    const on = (await cluster.ownerOf(clusterKeys.counter(q))).port === owner.port;
    if (on !== not) return q;
  }
}

describe('CLUSTER PRIMARY KILL under traffic', () => {
  let cluster: RedisCluster;
  let broker: SpawnedBroker;
  before(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
    broker = await spawnBroker(['--store', cluster.url, '--redis-wait-replicas', '1', '--redis-wait-timeout', '1000', '--log-level', 'warn']);
  });
  after(async () => {
    await broker?.stop('SIGTERM');
    await cluster?.stop();
  });

  it('keeps every answered message while a replica takes over', async () => {
    const victim = (await cluster.primaries())[0]!;
    const pullQ = await queueOn(cluster, victim);
    const sseQ = await queueOn(cluster, victim, true);
    const answered = { [pullQ]: new Set<string>(), [sseQ]: new Set<string>() };
    const failures: { at: number; status: number; code: string }[] = [];
    const successes: number[] = [];
    let killedAt = 0;
    const producer = async (name: string) => {
      for (let i = 0; i < PER_PRODUCER; i++) {
        const queue = i % 2 === 0 ? pullQ : sseQ;
        const value = `${name}-${i}`;
        const r = await req(broker.url, 'POST', `/q/${queue}`, { form: { value } }).catch(() => ({ status: 0, text: '' }));
        if (r.status >= 200 && r.status < 300) {
          answered[queue]!.add(value);
          successes.push(Date.now());
        } else {
          failures.push({ at: Date.now(), status: r.status, code: /"code":"(\w+)"/.exec(r.text)?.[1] ?? 'none' });
          // Back off a little while the shard is away, rather than spin.
          await pause(50);
        }
      }
    };
    let producing = true;
    const pulls: string[] = [];
    const puller = (async () => {
      for (;;) {
        const r = await req(broker.url, 'GET', `/q/${pullQ}?wait=1`).catch(() => ({ status: 0, text: '' }));
        if (r.status === 200) pulls.push((JSON.parse(r.text) as { value: string }).value);
        // Empty: 404, or 204 when the long poll timed out.
        else if ((r.status === 404 || r.status === 204) && !producing) break;
        else if (r.status !== 404 && r.status !== 204) await pause(50);
      }
    })();
    const streamed: string[] = [];
    let sse = await SseClient.open(broker.url, `/sse/${sseQ}`);
    let sseOpens = 1;
    let stopStreaming = false;
    const sseLoop = (async () => {
      for (;;) {
        await sse.waitForEnd(60_000).catch(() => undefined);
        streamed.push(...sse.messages.map((m) => m.value));
        if (stopStreaming) break;
        // The stream ended (shard away): open a new one, as an EventSource would.
        for (;;) {
          const next = await SseClient.open(broker.url, `/sse/${sseQ}`).catch(() => undefined);
          if (next?.status === 200) {
            sse = next;
            sseOpens++;
            break;
          }
          next?.close();
          await pause(100);
        }
      }
    })();
    const ready: { at: number; status: number }[] = [];
    const readyLoop = (async () => {
      while (producing) {
        const r = await req(broker.url, 'GET', '/ready').catch(() => ({ status: 0 }));
        if (ready.at(-1)?.status !== r.status) ready.push({ at: Date.now(), status: r.status });
        await pause(100);
      }
    })();

    const producers = [producer('a'), producer('b')];
    // Traffic before the kill: a fifth of the messages answered on each queue.
    const deadline = Date.now() + 60_000;
    while (answered[pullQ]!.size < PER_PRODUCER / 5 || answered[sseQ]!.size < PER_PRODUCER / 5) {
      assert.ok(Date.now() < deadline, 'producers did not get going');
      await pause(20);
    }
    const before = answered[pullQ]!.size + answered[sseQ]!.size;
    killedAt = Date.now();
    await cluster.kill(victim);
    // Its replica takes over; with --redis-wait-replicas 1 the shard needs a replica again to
    // take writes, so the killed node is restarted at once (it rejoins as the new replica).
    const owner = clusterKeys.counter(pullQ);
    const promotedBy = killedAt + 30_000;
    while ((await cluster.ownerOf(owner).catch(() => victim)).port === victim.port) {
      assert.ok(Date.now() < promotedBy, 'no replica was promoted within 30 s');
      await pause(50);
    }
    const promotedAt = Date.now();
    await cluster.restart(victim);
    const restartedAt = Date.now();
    // The broker writes to the victim's slot again (through the promoted replica) within 10 s.
    const answeredAtKill = answered[pullQ]!.size;
    // (Waits longer than that, so that a slow recovery is measured and printed, not just failed.)
    while (answered[pullQ]!.size <= answeredAtKill + 10 && Date.now() < killedAt + 45_000) await pause(20);
    const writesAgain = Date.now();
    if (writesAgain >= killedAt + 45_000) {
      producing = false;
      stopStreaming = true;
      sse.close();
      console.log(`# no recovery: refusals ${JSON.stringify(failures.slice(-5))}; primaries now ${(await cluster.primaries()).map((n) => n.port).join(',')}; /ready ${JSON.stringify(ready)}\n${broker.output.slice(-20).join('\n')}`);
      assert.fail('the broker did not write to the killed shard again within 45 s');
    }
    await Promise.all(producers);
    // Give /ready one more look after the traffic, then stop it.
    await pause(300);
    producing = false;
    await readyLoop;
    await puller;
    const refusedSinceKill = failures.filter((f) => f.at >= killedAt);
    const firstRefusal = refusedSinceKill[0]?.at;
    const lastRefusal = refusedSinceKill.at(-1)?.at ?? 0;
    const recovered = successes.find((s) => s > lastRefusal);

    // Let the stream catch up with what was answered, close it (what it did not write goes
    // back to the queue), then take what is left.
    const onSse = () => new Set([...streamed, ...sse.messages.map((m) => m.value)]);
    await sse.waitForCount(sse.messages.length + [...answered[sseQ]!].filter((v) => !onSse().has(v)).length, 15_000).catch(() => undefined);
    stopStreaming = true;
    sse.close();
    await sseLoop;
    let stillStored = 0;
    for (const [queue, into] of [[pullQ, pulls], [sseQ, streamed]] as const) {
      for (;;) {
        const r = await req(broker.url, 'GET', `/q/${queue}`);
        if (r.status !== 200) break;
        into.push((JSON.parse(r.text) as { value: string }).value);
        stillStored++;
      }
    }
    const delivered = new Set([...pulls, ...streamed]);
    const duplicates = pulls.length + streamed.length - delivered.size;
    const lost = [...answered[pullQ]!, ...answered[sseQ]!].filter((v) => !delivered.has(v));
    const codes = [...new Set(failures.map((f) => `${f.status} ${f.code}`))].join(', ') || 'none';
    const total = answered[pullQ]!.size + answered[sseQ]!.size;
    console.log(`# primary kill: answered ${total} (${before} before the kill), refused ${failures.length} (${codes}), ` +
      `delivered ${delivered.size - stillStored} + still stored ${stillStored}, duplicates ${duplicates}, SSE streams opened ${sseOpens}; ` +
      `promoted +${promotedAt - killedAt} ms, restarted +${restartedAt - killedAt} ms, first refusal +${firstRefusal === undefined ? '-' : firstRefusal - killedAt} ms, writes to the shard again +${writesAgain - killedAt} ms, ` +
      `last refusal +${lastRefusal ? lastRefusal - killedAt : '-'} ms, recovered +${recovered === undefined ? '-' : recovered - killedAt} ms; ` +
      `/ready ${ready.map((r) => `${r.status}@+${r.at - killedAt}`).join(' ')}`);

    assert.ok(writesAgain - killedAt < 10_000, `the broker wrote to the killed shard again within 10 s (+${writesAgain - killedAt} ms)`);
    assert.deepEqual(lost, [], 'every 2xx POST was delivered or is still stored');
    for (const f of failures) assert.ok(['STORE_UNAVAILABLE', 'REPLICATION_TIMEOUT'].includes(f.code), `a refusal is a clear 503: ${f.status} ${f.code}`);
    assert.ok(ready.some((r) => r.status === 503 && r.at >= killedAt), `/ready reported the outage: ${JSON.stringify(ready)}`);
    assert.equal(ready.at(-1)?.status, 200, '/ready reports the recovery');
    assert.equal((await req(broker.url, 'GET', '/ready')).status, 200);
  });
});
