/**
 * presque's bookkeeping is in the store: two broker processes on one Redis (or Redis Cluster)
 * report the same /j/ counters, /w/ workers and uniq tokens whichever of them is asked, and a
 * broker started again over the same Redis or SQLite file finds them as they were.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import { qname, req } from './backends.js';

const send = (base: string, method: string, path: string, opts: { body?: string; worker?: string } = {}) =>
  req(base, method, `/presque${path}`, {
    ...(opts.body === undefined ? {} : { body: opts.body, type: 'application/json' }),
    headers: opts.worker === undefined ? {} : { 'x-presque-workerid': opts.worker },
  });
const json = async (p: Promise<{ text: string }>): Promise<unknown> => JSON.parse((await p).text) as unknown;
const status = async (p: Promise<{ status: number; text: string }>, want: number) => {
  const r = await p;
  assert.equal(r.status, want, r.text);
};

/** On `a`: a worker registered, 3 jobs in (one with a uniq token), 2 fetched by the worker, 1 failure. */
async function work(a: string, q: string, w: string): Promise<void> {
  await status(send(a, 'POST', `/w/${q}`, { worker: w }), 201);
  await status(send(a, 'POST', `/qb/${q}`, { body: '{"jobs":[1,2]}' }), 201);
  await status(send(a, 'POST', `/q/${q}?uniq=tok`, { body: '{"u":1}' }), 201);
  await status(send(a, 'GET', `/qb/${q}?batch_size=2`, { worker: w }), 200);
  await status(send(a, 'PUT', `/q/${q}`, { body: '{"again":1}', worker: w }), 201);
}

/** What `work` left, as seen from `b`. */
async function seen(b: string, q: string, w: string): Promise<void> {
  assert.deepEqual(await json(send(b, 'GET', `/j/${q}`)), { queue_name: q, job_count: 2, job_failed: 1, job_processed: 2 });
  assert.deepEqual(await json(send(b, 'GET', `/w/?queue_name=${q}`)), { queue_name: q, workers_list: [w], processed: 2, failed: 1 });
  assert.deepEqual(await json(send(b, 'GET', `/w/?worker_id=${w}`)), { worker_id: w, processed: 2, failed: 1 });
  assert.ok(((await json(send(b, 'GET', '/w/'))) as string[]).includes(w), 'listed among all workers');
  const again = await send(b, 'POST', `/q/${q}?uniq=tok`, { body: '{"u":2}' });
  assert.equal(again.status, 400, 'the token is held while its job waits');
  assert.equal(again.text, '{"error":"job already exists"}');
}

/** Fetches the rest on `b`: the uniq job's fetch frees its token, which `a` then accepts. */
async function drain(a: string, b: string, q: string): Promise<void> {
  assert.deepEqual(await json(send(b, 'GET', `/qb/${q}`)), ['{"u":1}', '{"again":1}']);
  await status(send(a, 'POST', `/q/${q}?uniq=tok`, { body: '{"u":3}' }), 201);
  assert.deepEqual((await json(send(a, 'GET', `/j/${q}`)) as { job_processed: number }).job_processed, 4);
}

describe('presque on two brokers sharing one Redis, and across a restart', () => {
  let redis: RedisServer;
  let brokers: SpawnedBroker[] = [];
  before(async () => {
    redis = await startRedis();
    brokers = await Promise.all([0, 1].map(() => spawnBroker(['--store', `redis://127.0.0.1:${redis.port}/0`, '--log-level', 'warn'])));
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await redis?.stop();
  });

  it('both brokers report the same counters, workers and tokens', async () => {
    const [a, b] = brokers.map((x) => x.url) as [string, string];
    const q = qname();
    await work(a, q, 'w-shared');
    await seen(b, q, 'w-shared');
    await seen(a, q, 'w-shared');
    await drain(a, b, q);
  });

  it('a broker started again on the Redis finds them', async () => {
    const q = qname();
    await work(brokers[0]!.url, q, 'w-restart');
    await Promise.all(brokers.map((x) => x.stop()));
    brokers = [await spawnBroker(['--store', `redis://127.0.0.1:${redis.port}/0`, '--log-level', 'warn'])];
    await seen(brokers[0]!.url, q, 'w-restart');
    await drain(brokers[0]!.url, brokers[0]!.url, q);
  });
});

describe('presque on two brokers sharing one Redis Cluster', () => {
  let cluster: RedisCluster;
  let brokers: SpawnedBroker[] = [];
  before(async () => {
    cluster = await startRedisCluster();
    brokers = await Promise.all([0, 1].map(() => spawnBroker(['--store', cluster.url, '--log-level', 'warn'])));
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await cluster?.stop();
  });

  it('both brokers report the same counters, workers and tokens', async () => {
    const [a, b] = brokers.map((x) => x.url) as [string, string];
    const q = qname();
    await work(a, q, 'w-cluster');
    await seen(b, q, 'w-cluster');
    await drain(a, b, q);
  });
});

describe('presque on SQLite across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-presque-'));
  const file = join(dir, 'store.db');
  let broker: SpawnedBroker | undefined;
  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the broker started again on the file finds counters, workers and tokens', async () => {
    const q = qname();
    broker = await spawnBroker(['--store', `sqlite:${file}`, '--log-level', 'warn']);
    await work(broker.url, q, 'w-sqlite');
    await seen(broker.url, q, 'w-sqlite');
    await broker.stop();
    broker = await spawnBroker(['--store', `sqlite:${file}`, '--log-level', 'warn']);
    await seen(broker.url, q, 'w-sqlite');
    await drain(broker.url, broker.url, q);
  });
});
