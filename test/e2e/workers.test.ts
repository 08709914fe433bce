/**
 * `restmq serve --workers N`: a supervisor and N broker processes sharing one port on a Redis
 * store; SQLite stays one process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, spawnBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { pidAlive } from '../harness/child.js';
import { waitUntil } from '../harness/wait.js';

/** Pids of the processes that logged "listening" so far. */
function listeningPids(output: string[]): number[] {
  const pids: number[] = [];
  for (const line of output) {
    if (!line.includes('"msg":"listening"')) continue;
    pids.push((JSON.parse(line) as { pid: number }).pid);
  }
  return pids;
}

describe('--workers on a Redis store', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it('runs N brokers on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    const broker = await spawnBroker(['--workers', '2', '--store', `redis://127.0.0.1:${redis.port}/0`], { timeoutMs: 60_000 });
    try {
      await waitUntil('two workers listening', () => listeningPids(broker.output).length === 2, 60_000);
      const [first, second] = listeningPids(broker.output) as [number, number];
      assert.notEqual(first, second, 'two processes');
      assert.notEqual(first, broker.child.pid, 'the supervisor serves nothing itself');

      // Messages go through whichever worker answers, to the one store.
      for (let i = 1; i <= 20; i++) {
        const res = await fetch(`${broker.url}/q/workers`, { method: 'POST', body: new URLSearchParams({ value: String(i) }) });
        assert.equal(res.status, 200);
      }
      const got: string[] = [];
      for (let i = 0; i < 20; i++) got.push(((await (await fetch(`${broker.url}/q/workers`)).json()) as { value: string }).value);
      assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => String(i + 1)));

      process.kill(first, 'SIGKILL');
      await waitUntil('a replacement worker', () => listeningPids(broker.output).length === 3, 60_000);
      assert.ok(broker.output.some((l) => l.includes('worker died: starting another')), 'the death is logged');
      const replacement = listeningPids(broker.output)[2]!;
      assert.equal((await fetch(`${broker.url}/ready`)).status, 200);

      assert.equal(await broker.stop('SIGTERM'), 0, 'graceful stop exits 0');
      await waitUntil('the workers to exit', () => !pidAlive(second) && !pidAlive(replacement), 10_000);
    } finally {
      await broker.stop('SIGKILL');
    }
  });

  it('a worker that cannot start stops the whole start with its error', async () => {
    const r = await runCli(['serve', '--port', '0', '--workers', '2', '--store', 'redis://127.0.0.1:1/0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Redis/);
  });
});

describe('--workers: SQLite is one process', () => {
  it('a number above 1 with SQLite or memory is refused in one line', async () => {
    for (const store of ['memory', 'sqlite:/tmp/restmq-workers-refused.db']) {
      const r = await runCli(['serve', '--port', '0', '--workers', '2', '--store', store]);
      assert.equal(r.code, 1);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /workers: 2 processes need a Redis store/);
    }
  });

  it('auto serves from one process with SQLite', async () => {
    const broker = await spawnBroker(['--workers', 'auto', '--store', 'memory']);
    try {
      assert.deepEqual(listeningPids(broker.output), [broker.child.pid]);
    } finally {
      assert.equal(await broker.stop(), 0);
    }
  });

  it('a bad value is refused in one line', async () => {
    for (const bad of ['0', 'many', '1.5', '999']) {
      const r = await runCli(['serve', '--port', '0', '--workers', bad, '--store', 'memory']);
      assert.equal(r.code, 1, bad);
      assert.match(r.stderr, /workers: expected auto or a whole number 1\.\.256/, bad);
    }
  });
});
