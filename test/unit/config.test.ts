/**
 * config/load.ts: defaults < config file < environment (RESTMQ_*) < flags; the --store forms;
 * --redis-* selecting Redis; and bad values stopping the start with one clear ConfigError line.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeStore, loadConfig } from '../../src/config/load.js';
import { SETTINGS, envName } from '../../src/config/settings.js';

let dir = '';
let n = 0;
/** Writes a config file (an object is JSON-encoded, a string is written as is). */
const configFile = (content: unknown): string => {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

/** Asserts a ConfigError whose one-line message matches every pattern. */
const configError = (...patterns: RegExp[]) => (err: unknown) => {
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
  assert.doesNotMatch(err.message, /\n/, 'one line');
  for (const p of patterns) assert.match(err.message, p);
  return true;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'restmq-config-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('defaults', () => {
  it('the original flags and defaults, SQLite in ./restmq.db', () => {
    const c = loadConfig({}, {});
    assert.deepEqual({ ...c }, {
      port: 8888,
      listen: '127.0.0.1',
      workers: 1,
      store: { kind: 'sqlite', path: './restmq.db' },
      sqliteSync: 'normal',
      maxMessageBytes: 1048576,
      heartbeatSeconds: 15,
      cometHeartbeatSeconds: 0,
      stallTimeoutSeconds: 30,
      logLevel: 'info',
      redisPool: 10,
      maxStreamsPerIp: 256,
      metricsMaxQueues: 1000,
      maxLongPollsPerIp: 256,
      maxUrlBytes: 8192,
      maxHeaderBytes: 16384,
      headersTimeoutSeconds: 10,
      readOnlyDashboard: false,
      accessLog: false,
    });
  });
  it('the result is frozen', () => {
    assert.ok(Object.isFrozen(loadConfig({}, {})));
  });
  it('every setting has an RESTMQ_ environment name', () => {
    assert.equal(envName('port'), 'RESTMQ_PORT');
    assert.equal(envName('max-message-bytes'), 'RESTMQ_MAX_MESSAGE_BYTES');
    assert.ok(SETTINGS.length > 0);
  });
});

describe('precedence: flags > env > file > defaults', () => {
  it('file over defaults', () => {
    const c = loadConfig({ config: configFile({ port: 9001, listen: '0.0.0.0' }) }, {});
    assert.equal(c.port, 9001);
    assert.equal(c.listen, '0.0.0.0');
  });
  it('env over file', () => {
    const c = loadConfig({ config: configFile({ port: 9001, listen: '0.0.0.0' }) }, { RESTMQ_PORT: '9002' });
    assert.equal(c.port, 9002);
    assert.equal(c.listen, '0.0.0.0');
  });
  it('flags over env', () => {
    const c = loadConfig({ config: configFile({ port: 9001 }), port: '9003' }, { RESTMQ_PORT: '9002' });
    assert.equal(c.port, 9003);
  });
  it('every setting can come from the environment', () => {
    const c = loadConfig({}, {
      RESTMQ_PORT: '1234', RESTMQ_LISTEN: '::1', RESTMQ_WORKERS: 'auto', RESTMQ_STORE: 'memory', RESTMQ_MAX_MESSAGE_BYTES: '2048',
      RESTMQ_HEARTBEAT: '30', RESTMQ_COMET_HEARTBEAT: '20', RESTMQ_STALL_TIMEOUT: '7', RESTMQ_LOG_LEVEL: 'warn', RESTMQ_REDIS_POOL: '3', RESTMQ_TRUST_PROXY: '10.0.0.0/8', RESTMQ_ACL: 'acl.conf',
      RESTMQ_TLS_CERT: 'c.pem', RESTMQ_TLS_KEY: 'k.pem', RESTMQ_MAX_STREAMS_PER_IP: '0', RESTMQ_MAX_LONG_POLLS_PER_IP: '9',
      RESTMQ_MAX_URL_BYTES: '4096', RESTMQ_MAX_HEADER_BYTES: '8192', RESTMQ_HEADERS_TIMEOUT: '5', RESTMQ_READ_ONLY_DASHBOARD: 'true', RESTMQ_ACCESS_LOG: 'true',
      RESTMQ_SQLITE_SYNC: 'full', RESTMQ_METRICS_MAX_QUEUES: '50',
    });
    assert.deepEqual({ ...c }, {
      port: 1234, listen: '::1', workers: 1, store: { kind: 'memory' }, sqliteSync: 'full', maxMessageBytes: 2048, heartbeatSeconds: 30, cometHeartbeatSeconds: 20, stallTimeoutSeconds: 7,
      logLevel: 'warn', redisPool: 3, trustProxy: '10.0.0.0/8', acl: 'acl.conf',
      tlsCert: 'c.pem', tlsKey: 'k.pem', maxStreamsPerIp: 0, maxLongPollsPerIp: 9, maxUrlBytes: 4096, maxHeaderBytes: 8192,
      headersTimeoutSeconds: 5, readOnlyDashboard: true, accessLog: true, metricsMaxQueues: 50,
    });
  });
  it('tls-cert without tls-key is refused', () => {
    assert.throws(() => loadConfig({ 'tls-cert': 'c.pem' }, {}), /tls-cert and tls-key go together/);
  });
  it('RESTMQ_CONFIG names the config file', () => {
    const c = loadConfig({}, { RESTMQ_CONFIG: configFile({ 'max-message-bytes': 77 }) });
    assert.equal(c.maxMessageBytes, 77);
  });
  it('--config wins over RESTMQ_CONFIG', () => {
    const c = loadConfig({ config: configFile({ heartbeat: 5 }) }, { RESTMQ_CONFIG: configFile({ heartbeat: 6 }) });
    assert.equal(c.heartbeatSeconds, 5);
  });
  it('config file values may be strings or numbers', () => {
    assert.equal(loadConfig({ config: configFile({ port: '9010' }) }, {}).port, 9010);
    assert.equal(loadConfig({ config: configFile({ port: 9011 }) }, {}).port, 9011);
  });
});

