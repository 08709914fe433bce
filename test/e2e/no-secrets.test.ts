/**
 * No Redis address or password in any reply or log line: a spawned broker on a Redis with
 * requirepass, at debug log level, goes through ordinary traffic, a Redis outage (killed, then
 * restarted) and a shutdown; every reply body and header and every output line is checked.
 * Also a start against a Redis that is not there: its one-line failure names the address the
 * operator gave (cli-serve.test.ts wants that), never the password.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runCli, spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { freePort, startRedis, type RedisServer } from '../harness/redis.js';
import { qname } from './backends.js';
import { waitUntil } from '../harness/wait.js';

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

/** Where the text mentions `port` as a number of its own (UUIDs and pids, which may contain those digits by chance, removed first). */
function leaks(text: string, port: number): string[] {
  const found: string[] = [];
  if (text.includes(PASSWORD)) found.push('the password');
  const cleaned = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'UUID').replace(/"pid":\d+/g, '"pid":0');
  if (new RegExp(`(^|[^0-9])${port}([^0-9]|$)`).test(cleaned)) found.push(`the Redis port ${port}`);
  return found;
}

describe('no secrets in replies or logs', () => {
  let redis: RedisServer | undefined;
  let broker: SpawnedBroker | undefined;
  const seen: { what: string; text: string }[] = [];

  before(async () => {
    redis = await startRedis({ password: PASSWORD });
    broker = await spawnBroker(['--store', `redis://:${PASSWORD}@127.0.0.1:${redis.port}/0`, '--log-level', 'debug']);
  });
  after(async () => {
    if (broker && broker.child.exitCode === null) await broker.stop('SIGKILL');
    await redis?.stop();
  });

  /** Sends a request and keeps its status line, headers and body for the final check. */
  async function call(method: string, path: string, body?: string): Promise<number> {
    assert.ok(broker, 'broker not started');
    const r = await fetch(broker.url + path, {
      method,
      redirect: 'manual',
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    }).catch((err: Error) => ({ status: 0, headers: new Headers(), text: async () => `fetch failed: ${err.message}` }));
    const text = await r.text();
    seen.push({ what: `${method} ${path} -> ${r.status}`, text: `${JSON.stringify([...r.headers])}\n${text}` });
    return r.status;
  }

  async function tour(q: string): Promise<number[]> {
    const statuses: number[] = [];
    statuses.push(await call('POST', `/q/${q}`, 'value=hello'));
    statuses.push(await call('POST', '/queue', JSON.stringify({ cmd: 'add', queue: q, value: 'json' })));
    for (const path of ['/', `/?queue=${q}`, '/q/', `/q/${q}`, `/q/${q}?wait=1`, '/stats/', `/stats/${q}`, `/control/${q}`, '/health', '/ready', '/metrics', '/dashboard/api/config', '/dashboard/api/queues', '/dashboard/api/consumers', '/openapi.json', '/no/such/route']) {
      statuses.push(await call('GET', path));
    }
    statuses.push(await call('DELETE', `/q/${q}`));
    return statuses;
  }

  it('traffic, a Redis outage and a shutdown leave no address or password behind', async () => {
    assert.ok(broker && redis, 'started');
    const q = qname();
    assert.ok((await tour(q)).includes(200), 'the broker served requests before the outage');
    await redis.kill();
    const during = await tour(q);
    assert.ok(during.includes(503), `the outage is visible to clients: ${during.join(',')}`);
    await redis.restart();
    await waitUntil('the broker to reach Redis again', async () => (await call('GET', `/stats/${q}`)) === 200, 20_000);
    await tour(q);
    assert.equal(await broker.stop('SIGTERM'), 0);
    // The exit can come before the last lines are read from the pipe.
    const output = broker.output;
    await waitUntil('the last log line', async () => output.some((l) => l.includes('"msg":"stopped"')));
    const lines = output;
    assert.ok(lines.some((l) => /STORE_UNAVAILABLE|unavailable|ECONNREFUSED|reconnect/i.test(l)), `the outage was logged:\n${lines.join('\n')}`);
    for (const line of lines) assert.deepEqual(leaks(line, redis.port), [], `log line leaks: ${line}`);
    for (const r of seen) assert.deepEqual(leaks(r.text, redis.port), [], `reply to ${r.what} leaks: ${r.text}`);
  });

  it('a start against an unreachable Redis names the address it was given, never the password', async () => {
    const port = await freePort();
    const r = await runCli(['serve', '--port', '0', '--store', `redis://:${PASSWORD}@127.0.0.1:${port}/0`]);
    assert.equal(r.code, 1, r.stderr);
    // The one place an address appears, on purpose: the operator's own flag, in the start failure.
    assert.equal(r.stderr, `restmq: cannot connect to Redis at 127.0.0.1:${port}\n`);
    assert.ok(!(r.stdout + r.stderr).includes(PASSWORD), 'no password');
  });
});
