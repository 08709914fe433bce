/**
 * The client commands of the `restmq` binary (push, pop, ack, tail, stats, purge) run as
 * real processes against a real broker: output, --json, stdin batches, exit codes, credentials.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestMQ } from '../../client/index.js';
import { forEachBackend, qname } from './backends.js';
import { freePort } from '../harness/redis.js';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { cliArgs, runToExit, spawnChild } from '../harness/child.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `restmq <args>` from source with `input` on stdin. */
function restmq(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return runToExit(process.execPath, cliArgs(args), { input: opts.input ?? '', ...(opts.env ? { env: opts.env } : {}) });
}

forEachBackend(
  (ctx) => {
    const url = () => ctx().url;
    const cli = (args: string[], opts: Parameters<typeof restmq>[1] = {}) => restmq([...args, '--url', url()], opts);
    const mq = () => new RestMQ({ url: url() });

    it('push prints the key; --json prints an object; RESTMQ_URL picks the broker', async () => {
      const q = qname();
      const r = await cli(['push', q, '  hello  ']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${q}:1\n`);
      const j = await restmq(['push', q, 'two', '--json'], { env: { RESTMQ_URL: url() } });
      assert.equal(j.code, 0, j.stderr);
      assert.deepEqual(JSON.parse(j.stdout), { queue: q, key: `${q}:2` });
      assert.equal((await mq().pop(q))?.value, '  hello  ', 'the value is stored as given');
    });

    it('push - sends 10,000 stdin lines in batches, in order, with progress on stderr', async () => {
      const q = qname();
      const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i}`);
      const r = await cli(['push', q, '-', '--progress'], { input: lines.join('\n') + '\n\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `10000 messages pushed to ${q}\n`);
      assert.match(r.stderr, /pushed 10000 messages \(\d+ msg\/s\)\n$/);
      assert.equal((await mq().stats(q)).len, 10_000);
      const first = await mq().pop(q, { count: 2 });
      assert.deepEqual(first.map((m) => m.value), ['line 0', 'line 1']);
      const quiet = await cli(['push', q, '-', '--json'], { input: 'a\nb\n' });
      assert.equal(quiet.stderr, '', 'no progress when stderr is not a terminal');
      assert.deepEqual(JSON.parse(quiet.stdout), { queue: q, pushed: 2, first: `${q}:10001`, last: `${q}:10002` });
    });

    it('pop prints values; --lease prints receipt and value, acked with `restmq ack`; an empty queue exits 2', async () => {
      const q = qname();
      await mq().pushMany(q, ['a', 'b', 'c', 'd']);
      const r = await cli(['pop', q, '--count', '2']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'a\nb\n');
      const leased = await cli(['pop', q, '--lease', '30']);
      assert.equal(leased.code, 0, leased.stderr);
      const [receipt, value] = leased.stdout.trimEnd().split('\t');
      assert.equal(value, 'c');
      assert.match(receipt ?? '', /^\d+\.\S+$/);
      assert.equal((await mq().stats(q)).inflight, 1);
      const acked = await cli(['ack', q, receipt!]);
      assert.equal(acked.code, 0, acked.stderr);
      assert.equal((await mq().stats(q)).inflight, 0);
      const j = await cli(['pop', q, '--json']);
      assert.deepEqual(JSON.parse(j.stdout), { count: 0, key: `${q}:4`, value: 'd' });
      const empty = await cli(['pop', q]);
      assert.equal(empty.code, 2, empty.stderr);
      assert.equal(empty.stdout, '');
      assert.equal(empty.stderr, '', 'nothing on a stderr that is not a terminal');
      // At a terminal (script(1) runs it on a pseudo-terminal), the empty queue is said in one line.
      const command = [process.execPath, ...cliArgs(['pop', q, '--url', url()])].map((a) => `'${a}'`).join(' ');
      const atTerminal = await runToExit('script', ['-qec', command, '/dev/null']);
      assert.equal(atTerminal.code, 2, atTerminal.stdout);
      assert.match(atTerminal.stdout, new RegExp(`restmq: ${q} is empty`));
    });

    it('tail prints one JSON envelope per line as messages arrive; --lease acks each', async () => {
      const q = qname();
      const tail = cli(['tail', q, '--count', '3']);
      // Messages wait in the queue until a consumer attaches, so pushing now cannot be missed.
      await mq().pushMany(q, ['x', 'y', 'z']);
      const r = await tail;
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), [
        { key: `${q}:1`, value: 'x' },
        { key: `${q}:2`, value: 'y' },
        { key: `${q}:3`, value: 'z' },
      ]);

      const lq = qname();
      await mq().policy(lq, 'roundrobin'); // leased consumers share a roundrobin queue
      await mq().pushMany(lq, ['p', 'q']);
      const leased = await cli(['tail', lq, '--count', '2', '--lease', '30', '--transport', 'ws']);
      assert.equal(leased.code, 0, leased.stderr);
      const got = leased.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { value: string; receipt: string; attempts: number });
      assert.deepEqual(got.map((m) => [m.value, m.attempts]), [['p', 1], ['q', 1]]);
      const s = await mq().stats(lq);
      assert.equal(s.inflight + s.len, 0, 'both acked');
    });

    it('tail --lease --count n leases n messages, no more (the next one keeps its attempt count)', async () => {
      const q = qname();
      await mq().policy(q, 'roundrobin');
      await mq().pushMany(q, ['a', 'b', 'c']);
      for (const transport of ['sse', 'ws']) {
        const r = await cli(['tail', q, '--count', '1', '--lease', '30', '--transport', transport]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { attempts: number }).attempts, 1);
      }
      const s = await mq().stats(q);
      assert.deepEqual([s.ready, s.inflight], [1, 0]);
      const third = await mq().lease(q, 5);
      assert.deepEqual([third?.value, third?.attempts], ['c', 1]);
    });

    it('tail ends quietly with code 0 when its reader goes away (`restmq tail q | head -1`)', async () => {
      const q = qname();
      await mq().pushMany(q, Array.from({ length: 3000 }, (_, i) => `v${i}`));
      const tail = spawnChild(process.execPath, cliArgs(['tail', q, '--url', url()]));
      tail.process.stdout!.once('data', () => tail.process.stdout!.destroy());
      const { code } = await tail.exited;
      assert.equal(code, 0, tail.stderr());
      assert.equal(tail.stderr(), '');
    });

    it('stats prints a table (one queue or all); --json prints the figures', async () => {
      const q = qname();
      await mq().pushMany(q, ['1', '2', '3']);
      const one = await cli(['stats', q]);
      assert.equal(one.code, 0, one.stderr);
      const [header, row, extra] = one.stdout.trimEnd().split('\n');
      assert.equal(extra, undefined);
      assert.match(header ?? '', /^QUEUE\s+LEN\s+READY\s+INFLIGHT\s+DELAYED\s+DEAD\s+CONSUMERS\s+POLLS\s+STATUS\s+POLICY$/);
      assert.deepEqual(row?.split(/\s+/), [q, '3', '3', '0', '0', '0', '0', '0', 'started', 'broadcast']);
      const all = await cli(['stats']);
      assert.ok(all.stdout.split('\n').some((l) => l.startsWith(q + ' ')), `all queues listed:\n${all.stdout}`);
      const j = await cli(['stats', q, '--json']);
      assert.equal((JSON.parse(j.stdout) as { len: number }).len, 3);
    });

    it('purge empties the queue', async () => {
      const q = qname();
      await mq().pushMany(q, ['1', '2']);
      const r = await cli(['purge', q]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `purged ${q}\n`);
      assert.equal((await mq().stats(q)).len, 0);
      const j = await cli(['purge', q, '--json']);
      assert.deepEqual(JSON.parse(j.stdout), { queue: q, purged: false });
    });

    it('errors are one line on stderr and exit code 1', async () => {
      const bad = await cli(['push', 'bad name!', 'x']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /^restmq: invalid queue name.*\(INVALID_QUEUE_NAME\)\n$/);
      const down = await restmq(['stats', '--url', `http://127.0.0.1:${await freePort()}`]);
      assert.equal(down.code, 1);
      assert.match(down.stderr, /^restmq: cannot reach .*\(CONNECTION_FAILED\)\n$/);
    });
  },
  { backends: ['sqlite'] },
);

describe('credentials: --user name:password, --user with --password, RESTMQ_AUTH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-cli-acl-'));
  const acl = join(dir, 'acl.conf');
  writeFileSync(acl, '[rest:producer]\nusername = producer\npassword = s3cret\n[rest:consumer]\nusername = producer\npassword = s3cret\n');
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('memory', { flags: { acl } });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends Basic auth; without it the broker refuses with AUTH_REQUIRED', async () => {
    assert.ok(broker, 'broker started');
    const q = qname();
    const none = await restmq(['push', q, 'x', '--url', broker.url]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\(AUTH_REQUIRED\)\n$/);
    const colon = await restmq(['push', q, 'x', '--url', broker.url, '--user', 'producer:s3cret']);
    assert.equal(colon.code, 0, colon.stderr);
    const split = await restmq(['push', q, 'y', '--url', broker.url, '--user', 'producer', '--password', 's3cret']);
    assert.equal(split.code, 0, split.stderr);
    const env = await restmq(['pop', q, '--count', '2', '--url', broker.url], { env: { RESTMQ_AUTH: 'producer:s3cret' } });
    assert.equal(env.code, 0, env.stderr);
    assert.equal(env.stdout, 'x\ny\n');
  });
});
