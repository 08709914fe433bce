/**
 * `restmq serve` as a real child process (SPEC 10, 11, 8): bad configuration stops the start
 * with one clear line and a non-zero exit; one broker per SQLite file; SIGTERM finishes the
 * request in flight and exits 0 with nothing lost; RESTMQ_* environment settings and
 * `--config file.json` are honoured.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { cliArgs, spawnChild } from '../harness/child.js';
import { freePort } from '../harness/redis.js';
import { qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';

let dir = '';
const tmp = (name: string) => join(dir, name);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'restmq-cli-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Exactly one non-empty line on stderr, matching every pattern. */
function oneClearLine(stderr: string, ...patterns: RegExp[]): void {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  for (const p of patterns) assert.match(lines[0]!, p);
  assert.doesNotMatch(lines[0]!, /\bat .*\(.*:\d+:\d+\)/, 'no stack trace');
}

describe('bad configuration: one line on stderr, non-zero exit', () => {
  it('--port abc', async () => {
    const r = await runCli(['serve', '--port', 'abc', '--store', 'memory']);
    assert.notEqual(r.code, 0);
    oneClearLine(r.stderr, /port/, /abc/);
  });
  it('an unknown flag', async () => {
    const r = await runCli(['serve', '--bogus', '--store', 'memory']);
    assert.notEqual(r.code, 0);
    oneClearLine(r.stderr, /--bogus/);
  });
  it('RESTMQ_PORT=abc in the environment', async () => {
    const r = await runCli(['serve', '--store', 'memory'], { RESTMQ_PORT: 'abc' });
    assert.notEqual(r.code, 0);
    oneClearLine(r.stderr, /RESTMQ_PORT/, /abc/);
  });
  it('a bad --store', async () => {
    const r = await runCli(['serve', '--port', '0', '--store', 'postgres://h/db']);
    assert.notEqual(r.code, 0);
    oneClearLine(r.stderr, /store/, /sqlite:<path>/);
  });
  it('an unreachable Redis', async () => {
    const r = await runCli(['serve', '--port', '0', '--store', 'redis://127.0.0.1:1/0']);
    assert.notEqual(r.code, 0);
    oneClearLine(r.stderr, /Redis/, /127\.0\.0\.1:1\b/);
  });
  it('an unknown key in the config file', async () => {
    const path = tmp('unknown-key.json');
    writeFileSync(path, JSON.stringify({ store: 'memory', prot: 1 }));
    const r = await runCli(['serve', '--config', path]);
    assert.notEqual(r.code, 0);
    oneClearLine(r.stderr, /unknown setting/, /prot/);
  });
  it('a port already in use', async () => {
    const first = await spawnBroker(['--store', 'memory']);
    try {
      const r = await runCli(['serve', '--port', String(first.port), '--store', 'memory']);
      assert.notEqual(r.code, 0);
      oneClearLine(r.stderr, /cannot listen/, new RegExp(`:${first.port}\\b`));
    } finally {
      await first.stop();
    }
  });
});

describe('one broker per SQLite file', () => {
  it('a second broker on the same file refuses to start with a clear message', async () => {
    const db = tmp('shared.db');
    const first = await spawnBroker(['--store', `sqlite:${db}`]);
    try {
      const r = await runCli(['serve', '--port', '0', '--store', `sqlite:${db}`]);
      assert.notEqual(r.code, 0);
      oneClearLine(r.stderr, /in use by another broker/);
      // The first one is unaffected.
      assert.equal((await req(first.url, 'GET', '/ready')).status, 200);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    // Once the first has stopped, the file is free again.
    const next = await spawnBroker(['--store', `sqlite:${db}`]);
    assert.equal(await next.stop(), 0);
  });
});

/** POST /q/<q> with a raw body sent in two parts; `accepted` resolves once the broker has read
 *  the headers (it answered 100 Continue) and the first part is written. */
function slowPost(base: string, path: string, first: string, rest: string) {
  const r = request(base + path, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(first + rest)), expect: '100-continue' },
  });
  const reply = new Promise<{ status: number; text: string }>((resolve, reject) => {
    r.on('error', reject);
    r.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
  });
  const accepted = new Promise<void>((resolve) => r.once('continue', () => r.write(first, () => resolve())));
  r.flushHeaders();
  return { reply, accepted, sendRest: () => r.end(rest) };
}

