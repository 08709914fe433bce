/**
 * config/store-url.ts through loadConfig: rediss://, redis-sentinel:// and redis-cluster://
 * URLs, the --redis-tls-ca and --redis-wait-* settings, and bad URLs refused with one line
 * that never repeats the password.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, describeStore, loadConfig } from '../../src/config/load.js';

const store = (value: string, more: Record<string, string> = {}) => loadConfig({ store: value, ...more }, {}).store;

/** A ConfigError of one line, matching every pattern and never showing `secret`. */
const refused = (value: string, more: Record<string, string>, ...patterns: RegExp[]) =>
  assert.throws(() => store(value, more), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    assert.doesNotMatch(err.message, /secret/, 'no password in the message');
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });

describe('redis-cluster://', () => {
  it('seed nodes, with the password from the URL or --redis-password', () => {
    assert.deepEqual(store('redis-cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002'), {
      kind: 'redis-cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }],
    });
    assert.deepEqual(store('redis-cluster://:p%40ss@h:7000'), { kind: 'redis-cluster', nodes: [{ host: 'h', port: 7000 }], password: 'p@ss' });
    assert.deepEqual(store('redis-cluster://h', { 'redis-password': 'pw' }), { kind: 'redis-cluster', nodes: [{ host: 'h', port: 6379 }], password: 'pw' });
  });
  it('refuses a database, an empty seed list and a bad port', () => {
    refused('redis-cluster://:secret@h:7000/1', {}, /no database/);
    refused('redis-cluster://:secret@', {}, /invalid redis-cluster:\/\/ URL/, /\*\*\*@/);
    refused('redis-cluster://:secret@h:7000,h:99999', {}, /h:99999/, /host:port/);
    refused('redis-cluster://:secret@h:7000,,h:7001', {}, /host:port/);
  });
});

describe('redis-sentinel://', () => {
  it('Sentinels, the primary name and a database', () => {
    assert.deepEqual(store('redis-sentinel://s1:26379,s2:26380/mymaster/2', { 'redis-password': 'pw' }), {
      kind: 'redis-sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }], masterName: 'mymaster', db: 2, password: 'pw',
    });
    assert.deepEqual(store('redis-sentinel://:x@s1/m'), { kind: 'redis-sentinel', sentinels: [{ host: 's1', port: 26379 }], masterName: 'm', db: 0, password: 'x' });
  });
  it('refuses a missing name, a bad database and extra path segments', () => {
    refused('redis-sentinel://:secret@s1:26379', {}, /NAME/);
    refused('redis-sentinel://s1:26379/m/16', {}, /database/, /0\.\.15/);
    refused('redis-sentinel://s1:26379/m/1/x', {}, /NAME/);
  });
});

describe('rediss:// and --redis-tls-ca', () => {
  it('TLS to one server, with a CA file when given', () => {
    assert.deepEqual(store('rediss://h:6380/1'), { kind: 'redis', host: 'h', port: 6380, db: 1, tls: {} });
    assert.deepEqual(store('rediss://h', { 'redis-tls-ca': '/ca.pem' }), { kind: 'redis', host: 'h', port: 6379, db: 0, tls: { ca: '/ca.pem' } });
  });
  it('--redis-tls-ca without rediss:// is refused, not ignored', () => {
    refused('redis://h', { 'redis-tls-ca': '/ca.pem' }, /redis-tls-ca/, /rediss:\/\//);
    assert.throws(() => loadConfig({ 'redis-host': 'h', 'redis-tls-ca': '/ca.pem' }, {}), /rediss:\/\//);
  });
  it('a redis:// URL names one server', () => {
    refused('redis://:secret@a:1,b:2', {}, /one server/);
  });
});

describe('--redis-wait-replicas / --redis-wait-timeout', () => {
  it('default: no wait; N > 0 adds it to every Redis kind, with the timeout (default 1000 ms)', () => {
    assert.equal('wait' in store('redis://h'), false);
    const wait = { replicas: 1, timeoutMs: 1000 };
    assert.deepEqual(store('redis://h', { 'redis-wait-replicas': '1' }), { kind: 'redis', host: 'h', port: 6379, db: 0, wait });
    assert.deepEqual(store('redis-cluster://h:1', { 'redis-wait-replicas': '2', 'redis-wait-timeout': '250' }), {
      kind: 'redis-cluster', nodes: [{ host: 'h', port: 1 }], wait: { replicas: 2, timeoutMs: 250 },
    });
    assert.deepEqual(loadConfig({}, { RESTMQ_STORE: 'redis-sentinel://s/m', RESTMQ_REDIS_WAIT_REPLICAS: '1' }).store, {
      kind: 'redis-sentinel', sentinels: [{ host: 's', port: 26379 }], masterName: 'm', db: 0, wait,
    });
  });
  it('refused on SQLite, and out of range', () => {
    refused('memory', { 'redis-wait-replicas': '1' }, /redis-wait-replicas/, /Redis/);
    refused('redis://h', { 'redis-wait-timeout': '0' }, /redis-wait-timeout/, /range/);
  });
});

it('an unknown scheme: the URL is shown with its password masked', () => {
  refused('rediscluster://user:secret@h:1', {}, /rediscluster:\/\/\*\*\*@h:1/);
});

it('describeStore shows the kind only', () => {
  assert.equal(describeStore(store('redis-cluster://:pw@secret-host:1')), 'redis-cluster');
  assert.equal(describeStore(store('redis-sentinel://secret-host:1/m')), 'redis-sentinel');
});
