/**
 * CLUSTER DOWN (loopback, bounded): every primary of the broker's Redis Cluster is frozen
 * (SIGSTOP). Requests answer 503 STORE_UNAVAILABLE (not a hang, not a crash), /ready says so,
 * and once the primaries run again (SIGCONT) the same broker process serves again, with the
 * messages answered before the outage still there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedisCluster, type ClusterNode, type RedisCluster } from '../harness/redis-cluster.js';
import { qname } from './backends.js';

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** One request with a client-side limit, so that a hanging broker fails the test instead of stalling it. */
async function call(base: string, method: string, path: string, body?: string): Promise<{ status: number; code?: string; text: string }> {
  const r = await fetch(`${base}${path}`, {
    method,
    signal: AbortSignal.timeout(30_000),
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  });
  const text = await r.text();
  const code = /"code"\s*:\s*"(\w+)"/.exec(text)?.[1];
  return { status: r.status, text, ...(code === undefined ? {} : { code }) };
}

describe('CLUSTER DOWN', () => {
  let cluster: RedisCluster;
  let broker: SpawnedBroker;
  let frozen: ClusterNode[] = [];
  before(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
    broker = await spawnBroker(['--store', cluster.url, '--log-level', 'warn']);
  });
  after(async () => {
    for (const n of frozen) await cluster.restart(n).catch(() => undefined);
    await broker?.stop('SIGTERM');
    await cluster?.stop();
  });

  it('answers 503 STORE_UNAVAILABLE while every primary is stopped, and serves again without a restart', async () => {
    const queues = [qname(), qname(), qname(), qname(), qname(), qname()];
    for (const q of queues) assert.equal((await call(broker.url, 'POST', `/q/${q}`, `value=before-${q}`)).status, 200);
    frozen = await cluster.primaries();
    const t0 = Date.now();
    for (const n of frozen) await cluster.kill(n, 'SIGSTOP');

    // Every kind of request answers, with a clear 503, while the store is away (each after the
    // store's command timeout: they are sent together, to keep the file short).
    const seen = new Map<string, number>();
    // On other queues than those holding the messages of before: a request that timed out may
    // still be applied when its node runs again (a POST stored, a GET's pop done), so these
    // queues' contents after the outage say nothing about loss.
    const probes = queues.map(() => qname());
    const asks = probes.flatMap((q) => [['POST', `/q/${q}`, 'value=during'], ['GET', `/q/${q}`, undefined], ['GET', `/stats/${q}`, undefined]] as const);
    const answers = await Promise.all(asks.map(([method, path, body]) => call(broker.url, method, path, body)));
    answers.forEach((r, i) => {
      const [method, path] = asks[i]!;
      const key = `${method} /${path.split('/')[1]} → ${r.status} ${r.code ?? ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      assert.equal(r.status, 503, `${method} ${path} while the cluster is down: ${r.status} ${r.text}`);
      assert.equal(r.code, 'STORE_UNAVAILABLE');
    });
    const ready = await call(broker.url, 'GET', '/ready');
    assert.equal(ready.status, 503, `/ready while the cluster is down: ${ready.text}`);
    assert.equal((await call(broker.url, 'GET', '/health')).status, 200, 'the process is up');
    const downFor = Date.now() - t0;

    for (const n of frozen) await cluster.restart(n);
    frozen = [];
    const t1 = Date.now();
    // The same broker serves again: /ready, then the messages of before the outage.
    for (;;) {
      if ((await call(broker.url, 'GET', '/ready').catch(() => ({ status: 0 }))).status === 200) break;
      assert.ok(Date.now() < t1 + 60_000, 'the broker did not become ready within 60 s of SIGCONT');
      await pause(100);
    }
    const readyAfter = Date.now() - t1;
    for (const q of queues) {
      let r = await call(broker.url, 'GET', `/q/${q}`);
      // A node may still be catching up on the cluster state: a few clear 503s are fine.
      for (let i = 0; r.status === 503 && i < 50; i++) {
        await pause(200);
        r = await call(broker.url, 'GET', `/q/${q}`);
      }
      assert.equal(r.status, 200, `GET /q/${q} after the outage: ${r.status} ${r.text}`);
      assert.equal((JSON.parse(r.text) as { value: string }).value, `before-${q}`);
    }
    assert.equal((await call(broker.url, 'POST', `/q/${queues[0]}`, 'value=after')).status, 200);
    assert.equal(broker.child.exitCode, null, 'the broker did not exit');
    console.log(`# cluster down: ${[...seen].map(([k, n]) => `${n}× ${k}`).join(', ')}; down for ${downFor} ms; ready again ${readyAfter} ms after SIGCONT`);
  });
});
