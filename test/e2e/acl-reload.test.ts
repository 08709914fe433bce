/**
 * The ACL file over a broker's life: reloaded when it changes (an editor's rename included) and
 * on SIGHUP; a broken file keeps the rules in force and logs one warning without the file's
 * secrets; a broken file at start stops `restmq serve` with one line and exit 1. And the route
 * table is complete: the real broker registers no route without an ACL category.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { runCli, spawnBroker, startTestBroker, type SpawnedBroker, type TestBroker } from '../harness/broker.js';
import { assertError, qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';
import { installAuth } from '../../src/http/auth-hook.js';
import type { AppDeps } from '../../src/http/app.js';
import { loadConfig } from '../../src/config/load.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { startBroker } from '../../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'restmq-acl-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DENY_CONSUMERS = '[rest:consumer]\nhosts_allow = 10.0.0.0/8\n';
const OPEN = '# open\n';

describe('ACL reload in a running broker', () => {
  const file = join(dir, 'watched.conf');
  let broker: TestBroker | undefined;
  const url = () => {
    assert.ok(broker, 'broker started');
    return broker.url;
  };
  const status = async () => (await req(url(), 'GET', `/q/${qname()}`)).status;
  before(async () => {
    writeFileSync(file, OPEN);
    broker = await startTestBroker('memory', { flags: { acl: file } });
  });
  after(async () => {
    await broker?.close();
  });

  it('picks up an edited file without a signal, and a file replaced by rename', async () => {
    assert.equal(await status(), 204);
    writeFileSync(file, DENY_CONSUMERS);
    await waitUntil('the edit to apply', async () => (await status()) === 401);
    const tmp = join(dir, 'watched.conf.tmp');
    writeFileSync(tmp, OPEN);
    renameSync(tmp, file);
    await waitUntil('the replaced file to apply', async () => (await status()) === 204);
  });

  it('a broken file keeps the rules in force; fixing it applies the new rules', async () => {
    writeFileSync(file, DENY_CONSUMERS);
    await waitUntil('the deny rules', async () => (await status()) === 401);
    writeFileSync(file, '[rest:consumer]\nthis line is broken\n');
    process.emit('SIGHUP', 'SIGHUP');
    assertError(await req(url(), 'GET', `/q/${qname()}`), 401, 'ACCESS_DENIED');
    writeFileSync(file, OPEN);
    process.emit('SIGHUP', 'SIGHUP');
    assert.equal(await status(), 204, 'SIGHUP reloads at once');
  });
});

describe('ACL reload in a spawned broker (signals and logs)', () => {
  const file = join(dir, 'spawned.conf');
  let broker: SpawnedBroker | undefined;
  const b = () => {
    assert.ok(broker, 'broker spawned');
    return broker;
  };
  before(async () => {
    writeFileSync(file, OPEN);
    broker = await spawnBroker(['--store', 'memory', '--acl', file]);
  });
  after(async () => {
    await broker?.stop();
  });

  it('kill -HUP reloads; a broken file logs one warning naming the line, never the secret', async () => {
    writeFileSync(file, '[rest:consumer]\nusername = u\npassword = hunter2-secret\n');
    b().child.kill('SIGHUP');
    await waitUntil('SIGHUP to apply the password', async () => (await req(b().url, 'GET', `/q/${qname()}`)).status === 401);
    writeFileSync(file, '[rest:consumer]\nusername = u\npassword = hunter2-secret%\n');
    b().child.kill('SIGHUP');
    await waitUntil('the warning', async () => b().output.some((l) => l.includes('ACL file not reloaded')));
    const warning = b().output.find((l) => l.includes('ACL file not reloaded'))!;
    assert.match(warning, /password/);
    assert.ok(!b().output.some((l) => l.includes('hunter2')), 'no log line holds the password');
    assertError(await req(b().url, 'GET', `/q/${qname()}`), 401, 'AUTH_REQUIRED');
    const ok = await req(b().url, 'GET', `/q/${qname()}`, { headers: { authorization: `Basic ${Buffer.from('u:hunter2-secret').toString('base64')}` } });
    assert.equal(ok.status, 204, 'the old rules are still in force');
  });

  it('the real broker registers no route without an ACL category', () => {
    assert.ok(b().output.some((l) => l.includes('"listening"') || l.includes('listening')), 'the start was logged');
    const missing = b().output.filter((l) => l.includes('route without an ACL category'));
    assert.deepEqual(missing, [], 'every route has a category in src/auth/route-guards.ts');
  });
});

describe('ACL at start and route coverage', () => {
  it('a broken or missing ACL file stops restmq serve with one line and exit 1', async () => {
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, '[rest:producer]\nhosts_allow = 10.0.0.0/99\n');
    const r = await runCli(['serve', '--store', 'memory', '--port', '0', '--acl', bad]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^restmq: cannot load the ACL file .*bad\.conf: \[rest:producer\] "10\.0\.0\.0\/99" is not a CIDR block\n$/);
    const missing = await runCli(['serve', '--store', 'memory', '--port', '0', '--acl', join(dir, 'nope.conf')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT/);
  });

  it('in process, a bad ACL file rejects startBroker and leaves the SQLite file free', async () => {
    const bad = join(dir, 'bad-in-process.conf');
    writeFileSync(bad, '[admin]\nusername = root\npassword = 100%\n');
    const path = join(dir, 'in-process.db');
    const config = loadConfig({ port: '0', store: `sqlite:${path}`, acl: bad, 'log-level': 'silent' }, {});
    await assert.rejects(startBroker(config, pino({ level: 'silent' })), /\[admin\] password/);
    const again = openSqliteStore({ path });
    await again.close();
  });

  it('a route missing from the table is reported at start and guarded as admin', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const file = join(dir, 'coverage.conf');
    writeFileSync(file, '[admin]\nhosts_allow = 10.\n');
    const store = openSqliteStore({ path: ':memory:' });
    const app = Fastify();
    try {
      installAuth(app, { config: loadConfig({ acl: file }, {}), authkeys: store, logger } as unknown as AppDeps);
      app.get('/not-in-the-table', async () => 'reached');
      const r = await app.inject({ method: 'GET', url: '/not-in-the-table' });
      assert.equal(r.statusCode, 401, 'fails closed');
      assert.ok(lines.some((l) => l.includes('route without an ACL category') && l.includes('/not-in-the-table')), 'the start warns');
    } finally {
      await app.close();
      await store.close();
    }
  });
});