describe('--store', () => {
  const store = (value: string, more: Record<string, string> = {}) => loadConfig({ store: value, ...more }, {}).store;
  it('sqlite:<path>', () => {
    assert.deepEqual(store('sqlite:/tmp/x.db'), { kind: 'sqlite', path: '/tmp/x.db' });
    assert.deepEqual(store('sqlite:rel/y.db'), { kind: 'sqlite', path: 'rel/y.db' });
  });
  it('memory', () => {
    assert.deepEqual(store('memory'), { kind: 'memory' });
  });
  it('redis://host:port/db', () => {
    assert.deepEqual(store('redis://example.com:6380/3'), { kind: 'redis', host: 'example.com', port: 6380, db: 3 });
  });
  it('redis:// defaults: port 6379, db 0', () => {
    assert.deepEqual(store('redis://cache'), { kind: 'redis', host: 'cache', port: 6379, db: 0 });
    assert.deepEqual(store('redis://cache/'), { kind: 'redis', host: 'cache', port: 6379, db: 0 });
  });
  it('redis:// with a password in the URL', () => {
    assert.deepEqual(store('redis://:s%40cret@h:1/2'), { kind: 'redis', host: 'h', port: 1, db: 2, password: 's@cret' });
  });
  it('redis:// takes --redis-password when the URL has none', () => {
    assert.deepEqual(store('redis://h:1/0', { 'redis-password': 'pw' }), { kind: 'redis', host: 'h', port: 1, db: 0, password: 'pw' });
  });
  it('an explicit --store wins over --redis-* flags', () => {
    assert.deepEqual(store('memory', { 'redis-host': 'elsewhere' }), { kind: 'memory' });
  });
  it('--sqlite-sync is normal or full, nothing else', () => {
    assert.equal(loadConfig({ 'sqlite-sync': 'full' }, {}).sqliteSync, 'full');
    assert.equal(loadConfig({ 'sqlite-sync': 'normal' }, {}).sqliteSync, 'normal');
    for (const v of ['FULL', 'off', 'extra']) assert.throws(() => loadConfig({ 'sqlite-sync': v }, {}), configError(/sqlite-sync/, /normal or full/));
  });
  it('refuses sqlite: without a path', () => {
    assert.throws(() => store('sqlite:'), configError(/sqlite:<path>/));
  });
  it('refuses a redis:// database outside 0..15', () => {
    assert.throws(() => store('redis://h:1/16'), configError(/database/, /0\.\.15/));
    assert.throws(() => store('redis://h:1/abc'), configError(/database/));
  });
  it('refuses anything else, naming the accepted forms', () => {
    for (const v of ['postgres://h/db', 'sqlite', 'mem', 'redis:h']) {
      assert.throws(() => store(v), configError(/sqlite:<path>, memory, redis:\/\/host:port\/db/, /redis-sentinel:\/\//, /redis-cluster:\/\//));
    }
  });
  it('describeStore never shows an address or a password', () => {
    assert.equal(describeStore({ kind: 'redis', host: 'secret-host', port: 1, db: 0, password: 'pw' }), 'redis');
    assert.equal(describeStore({ kind: 'memory' }), 'memory');
    assert.equal(describeStore({ kind: 'sqlite', path: '/x.db' }), 'sqlite:/x.db');
  });
});

describe('--redis-* flags select Redis', () => {
  it('--redis-host alone: Redis with the default port and db', () => {
    assert.deepEqual(loadConfig({ 'redis-host': 'r1' }, {}).store, { kind: 'redis', host: 'r1', port: 6379, db: 0 });
  });
  it('--redis-port / --redis-db', () => {
    assert.deepEqual(loadConfig({ 'redis-port': '6380' }, {}).store, { kind: 'redis', host: '127.0.0.1', port: 6380, db: 0 });
    assert.deepEqual(loadConfig({ 'redis-db': '4' }, {}).store, { kind: 'redis', host: '127.0.0.1', port: 6379, db: 4 });
  });
  it('--redis-password is passed along', () => {
    assert.deepEqual(loadConfig({ 'redis-host': 'h', 'redis-password': 'pw' }, {}).store, { kind: 'redis', host: 'h', port: 6379, db: 0, password: 'pw' });
  });
  it('from the environment and from the config file too', () => {
    assert.equal(loadConfig({}, { RESTMQ_REDIS_HOST: 'envhost' }).store.kind, 'redis');
    assert.equal(loadConfig({ config: configFile({ 'redis-port': 6390 }) }, {}).store.kind, 'redis');
  });
  it('--redis-pool alone does not (it is accepted for compatibility only)', () => {
    assert.deepEqual(loadConfig({ 'redis-pool': '20' }, {}).store, { kind: 'sqlite', path: './restmq.db' });
  });
});

describe('bad values: one clear ConfigError line', () => {
  it('a flag that is not a number names the flag and the value', () => {
    assert.throws(() => loadConfig({ port: 'abc' }, {}), configError(/--port\b/, /abc/));
  });
  it('a number flag that is not a whole number', () => {
    for (const v of ['abc', '1.5', '', '12abc', '0x10']) assert.throws(() => loadConfig({ port: v }, {}), configError(/port/, /whole number/));
  });
  it('out of range', () => {
    assert.throws(() => loadConfig({ port: '65536' }, {}), configError(/port/, /65536/, /range/));
    assert.throws(() => loadConfig({ port: '-1' }, {}), configError(/port/, /range/));
    assert.throws(() => loadConfig({ heartbeat: '3601' }, {}), configError(/heartbeat/, /range/));
    assert.equal(loadConfig({ heartbeat: '0', 'comet-heartbeat': '0' }, {}).heartbeatSeconds, 0, '0: no heartbeat');
    assert.throws(() => loadConfig({ 'comet-heartbeat': '-1' }, {}), configError(/comet-heartbeat/, /range/));
    assert.throws(() => loadConfig({ 'max-message-bytes': '0' }, {}), configError(/max-message-bytes/, /range/));
    assert.throws(() => loadConfig({ 'redis-db': '16' }, {}), configError(/redis-db/, /range/));
  });
  it('an environment value names the variable', () => {
    assert.throws(() => loadConfig({}, { RESTMQ_PORT: 'abc' }), configError(/RESTMQ_PORT/, /abc/));
  });
  it('an empty string setting', () => {
    assert.throws(() => loadConfig({}, { RESTMQ_LISTEN: '' }), configError(/RESTMQ_LISTEN/, /non-empty/));
  });
  it('a config file value names the key', () => {
    assert.throws(() => loadConfig({ config: configFile({ port: 'abc' }) }, {}), configError(/config file/, /port/, /abc/));
    assert.throws(() => loadConfig({ config: configFile({ listen: 5 }) }, {}), configError(/config file/, /listen/));
  });
  it('an unknown log level lists the valid ones', () => {
    assert.throws(() => loadConfig({ 'log-level': 'loud' }, {}), configError(/log-level/, /info/));
  });
  it('an unknown config file key is named', () => {
    const path = configFile({ port: 1, prot: 2 });
    assert.throws(() => loadConfig({ config: path }, {}), configError(/unknown setting/, /"prot"/));
  });
  it('a config file that does not exist', () => {
    assert.throws(() => loadConfig({ config: join(dir, 'missing.json') }, {}), configError(/cannot read config file/, /ENOENT/));
  });
  it('a config file that is not JSON, or not an object', () => {
    assert.throws(() => loadConfig({ config: configFile('{ port: 1') }, {}), configError(/not valid JSON/));
    assert.throws(() => loadConfig({ config: configFile('[1, 2]') }, {}), configError(/JSON object/));
    assert.throws(() => loadConfig({ config: configFile('null') }, {}), configError(/JSON object/));
  });
});
