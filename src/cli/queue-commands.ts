/**
 * `restmq queue ...`: queue administration over the broker's routes: list, delete, purge,
 * stop, start, policy, settings. `restmq purge <q>` stays as a shorthand of `queue purge`.
 */
import { Argument, Command } from 'commander';
import type { Policy, PolicyUpdate, QueuePolicy, RestMQ } from '../../client/index.js';
import { client, count, out, run, seconds, withCommon, type Common } from './client-common.js';

const POLICIES: readonly Policy[] = ['broadcast', 'roundrobin'];

/** The settings as aligned `name value` lines; `-` for what is not set. */
function settingsText(p: QueuePolicy): string {
  const rows: [string, string][] = [
    ['queue', p.queue],
    ['policy', p.policy],
    ['lease', p.lease === undefined ? '-' : `${p.lease} s`],
    ['max-attempts', p.maxAttempts === undefined ? '-' : String(p.maxAttempts)],
    ['dead-letter', p.deadLetter ?? '-'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(14)}${v}`).join('\n');
}

function registerPurge(parent: Command, name: string): void {
  withCommon(parent.command(name).description("delete a queue's pending messages and end its streams (the queue and its settings stay)"))
    .argument('<queue>')
    .action(
      run(async (queue: string, o: Common) => {
        const existed = await client(o).purge(queue);
        out(o.json ? JSON.stringify({ queue, purged: existed }) : existed ? `purged ${queue}` : `${queue} had no pending messages`);
      }),
    );
}

async function setStatus(mq: RestMQ, queue: string, action: 'start' | 'stop', json: boolean | undefined): Promise<void> {
  const status = await mq.control(queue, action);
  out(json ? JSON.stringify({ queue, status }) : `${queue} ${status}`);
}

export function registerQueueCommands(program: Command): void {
  registerPurge(program, 'purge');
  const queue = program.command('queue').description('administer queues: list, delete, purge, stop, start, policy, settings');

  withCommon(queue.command('list').description('every queue, one name per line'))
    .action(
      run(async (o: Common) => {
        const names = await client(o).queues();
        if (o.json) out(JSON.stringify(names));
        else for (const n of names) out(n);
      }),
    );

  withCommon(queue.command('delete').description('remove a queue entirely: its messages in every state, its settings, its name'))
    .argument('<queue>')
    .action(
      run(async (name: string, o: Common) => {
        await client(o).deleteQueue(name);
        out(o.json ? JSON.stringify({ queue: name, deleted: true }) : `deleted ${name}`);
      }),
    );

  registerPurge(queue, 'purge');

  for (const [action, what] of [['stop', 'pause every consumer of a queue (producers are still accepted)'], ['start', 'resume a stopped queue']] as const) {
    withCommon(queue.command(action).description(what))
      .argument('<queue>')
      .action(run(async (name: string, o: Common) => setStatus(client(o), name, action, o.json)));
  }

  withCommon(queue.command('policy').description('show the delivery policy of a queue, or set it'))
    .argument('<queue>')
    .addArgument(new Argument('[policy]', 'broadcast: every stream gets every message; roundrobin: each message goes to one').choices(POLICIES))
    .action(
      run(async (name: string, policy: Policy | undefined, o: Common) => {
        const p = await client(o).policy(name, policy);
        out(o.json ? JSON.stringify({ queue: name, policy: p.policy }) : p.policy);
      }),
    );

  withCommon(queue.command('settings').description('show the reliability settings of a queue, or change those given'))
    .argument('<queue>')
    .option('--lease <s>', 'default lease in seconds', seconds)
    .option('--max-attempts <n>', 'deliveries before a message moves to the dead-letter queue (1-9999)', count)
    .option('--dead-letter <queue>', 'where dead messages go (default <queue>.dead)')
    .action(
      run(async (name: string, o: Common & { lease?: number; maxAttempts?: number; deadLetter?: string }) => {
        const update: PolicyUpdate = {
          ...(o.lease !== undefined ? { lease: o.lease } : {}),
          ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
          ...(o.deadLetter !== undefined ? { deadLetter: o.deadLetter } : {}),
        };
        const p = await client(o).policy(name, Object.keys(update).length > 0 ? update : undefined);
        out(o.json ? JSON.stringify(p) : settingsText(p));
      }),
    );
}
