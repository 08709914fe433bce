/**
 * rediss://: the Redis store over TLS to a private redis-server that only speaks TLS
 * (--port 0 --tls-port), with a certificate for 127.0.0.1 made by openssl at test time and
 * trusted through --redis-tls-ca. Without that CA (or over plain redis://) the open fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { isBrokerError } from '../../src/errors.js';
import { openStore } from '../../src/storage/open.js';
import { freePort, spawnTracked, stopChild, trackedTempDir } from '../harness/redis.js';
import { runStoreConformance } from './conformance.js';

describe('redis store over TLS (rediss://)', () => {
  let server: ChildProcess | undefined;
  let removeDir = async () => {};
  let port = 0;
  let caPath = '';
  before(async () => {
    const temp = await trackedTempDir('restmq-redis-tls-');
    removeDir = temp.remove;
    caPath = join(temp.dir, 'cert.pem');
    const keyPath = join(temp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', caPath], { stdio: 'ignore' });
    port = await freePort();
    const s = spawnTracked(['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', temp.dir, '--save', '',
      '--tls-cert-file', caPath, '--tls-key-file', keyPath, '--tls-auth-clients', 'no']);
    server = s.child;
    // A plain PING cannot probe a TLS-only port: wait for the server to say it is ready.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (/Ready to accept connections/.test(s.output())) resolve();
        else if (s.child.exitCode !== null) reject(new Error(`redis-server (TLS) exited:\n${s.output()}`));
        else return false;
        return true;
      };
      if (check()) return;
      s.child.stdout?.on('data', check);
      s.child.once('exit', check);
    });
  });
  after(async () => {
    if (server) await stopChild(server);
    await removeDir();
  });

  const config = (store: string, flags: Record<string, string> = {}) => loadConfig({ store, ...flags }, {}).store;

  runStoreConformance({ name: 'redis over TLS', open: () => openStore(config(`rediss://127.0.0.1:${port}/0`, { 'redis-tls-ca': caPath })) });

  it('refuses to start when the server certificate is not trusted, or without TLS', async () => {
    for (const store of [`rediss://127.0.0.1:${port}/0`, `redis://127.0.0.1:${port}/0`]) {
      await assert.rejects(openStore(config(store)), (err: unknown) => {
        assert.ok(isBrokerError(err) && err.code === 'STORE_UNAVAILABLE', String(err));
        assert.match(err.message, new RegExp(`cannot connect to Redis at 127\\.0\\.0\\.1:${port}`));
        return true;
      });
    }
  });
});