describe('graceful shutdown on SIGTERM', () => {
  it('finishes the request in flight, exits 0, and nothing is lost across a restart', async () => {
    const db = tmp('shutdown.db');
    const q = qname();
    const broker = await spawnBroker(['--store', `sqlite:${db}`]);
    let exited = false;
    try {
      for (const v of ['one', 'two']) assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: v } })).status, 200);
      // A request whose headers the broker has read (100 Continue) but whose body is unfinished.
      const slow = slowPost(broker.url, `/q/${q}`, 'in ', 'flight');
      await slow.accepted;
      broker.child.kill('SIGTERM');
      await waitUntil('the broker to log that it is shutting down', async () => broker.output.some((l) => l.includes('shutting down')));
      slow.sendRest();
      const reply = await slow.reply;
      assert.deepEqual(reply, { status: 200, text: `${q}:3\r\n` });
      assert.equal(await broker.exited, 0);
      exited = true;
    } finally {
      if (!exited) await broker.stop('SIGKILL');
    }
    const again = await spawnBroker(['--store', `sqlite:${db}`]);
    try {
      for (const [n, v] of [[1, 'one'], [2, 'two'], [3, 'in flight']] as const) {
        const r = await req(again.url, 'GET', `/q/${q}`);
        assert.equal(r.text, `{"count": 0, "key": "${q}:${n}", "value": "${v}"}\r\n`);
      }
      assert.equal((await req(again.url, 'GET', `/q/${q}`)).status, 204);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
  it('SIGINT exits 0 as well', async () => {
    const broker = await spawnBroker(['--store', 'memory']);
    assert.equal(await broker.stop('SIGINT'), 0);
  });
});

/** Spawns `restmq serve` with no flags at all, only the environment; resolves on "listening". */
async function serveWithEnv(env: NodeJS.ProcessEnv): Promise<{ port: number; stop: () => Promise<number | null> }> {
  const broker = spawnChild(process.execPath, cliArgs(['serve']), { env });
  const stop = async () => (await broker.stop()).code;
  try {
    const line = await broker.waitForLine((l) => l.includes('"listening"'), 20_000);
    return { port: Number(new URL((JSON.parse(line) as { url: string }).url).port), stop };
  } catch (err) {
    await broker.stop('SIGKILL');
    throw err;
  }
}

describe('environment and config file', () => {
  it('RESTMQ_PORT, RESTMQ_STORE and RESTMQ_LISTEN are honoured', async () => {
    const port = await freePort();
    const broker = await serveWithEnv({ RESTMQ_PORT: String(port), RESTMQ_STORE: 'memory', RESTMQ_LISTEN: '127.0.0.1', RESTMQ_LOG_LEVEL: 'info' });
    try {
      assert.equal(broker.port, port);
      const r = await req(`http://127.0.0.1:${port}`, 'GET', '/ready');
      assert.deepEqual(JSON.parse(r.text), { status: 'ready', store: 'memory' });
    } finally {
      assert.equal(await broker.stop(), 0);
    }
  });
  it('RESTMQ_MAX_MESSAGE_BYTES is honoured, and a flag overrides it', async () => {
    const q = qname();
    const env = { RESTMQ_STORE: 'memory', RESTMQ_MAX_MESSAGE_BYTES: '16' };
    let broker: SpawnedBroker = await spawnBroker([], { env });
    try {
      assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'x'.repeat(16) } })).status, 200);
      assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'x'.repeat(17) } })).status, 413);
    } finally {
      await broker.stop();
    }
    broker = await spawnBroker(['--max-message-bytes', '32'], { env });
    try {
      assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'x'.repeat(32) } })).status, 200);
      assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'x'.repeat(33) } })).status, 413);
    } finally {
      await broker.stop();
    }
  });
  it('--config file.json is honoured (store, limit), and flags override it', async () => {
    const db = tmp('from-config.db');
    const path = tmp('restmq.json');
    writeFileSync(path, JSON.stringify({ store: `sqlite:${db}`, 'max-message-bytes': 8, heartbeat: 30 }));
    const q = qname();
    const broker = await spawnBroker(['--config', path]);
    try {
      assert.deepEqual(JSON.parse((await req(broker.url, 'GET', '/ready')).text), { status: 'ready', store: 'sqlite' });
      assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: '12345678' } })).status, 200);
      assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: '123456789' } })).status, 413);
    } finally {
      await broker.stop();
    }
    const overridden = await spawnBroker(['--config', path, '--store', 'memory']);
    try {
      assert.deepEqual(JSON.parse((await req(overridden.url, 'GET', '/ready')).text), { status: 'ready', store: 'memory' });
    } finally {
      await overridden.stop();
    }
    // The message written through the config file's store is in that file.
    const check = await spawnBroker(['--store', `sqlite:${db}`]);
    try {
      assert.equal((await req(check.url, 'GET', `/q/${q}`)).text, `{"count": 0, "key": "${q}:1", "value": "12345678"}\r\n`);
    } finally {
      await check.stop();
    }
  });
});
