/**
 * Commands on messages already in a queue: nack and extend a lease, peek at the oldest
 * messages without taking them, redrive a dead-letter queue.
 */
import type { Command } from 'commander';
import { client, count, out, run, seconds, withCommon, type Common } from './client-common.js';

export function registerMessageCommands(program: Command): void {
  withCommon(program.command('nack').description('give a leased message back to the queue, now or after --delay'))
    .argument('<queue>')
    .argument('<receipt>')
    .option('--delay <s>', 'seconds before it is visible again', seconds)
    .action(
      run(async (queue: string, receipt: string, o: Common & { delay?: number }) => {
        await client(o).nack(queue, receipt, o.delay === undefined ? {} : { delay: o.delay });
        if (o.json) out(JSON.stringify({ queue, receipt, status: 'returned' }));
      }),
    );

  withCommon(program.command('extend').description('prolong the lease of a leased message'))
    .argument('<queue>')
    .argument('<receipt>')
    .requiredOption('--lease <s>', 'the new lease, in seconds from now', seconds)
    .action(
      run(async (queue: string, receipt: string, o: Common & { lease: number }) => {
        await client(o).extend(queue, receipt, o.lease);
        if (o.json) out(JSON.stringify({ queue, receipt, status: 'extended' }));
      }),
    );

  withCommon(program.command('peek').description('print the oldest ready messages without taking them, one value per line (values over 4,096 characters are cut)'))
    .argument('<queue>')
    .option('--count <n>', 'how many (1-100, default 20)', count)
    .action(
      run(async (queue: string, o: Common & { count?: number }) => {
        for (const m of await client(o).peek(queue, o.count === undefined ? {} : { count: o.count })) out(o.json ? JSON.stringify(m) : m.value);
      }),
    );

  withCommon(program.command('redrive').description('move the messages of a dead-letter queue back to the queues they died in'))
    .argument('<dead-letter-queue>')
    .action(
      run(async (queue: string, o: Common) => {
        const n = await client(o).redrive(queue);
        out(o.json ? JSON.stringify({ queue, redriven: n }) : `${n} message${n === 1 ? '' : 's'} redriven from ${queue}`);
      }),
    );
}
