/**
 * `restmq push <q> -`: one message per stdin line, sent in batches of 1,000 (one request
 * each, in order), with a progress line on stderr when it is a terminal or with --progress.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MAX_BATCH, type RestMQ } from '../../client/index.js';

export interface StdinPushResult {
  pushed: number;
  first?: string;
  last?: string;
}

/** Reports progress: rewrites one line on a terminal, else a line every `every` messages. */
class Progress {
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty: boolean,
    private readonly every = 10 * MAX_BATCH,
  ) {}

  update(n: number, final = false): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(n / seconds) : n;
    const text = `pushed ${n} messages (${rate} msg/s)`;
    if (this.tty) this.out.write(`\r${text}${final ? '\n' : ''}`);
    else if ((final && n !== this.lastLine) || n - this.lastLine >= this.every) {
      this.lastLine = n;
      this.out.write(text + '\n');
    }
  }
}

export async function pushLines(
  mq: RestMQ,
  queue: string,
  input: Readable,
  options: { ttl?: number; delay?: number; progress: boolean },
): Promise<StdinPushResult> {
  const progress = options.progress ? new Progress(process.stderr, process.stderr.isTTY === true) : undefined;
  const result: StdinPushResult = { pushed: 0 };
  const pushOptions = { ...(options.ttl !== undefined ? { ttl: options.ttl } : {}), ...(options.delay !== undefined ? { delay: options.delay } : {}) };
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const keys = await mq.pushMany(queue, batch, pushOptions);
    batch = [];
    result.first ??= keys[0];
    result.last = keys[keys.length - 1] ?? result.last;
    result.pushed += keys.length;
    progress?.update(result.pushed);
  };
  // Empty lines carry no message (the broker refuses empty values): skipped.
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') continue;
    batch.push(line);
    if (batch.length >= MAX_BATCH) await flush();
  }
  await flush();
  progress?.update(result.pushed, true);
  return result;
}
