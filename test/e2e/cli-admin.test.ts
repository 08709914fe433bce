/**
 * The admin commands of the `restmq` binary run as real processes against a real broker:
 * `queue list|delete|purge|stop|start|policy|settings`, `peek`, `redrive`, `nack --delay`,
 * `extend`, with connection options before or after the subcommand.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { RestMQ } from '../../client/index.js';
import { forEachBackend, qname } from './backends.js';
import { cliArgs, runToExit } from '../harness/child.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function restmq(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return runToExit(process.execPath, cliArgs(args), env ? { env } : {});
}

/** Asserts a clean run and gives its stdout. */
function ok(r: Run): string {
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

forEachBackend(
  (ctx) => {
    const url = () => ctx().url;
    /** Connection options before the subcommand, as `restmq --url X queue list`. */
    const cli = (args: string[]) => restmq(['--url', url(), ...args]);
    const mq = () => new RestMQ({ url: url() });

    it('queue list prints every name, sorted; --json an array; --url works before or after the subcommand', async () => {
      const [a, b] = [qname(), qname()].sort();
      await mq().push(b!, 'x');
      await mq().push(a!, 'y');
      const names = ok(await cli(['queue', 'list'])).trimEnd().split('\n');
      const i = names.indexOf(a!);
      assert.ok(i >= 0 && names[i + 1] === b, `both listed, in order:\n${names.join('\n')}`);
      assert.deepEqual(names, [...names].sort());
      const after = ok(await restmq(['queue', 'list', '--url', url(), '--json']));
      assert.ok((JSON.parse(after) as string[]).includes(a!));
      const before = ok(await restmq(['--json', '--url', url(), 'queue', 'list']));
      assert.deepEqual(JSON.parse(before), JSON.parse(after));
    });

    it('queue delete removes the queue and its messages; an unknown queue is an error', async () => {
      const q = qname();
      await mq().pushMany(q, ['1', '2']);
      await mq().lease(q, 30);
      assert.equal(ok(await cli(['queue', 'delete', q])), `deleted ${q}\n`);
      assert.ok(!(await mq().queues()).includes(q), 'no longer listed');
      assert.equal((await mq().stats(q)).len, 0);
      const again = await cli(['queue', 'delete', q]);
      assert.equal(again.code, 1);
      assert.equal(again.stdout, '');
      assert.match(again.stderr, /^restmq: .+ \([A-Z_]+\)\n$/);
      assert.doesNotMatch(again.stderr, /HTTP_ERROR|no such route/, 'the broker says the queue is unknown');
    });

    it('queue purge (and the purge shorthand) empty the queue and keep its settings', async () => {
      const q = qname();
      await mq().pushMany(q, ['1', '2']);
      await mq().policy(q, { maxAttempts: 3 });
      assert.equal(ok(await cli(['queue', 'purge', q])), `purged ${q}\n`);
      assert.equal((await mq().stats(q)).len, 0);
      assert.equal((await mq().policy(q)).maxAttempts, 3);
      assert.deepEqual(JSON.parse(ok(await cli(['--json', 'purge', q]))), { queue: q, purged: false });
    });

    it('queue stop and start: a stopped queue hands out nothing', async () => {
      const q = qname();
      await mq().push(q, 'm');
      assert.equal(ok(await cli(['queue', 'stop', q])), `${q} stopped\n`);
      assert.equal(await mq().pop(q), null);
      assert.deepEqual(JSON.parse(ok(await cli(['queue', 'start', q, '--json']))), { queue: q, status: 'started' });
      assert.equal((await mq().pop(q))?.value, 'm');
    });

    it('queue policy shows and sets; an unknown policy is refused before any request', async () => {
      const q = qname();
      assert.equal(ok(await cli(['queue', 'policy', q])), 'broadcast\n');
      assert.equal(ok(await cli(['queue', 'policy', q, 'roundrobin'])), 'roundrobin\n');
      assert.equal((await mq().policy(q)).policy, 'roundrobin');
      const bad = await cli(['queue', 'policy', q, 'fanout']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /fanout.*broadcast, roundrobin/);
    });

    it('queue settings shows and changes lease, max attempts and dead-letter queue', async () => {
      const q = qname();
      const shown = ok(await cli(['queue', 'settings', q]));
      assert.match(shown, /^lease +-$/m);
      const set = ok(await cli(['queue', 'settings', q, '--lease', '45', '--max-attempts', '4', '--dead-letter', `${q}.graveyard`]));
      assert.match(set, /^lease +45 s$/m);
      assert.match(set, /^max-attempts +4$/m);
      assert.match(set, new RegExp(`^dead-letter +${q}\\.graveyard$`, 'm'));
      assert.deepEqual(await mq().policy(q), { queue: q, policy: 'broadcast', lease: 45, maxAttempts: 4, deadLetter: `${q}.graveyard` });
      const j = JSON.parse(ok(await cli(['--json', 'queue', 'settings', q, '--max-attempts', '2']))) as { maxAttempts: number; lease: number };
      assert.deepEqual([j.maxAttempts, j.lease], [2, 45]);
      const bad = await cli(['queue', 'settings', q, '--max-attempts', '0']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /max-attempts/);
    });

    it('peek prints the oldest values and leaves them in the queue', async () => {
      const q = qname();
      await mq().pushMany(q, ['a', 'b', 'c']);
      assert.equal(ok(await cli(['peek', q, '--count', '2'])), 'a\nb\n');
      const all = ok(await cli(['peek', q, '--json'])).trimEnd().split('\n').map((l) => JSON.parse(l) as { key: string; value: string });
      assert.deepEqual(all.map((m) => [m.key, m.value]), [[`${q}:1`, 'a'], [`${q}:2`, 'b'], [`${q}:3`, 'c']]);
      const s = await mq().stats(q);
      assert.deepEqual([s.ready, s.inflight], [3, 0]);
      assert.equal((await cli(['peek', q, '--count', '0'])).code, 1);
    });

    it('nack --delay returns a leased message after the delay; extend prolongs a lease', async () => {
      const q = qname();
      await mq().push(q, 'job');
      const first = await mq().lease(q, 30);
      assert.equal(ok(await cli(['nack', q, first!.receipt, '--delay', '30'])), '');
      const s = await mq().stats(q);
      assert.deepEqual([s.delayed, s.inflight], [1, 0], 'back in the queue, not yet visible');
      const nq = qname();
      await mq().push(nq, 'now');
      const leased = await mq().lease(nq, 30);
      assert.deepEqual(JSON.parse(ok(await cli(['nack', nq, leased!.receipt, '--json']))), { queue: nq, receipt: leased!.receipt, status: 'returned' });
      // A lease long enough to outlast the command's start-up, prolonged, then outlived.
      const leasedAt = Date.now();
      const again = await mq().lease(nq, 6);
      assert.equal(again?.attempts, 2);
      assert.deepEqual(JSON.parse(ok(await cli(['extend', nq, again!.receipt, '--lease', '60', '--json']))), { queue: nq, receipt: again!.receipt, status: 'extended' });
      await new Promise((r) => setTimeout(r, Math.max(0, leasedAt + 7000 - Date.now())));
      assert.equal((await mq().stats(nq)).inflight, 1, 'still leased after the first lease ran out');
      const stale = await cli(['extend', nq, first!.receipt, '--lease', '5']);
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, /\(STALE_RECEIPT\)\n$/);
      assert.equal((await cli(['extend', nq, again!.receipt])).code, 1, '--lease is required');
    });

    it('redrive moves dead letters back', async () => {
      const q = qname();
      await mq().policy(q, { maxAttempts: 1 });
      await mq().push(q, 'fragile');
      const m = await mq().lease(q, 30);
      await mq().nack(q, m!.receipt);
      assert.equal((await mq().stats(`${q}.dead`)).len, 1);
      assert.equal(ok(await cli(['redrive', `${q}.dead`])), `1 message redriven from ${q}.dead\n`);
      assert.equal((await mq().pop(q))?.value, 'fragile');
      assert.deepEqual(JSON.parse(ok(await cli(['redrive', `${q}.dead`, '--json']))), { queue: `${q}.dead`, redriven: 0 });
    });
  },
  { backends: ['sqlite', 'redis'] },
);
