/**
 * Request logging: by default only failed requests are logged; --access-log adds one line per
 * request (method, path without the query, status, ms). Real broker processes, real output.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { waitUntil } from '../harness/wait.js';

const lines = (b: SpawnedBroker, msg: string) => b.output.filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);

async function traffic(url: string): Promise<void> {
  assert.equal((await fetch(`${url}/q/logged?value=secret-value`, { method: 'POST' })).status, 200);
  assert.equal((await fetch(`${url}/q/logged`)).status, 200);
  // A refused request: an invalid queue name.
  assert.equal((await fetch(`${url}/q/bad%20name`)).status, 400);
}

describe('request logging', () => {
  it('by default: no line per request, the lifecycle lines still at info', async () => {
    const broker = await spawnBroker(['--store', 'memory']);
    try {
      await traffic(broker.url);
      await waitUntil('the listening line', () => lines(broker, 'listening').length === 1);
      assert.deepEqual(lines(broker, 'request'), [], 'no access lines without --access-log');
    } finally {
      await broker.stop();
    }
  });

  it('--access-log: one info line per request, the path without its query string', async () => {
    const broker = await spawnBroker(['--store', 'memory', '--access-log']);
    try {
      await traffic(broker.url);
      // The harness's readiness probes (/health) are logged too: leave them out.
      const logged = () => lines(broker, 'request').filter((l) => l.path !== '/health');
      await waitUntil('three access lines', () => logged().length >= 3);
      assert.deepEqual(logged().map((l) => [l.method, l.path, l.status, l.level]), [
        ['POST', '/q/logged', 200, 30],
        ['GET', '/q/logged', 200, 30],
        ['GET', '/q/bad%20name', 400, 30],
      ]);
      assert.ok(!broker.output.some((l) => l.includes('secret-value')), 'no message value in the log');
    } finally {
      await broker.stop();
    }
  });
});
