/**
 * `restmq serve` with the scaled-out store URLs: a bad URL, unreachable seeds or Sentinels,
 * and a cluster that is not ready each stop the start with one line on stderr (the address,
 * never the password) and exit 1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { runCli } from '../harness/broker.js';
import { freePort, spawnTracked, stopChild, trackedTempDir, waitReady } from '../harness/redis.js';

/** Exit 1 and exactly one non-empty line on stderr, matching every pattern, without `secret`. */
async function refusedToStart(store: string, ...patterns: RegExp[]): Promise<void> {
  const r = await runCli(['serve', '--port', '0', '--store', store]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  for (const p of patterns) assert.match(lines[0]!, p);
  assert.doesNotMatch(r.stderr + r.stdout, /s3cret/, 'no password');
  assert.doesNotMatch(lines[0]!, /\bat .*\(.*:\d+:\d+\)/, 'no stack trace');
}

describe('scaled-out store URLs that cannot start: one line, exit 1', () => {
  it('a malformed redis-cluster:// URL', async () => {
    await refusedToStart('redis-cluster://:s3cret@127.0.0.1:1,nothost:', /store/, /host:port/);
  });
  it('a redis-sentinel:// URL without the primary name', async () => {
    await refusedToStart('redis-sentinel://:s3cret@127.0.0.1:26379', /store/, /NAME/);
  });
  it('unreachable cluster seeds', async () => {
    await refusedToStart('redis-cluster://:s3cret@127.0.0.1:1,127.0.0.1:2', /Redis Cluster/, /127\.0\.0\.1:1,127\.0\.0\.1:2/);
  });
  it('unreachable Sentinels', async () => {
    await refusedToStart('redis-sentinel://:s3cret@127.0.0.1:1/mymaster', /Sentinels/, /127\.0\.0\.1:1\b/, /mymaster/);
  });
  it('a rediss:// CA file that cannot be read', async () => {
    const r = await runCli(['serve', '--port', '0', '--store', 'rediss://127.0.0.1:1', '--redis-tls-ca', '/nonexistent/ca.pem']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^restmq: cannot read the Redis TLS CA file \/nonexistent\/ca\.pem: ENOENT\n$/);
  });

  describe('a cluster whose slots are not served', () => {
    let node: ChildProcess;
    let port = 0;
    let removeDir: () => Promise<void>;
    before(async () => {
      const temp = await trackedTempDir('restmq-cluster-unready-');
      removeDir = temp.remove;
      port = await freePort();
      const s = spawnTracked(['--port', String(port), '--bind', '127.0.0.1', '--dir', temp.dir, '--cluster-enabled', 'yes', '--save', '']);
      node = s.child;
      await waitReady(node, port, s.output);
    });
    after(async () => {
      await stopChild(node);
      await removeDir();
    });
    it('names cluster_state', async () => {
      await refusedToStart(`redis-cluster://127.0.0.1:${port}`, /Redis Cluster/, new RegExp(`127\\.0\\.0\\.1:${port}`), /not ready/, /cluster_state: fail/);
    });
  });
});
