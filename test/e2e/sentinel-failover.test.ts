/**
 * SENTINEL FAILOVER under traffic (loopback, bounded): a broker process on a Sentinel-managed
 * primary with --redis-wait-replicas 1, two producers posting, a pull consumer (long polls)
 * and an SSE consumer (reopened if its stream ends). The broker follows the new primary;
 * every message whose POST was answered 2xx is delivered at least once or still stored, and
 * /ready is 200 again afterwards. Prints the time to recover and the counts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedisSentinel, type RedisSentinel } from '../harness/redis-sentinel.js';
import { SseClient } from '../harness/stream-clients.js';
import { qname, req } from './backends.js';

describe('SENTINEL FAILOVER under traffic', () => {
  let setup: RedisSentinel;
  let broker: SpawnedBroker;
  before(async () => {
    setup = await startRedisSentinel();
    broker = await spawnBroker(['--store', setup.url, '--redis-wait-replicas', '1', '--redis-wait-timeout', '1000', '--log-level', 'warn']);
  });
  after(async () => {
    await broker?.stop('SIGTERM');
    await setup?.stop();
  });

  it('keeps every answered message, and the broker follows the new primary', async () => {
    const pullQ = qname();
    const sseQ = qname();
    let running = true;
    const answered = { [pullQ]: new Set<string>(), [sseQ]: new Set<string>() };
    const failures: { at: number; status: number; code: string }[] = [];
    const successes: number[] = [];
    const producer = async (name: string, queue: string) => {
      for (let i = 0; running; i++) {
        const value = `${name}-${i}`;
        const r = await req(broker.url, 'POST', `/q/${queue}`, { form: { value } }).catch(() => ({ status: 0, text: '' }));
        if (r.status >= 200 && r.status < 300) {
          answered[queue]!.add(value);
          successes.push(Date.now());
        } else {
          failures.push({ at: Date.now(), status: r.status, code: /"code":"(\w+)"/.exec(r.text)?.[1] ?? 'none' });
          // Back off a little while the store is away, rather than spin.
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const pulled = new Set<string>();
    const puller = async (until: () => boolean) => {
      while (!until()) {
        const r = await req(broker.url, 'GET', `/q/${pullQ}?wait=1`).catch(() => ({ status: 0, text: '' }));
        if (r.status === 200) pulled.add((JSON.parse(r.text) as { value: string }).value);
        else if (r.status !== 404) await new Promise((res) => setTimeout(res, 50));
      }
    };
    const streamed = new Set<string>();
    let sse = await SseClient.open(broker.url, `/sse/${sseQ}`);
    let sseOpens = 1;
    let seen = 0;
    const sseLoop = (async () => {
      while (running || !sse.ended) {
        await sse.waitForEnd(60_000).catch(() => undefined);
        for (const m of sse.messages.slice(seen)) streamed.add(m.value);
        seen = sse.messages.length;
        if (!running) break;
        // The stream ended (store away): open a new one, as an EventSource would.
        for (;;) {
          const next = await SseClient.open(broker.url, `/sse/${sseQ}`).catch(() => undefined);
          if (next?.status === 200) {
            sse = next;
            seen = 0;
            sseOpens++;
            break;
          }
          next?.close();
          await new Promise((res) => setTimeout(res, 100));
        }
      }
    })();
    const ready: { at: number; status: number }[] = [];
    const readyLoop = (async () => {
      while (running) {
        const r = await req(broker.url, 'GET', '/ready').catch(() => ({ status: 0 }));
        if (ready.at(-1)?.status !== r.status) ready.push({ at: Date.now(), status: r.status });
        await new Promise((res) => setTimeout(res, 100));
      }
    })();

    const producers = [producer('a', pullQ), producer('b', sseQ)];
    const pulling = puller(() => !running);
    // Traffic before the failover: at least 20 answered messages on each queue.
    const deadline = Date.now() + 30_000;
    while (answered[pullQ]!.size < 20 || answered[sseQ]!.size < 20) {
      assert.ok(Date.now() < deadline, 'producers did not get going');
      await new Promise((res) => setTimeout(res, 50));
    }
    const before = { pull: answered[pullQ]!.size, sse: answered[sseQ]!.size };
    const t0 = Date.now();
    const failover = setup.failover();
    const { to } = await failover;
    const resynced = Date.now();
    // Traffic on the new primary: 20 more answered messages on each queue.
    const afterCounts = { pull: answered[pullQ]!.size + 20, sse: answered[sseQ]!.size + 20 };
    while (answered[pullQ]!.size < afterCounts.pull || answered[sseQ]!.size < afterCounts.sse) {
      assert.ok(Date.now() < resynced + 10_000, `the broker did not write to the new primary ${to.port} within 10 s`);
      await new Promise((res) => setTimeout(res, 50));
    }
    running = false;
    await Promise.all(producers);
    await pulling;
    const firstFailure = failures.find((f) => f.at >= t0)?.at;
    const recovered = firstFailure === undefined ? undefined : successes.find((s) => s > (failures.filter((f) => f.at >= t0).at(-1)?.at ?? 0));

    // Drain: whatever is not delivered yet must still be in the queue.
    for (;;) {
      const r = await req(broker.url, 'GET', `/q/${pullQ}`);
      if (r.status !== 200) break;
      pulled.add((JSON.parse(r.text) as { value: string }).value);
    }
    const onSse = () => new Set([...streamed, ...sse.messages.map((m) => m.value)]);
    await sse.waitForCount(sse.messages.length + [...answered[sseQ]!].filter((v) => !onSse().has(v)).length, 10_000).catch(() => undefined);
    // Close the stream (its unwritten messages go back to the queue) and take what is left.
    sse.close();
    await sseLoop;
    for (const v of onSse()) streamed.add(v);
    for (;;) {
      const r = await req(broker.url, 'GET', `/q/${sseQ}`);
      if (r.status !== 200) break;
      streamed.add((JSON.parse(r.text) as { value: string }).value);
    }
    await readyLoop;
    const lostPull = [...answered[pullQ]!].filter((v) => !pulled.has(v));
    const lostSse = [...answered[sseQ]!].filter((v) => !streamed.has(v));
    const codes = [...new Set(failures.map((f) => `${f.status} ${f.code}`))].join(', ') || 'none';
    console.log(`# failover: before ${before.pull}+${before.sse} answered; total answered ${answered[pullQ]!.size}+${answered[sseQ]!.size}; ` +
      `refused ${failures.length} (${codes}); SSE streams opened ${sseOpens}; ` +
      `outage ${firstFailure === undefined ? 'none seen' : `${(recovered ?? Date.now()) - firstFailure} ms`} (from SENTINEL FAILOVER: first refusal +${firstFailure === undefined ? '-' : firstFailure - t0} ms, writes again +${recovered === undefined ? '-' : recovered - t0} ms); ` +
      `harness saw the old primary resynced +${resynced - t0} ms; /ready ${ready.map((r) => `${r.status}@+${r.at - t0}`).join(' ')}`);
    assert.deepEqual(lostPull, [], 'every 2xx POST on the pulled queue was delivered or is still stored');
    assert.deepEqual(lostSse, [], 'every 2xx POST on the SSE queue was delivered or is still stored');
    for (const f of failures) assert.ok(['STORE_UNAVAILABLE', 'REPLICATION_TIMEOUT'].includes(f.code), `a refusal is a clear 503: ${f.status} ${f.code}`);
    assert.equal((await req(broker.url, 'GET', '/ready')).status, 200);
  });
});
