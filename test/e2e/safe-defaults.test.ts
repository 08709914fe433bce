/**
 * Safe defaults: without --listen the broker is reachable from this machine only, and says
 * nothing alarming; on a non-loopback address without --acl it logs one warning line at start.
 * No test binds a public address: the warning is checked on 192.0.2.1 (TEST-NET-1, on no
 * machine), which the broker warns about and then fails to bind.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, spawnBroker } from '../harness/broker.js';
import { waitUntil } from '../harness/wait.js';
import { exposureWarning, isLoopback } from '../../src/http/limits.js';
import { loadConfig } from '../../src/config/load.js';

/** An IPv4 address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(3000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('safe defaults', () => {
  it('without --listen: bound to 127.0.0.1, not reachable on the machine\'s other addresses, no warning', async (t) => {
    const broker = await spawnBroker(['--store', 'memory']);
    try {
      assert.ok(await canConnect('127.0.0.1', broker.port), 'reachable on loopback');
      const outside = outsideAddress();
      if (outside) assert.equal(await canConnect(outside, broker.port), false, `not reachable on ${outside}`);
      else t.diagnostic('no non-loopback interface on this machine: the outside check is skipped');
      // /health may answer before the log line has come through the pipe.
      await waitUntil('the listening line', async () => broker.output.some((l) => l.includes('"msg":"listening"')));
      const listening = broker.output.find((l) => l.includes('"msg":"listening"'));
      assert.ok(listening?.includes('http://127.0.0.1:'), `the listening line names 127.0.0.1: ${listening}`);
      assert.ok(!broker.output.some((l) => l.includes('non-loopback')), `no exposure warning:\n${broker.output.join('\n')}`);
    } finally {
      await broker.stop();
    }
  });

  it('a non-loopback --listen without --acl: one warning line at start; none with --acl', async () => {
    const unusable = ['serve', '--port', '0', '--store', 'memory', '--listen', '192.0.2.1'];
    const bare = await runCli(unusable);
    assert.equal(bare.code, 1, 'the TEST-NET address cannot be bound here');
    const warnings = bare.stdout.split('\n').filter((l) => l.includes('non-loopback'));
    assert.equal(warnings.length, 1, `one warning line:\n${bare.stdout}`);
    const line = JSON.parse(warnings[0]!) as { level: number; listen: string; msg: string };
    assert.equal(line.level, 40, 'at warn level');
    assert.equal(line.listen, '192.0.2.1');
    assert.match(line.msg, /without --acl/);
    const dir = mkdtempSync(join(tmpdir(), 'restmq-acl-'));
    try {
      writeFileSync(join(dir, 'acl.conf'), '[admin]\nhosts_allow = 127.0.0.1\n');
      const guarded = await runCli([...unusable, '--acl', join(dir, 'acl.conf')]);
      assert.equal(guarded.code, 1, guarded.stderr);
      assert.ok(!guarded.stdout.includes('non-loopback'), `no warning with an ACL:\n${guarded.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loopback addresses are recognised', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', '128.0.0.1', 'example.com']) assert.equal(isLoopback(a), false, a);
  });

  it('the start-up warning: a non-loopback address without --acl, and only then', () => {
    const warning = exposureWarning(loadConfig({ listen: '0.0.0.0', store: 'memory' }, {}));
    assert.ok(warning?.includes('0.0.0.0') && warning.includes('--acl'), `warns and names the remedy: ${warning}`);
    assert.equal(exposureWarning(loadConfig({ listen: '0.0.0.0', store: 'memory', acl: '/etc/restmq/acl.ini' }, {})), undefined, 'no warning with an ACL');
    assert.equal(exposureWarning(loadConfig({ store: 'memory' }, {})), undefined, 'no warning on the default address');
  });
});
