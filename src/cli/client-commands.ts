/**
 * Message commands over HTTP with the SDK: push, pop, ack, tail, stats (the options they
 * share are in client-common.ts). Exit codes: 0 done, 1 an error (one line on stderr), 2 `pop`
 * found the queue empty.
 */
import { Command, Option } from 'commander';
import type { Envelope, LeasedEnvelope, QueueStats, Transport } from '../../client/index.js';
import { client, count, out, run, seconds, withCommon, type Common } from './client-common.js';
import { pushLines } from './client-push.js';
import { MAX_TAKE_COUNT } from '../core/names.js';

/** Seconds one long poll of `tail --lease --count` waits for messages. */
const LONG_POLL_SECONDS = 20;

export const EXIT_EMPTY = 2;

/** Plain output of a taken message: the value; a leased one as `<receipt>\t<value>`, so it can be acked. */
function plain(m: Envelope | LeasedEnvelope): string {
  return 'receipt' in m ? `${m.receipt}\t${m.value}` : m.value;
}

const COLUMNS = ['queue', 'len', 'ready', 'inflight', 'delayed', 'dead', 'consumers', 'polls', 'status', 'policy'] as const;

/** A plain-text table: a header, then one row per queue, columns padded to their widest cell. */
export function statsTable(rows: QueueStats[]): string {
  const cells = rows.map((s) => [s.queue, s.len, s.ready, s.inflight, s.delayed, s.dead, s.consumers, s.polls, s.status === 1 ? 'started' : 'stopped', s.policy === 2 ? 'roundrobin' : 'broadcast'].map(String));
  const header = COLUMNS.map((c) => c.toUpperCase());
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  // Names left-aligned, numbers right-aligned, words left-aligned.
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i >= 8 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

export function registerClientCommands(program: Command): void {
  withCommon(program.command('push').description('enqueue a message; `-` reads one message per line from stdin, sent in batches of 1,000'))
    .argument('<queue>')
    .argument('<value>', 'the message, or - for stdin')
    .option('--ttl <s>', 'seconds until the message expires', seconds)
    .option('--delay <s>', 'seconds before it becomes visible', seconds)
    .option('--dedup <id>', 'idempotency id (not with -)')
    .option('--progress', 'progress on stderr (default: only when stderr is a terminal)')
    .action(
      run(async (queue: string, value: string, o: Common & { ttl?: number; delay?: number; dedup?: string; progress?: boolean }) => {
        const mq = client(o);
        if (value === '-') {
          const r = await pushLines(mq, queue, process.stdin, { ...o, progress: o.progress === true || process.stderr.isTTY === true });
          out(o.json ? JSON.stringify({ queue, ...r }) : `${r.pushed} messages pushed to ${queue}`);
          return;
        }
        const key = await mq.push(queue, value, { ttl: o.ttl, delay: o.delay, dedup: o.dedup });
        out(o.json ? JSON.stringify({ queue, key }) : key);
      }),
    );

  withCommon(program.command('pop').description(`take messages (exit code ${EXIT_EMPTY} when the queue is empty)`))
    .argument('<queue>')
    .option('--lease <s>', 'lease instead of removing; prints `<receipt>\\t<value>` (ack with `restmq ack`)', seconds)
    .option('--count <n>', 'up to n messages (1-100), one per line', count)
    .option('--wait <s>', 'long poll: wait up to s seconds (max 60) for a message', seconds)
    .action(
      run(async (queue: string, o: Common & { lease?: number; count?: number; wait?: number }) => {
        const mq = client(o);
        const opts = { ...(o.wait !== undefined ? { wait: o.wait } : {}), count: o.count ?? 1 };
        const got: (Envelope | LeasedEnvelope)[] = o.lease === undefined ? await mq.pop(queue, opts) : await mq.lease(queue, o.lease, opts);
        for (const m of got) out(o.json ? JSON.stringify(m) : plain(m));
        if (got.length > 0) return 0;
        // A person at a terminal is told; a script reads the exit code and gets clean output.
        if (process.stderr.isTTY) process.stderr.write(`restmq: ${queue} is empty${o.wait ? ` (waited ${o.wait} s)` : ''}\n`);
        return EXIT_EMPTY;
      }),
    );

  withCommon(program.command('ack').description('acknowledge a leased message (done: removed for good)'))
    .argument('<queue>')
    .argument('<receipt>')
    .action(
      run(async (queue: string, receipt: string, o: Common) => {
        await client(o).ack(queue, receipt);
        if (o.json) out(JSON.stringify({ queue, receipt, status: 'acked' }));
      }),
    );

  withCommon(program.command('tail').description('stream a queue to stdout, one JSON envelope per line; reconnects if the broker goes away'))
    .argument('<queue>')
    .addOption(new Option('--transport <t>', 'sse or ws').choices(['sse', 'ws']).default('sse'))
    .option('--lease <s>', 'lease each message and ack it once it is written (at least once)', seconds)
    .option('--count <n>', 'exit after n messages', count)
    .action(
      run(async (queue: string, o: Common & { transport: Transport; lease?: number; count?: number }) => {
        const mq = client(o);
        let n = 0;
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        const onDisconnect = (err: unknown, ms: number) => process.stderr.write(`restmq: ${(err as Error).message}; reconnecting in ${ms} ms\n`);
        const common = { transport: o.transport, signal: stop.signal, onDisconnect };
        if (o.lease === undefined) {
          for await (const m of mq.subscribe(queue, common)) {
            out(JSON.stringify({ key: m.key, value: m.value }));
            if (++n === o.count) break;
          }
        } else if (o.count !== undefined) {
          // A leased stream sends one more message per ack, so it would lease (and cost an
          // attempt to) messages beyond the count: long polls take exactly what is still wanted.
          while (n < o.count && !stop.signal.aborted) {
            const got = await mq.lease(queue, o.lease, { count: Math.min(o.count - n, MAX_TAKE_COUNT), wait: LONG_POLL_SECONDS });
            for (const m of got) {
              out(JSON.stringify({ key: m.key, value: m.value, receipt: m.receipt, attempts: m.attempts }));
              await mq.ack(queue, m.receipt);
              n++;
            }
          }
        } else {
          for await (const m of mq.subscribe(queue, { ...common, lease: o.lease })) {
            out(JSON.stringify({ key: m.key, value: m.value, receipt: m.receipt, attempts: m.attempts }));
            await m.ack();
          }
        }
      }),
    );

  withCommon(program.command('stats').description('queue figures as a table (--json: as JSON)'))
    .argument('[queue]')
    .action(
      run(async (queue: string | undefined, o: Common) => {
        const mq = client(o);
        const rows = queue === undefined ? Object.values(await mq.stats()).map(({ name, ...s }) => ({ queue: name, ...s })) : [await mq.stats(queue)];
        rows.sort((a, b) => a.queue.localeCompare(b.queue));
        out(o.json ? JSON.stringify(queue === undefined ? rows : rows[0]) : statsTable(rows));
      }),
    );
}
