/**
 * `npm run bench:sqs`: the SQS API through @aws-sdk/client-sqs against the same operations on
 * the REST routes, in one run on one broker (a child process on 127.0.0.1): send one by one
 * and in batches of 10, then receive + delete one by one and 10 at a time. Prints msgs/s and
 * the broker's CPU µs per message. Bounded: BENCH_SQS_MESSAGES per line (default 3000),
 * BENCH_SQS_CONCURRENCY requests in flight (default 8), every line stops after 30 s.
 * BENCH_SQS_STORE=memory|sqlite|redis (default memory; redis starts its own redis-server).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageCommand, DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { freePort } from '../test/harness/redis.js';
import { cleanup, installSignalCleanup, processCpuSeconds, removeDir, spawnNode, tempDir } from './procs.js';
import { startPrivateRedis } from './servers.js';

installSignalCleanup();
const MESSAGES = Number(process.env['BENCH_SQS_MESSAGES'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_SQS_CONCURRENCY'] ?? 8);
const STORE = process.env['BENCH_SQS_STORE'] ?? 'memory';
const LINE_SECONDS = 30;
const BODY = 'x'.repeat(100);

interface Line {
  name: string;
  messages: number;
  seconds: number;
  cpuSeconds: number;
}

/** Runs `op` (which handles `per` messages) until `MESSAGES` are done, CONCURRENCY at a time. */
async function measure(name: string, pid: number, per: number, op: () => Promise<number | void>): Promise<Line> {
  const cpu0 = processCpuSeconds(pid) ?? 0;
  const t0 = performance.now();
  const deadline = t0 + LINE_SECONDS * 1000;
  let started = 0;
  let done = 0;
  const worker = async () => {
    while (started < MESSAGES && performance.now() < deadline) {
      started += per;
      const n = await op();
      done += typeof n === 'number' ? n : per;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { name, messages: done, seconds: (performance.now() - t0) / 1000, cpuSeconds: (processCpuSeconds(pid) ?? 0) - cpu0 };
}

async function main(): Promise<void> {
  const dir = tempDir('restmq-bench-sqs-');
  const redis = STORE === 'redis' ? await startPrivateRedis() : undefined;
  const store = redis ? `redis://127.0.0.1:${redis.server.port}/0` : STORE === 'sqlite' ? `sqlite:${join(dir, 'bench.db')}` : 'memory';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const broker = await spawnNode('src/cli/run.ts', ['serve', '--port', String(port), '--listen', '127.0.0.1', '--store', store, '--log-level', 'warn'], {
    probe: async () => (await fetch(`${url}/health`)).ok,
  });
  try {
    const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const queue = async () => (await sqs.send(new CreateQueueCommand({ QueueName: `bench-${randomUUID().slice(0, 8)}` }))).QueueUrl!;
    const name = (queueUrl: string) => queueUrl.split('/').pop()!;
    const post = (path: string, init: RequestInit) => fetch(url + path, init).then(async (r) => {
      const text = await r.text();
      if (!r.ok) throw new Error(`${r.status} ${text}`);
      return text;
    });
    const lines: Line[] = [];
    const pid = broker.pid;
    const batch = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY }));

    const q1 = await queue();
    lines.push(await measure('send 1 — SQS SendMessage', pid, 1, () => sqs.send(new SendMessageCommand({ QueueUrl: q1, MessageBody: BODY })).then(() => 1)));
    const r1 = name(await queue());
    lines.push(await measure('send 1 — REST POST /q/<q>', pid, 1, () => post(`/q/${r1}`, { method: 'POST', body: `value=${BODY}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }).then(() => 1)));
    const q10 = await queue();
    lines.push(await measure('send 10 — SQS SendMessageBatch', pid, 10, () => sqs.send(new SendMessageBatchCommand({ QueueUrl: q10, Entries: batch })).then((r) => r.Successful?.length ?? 0)));
    const r10 = name(await queue());
    const json = JSON.stringify(Array(10).fill(BODY));
    lines.push(await measure('send 10 — REST POST /q/<q>?batch=1', pid, 10, () => post(`/q/${r10}?batch=1`, { method: 'POST', body: json, headers: { 'content-type': 'application/json' } }).then(() => 10)));

    lines.push(await measure('receive+delete 1 — SQS', pid, 1, async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q1, VisibilityTimeout: 60 }));
      for (const m of r.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: q1, ReceiptHandle: m.ReceiptHandle }));
      return r.Messages?.length ?? 0;
    }));
    lines.push(await measure('receive+delete 1 — REST lease + DELETE', pid, 1, async () => {
      const text = await post(`/q/${r1}?lease=60`, { method: 'GET' });
      if (text === '') return 0;
      const m = JSON.parse(text) as { receipt: string };
      await post(`/q/${r1}/${m.receipt}`, { method: 'DELETE' });
      return 1;
    }));
    lines.push(await measure('receive+delete 10 — SQS Receive(10) + DeleteMessageBatch', pid, 10, async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q10, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      const ms = r.Messages ?? [];
      if (ms.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: q10, Entries: ms.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
      return ms.length;
    }));
    lines.push(await measure('receive+delete 10 — REST lease count=10 + 10 DELETEs', pid, 10, async () => {
      const text = await post(`/q/${r10}?lease=60&count=10`, { method: 'GET' });
      if (text === '') return 0;
      const ms = JSON.parse(text) as { receipt: string }[];
      await Promise.all(ms.map((m) => post(`/q/${r10}/${m.receipt}`, { method: 'DELETE' })));
      return ms.length;
    }));

    process.stdout.write(`SQS API vs REST, store ${STORE}, ${MESSAGES} messages of ${BODY.length} bytes per line, ${CONCURRENCY} in flight, node ${process.version}\n\n`);
    process.stdout.write('| operation | msgs | msgs/s | broker CPU µs/msg |\n| --- | ---: | ---: | ---: |\n');
    for (const l of lines) {
      const rate = l.messages / l.seconds;
      const cpu = l.messages > 0 ? (l.cpuSeconds * 1e6) / l.messages : NaN;
      process.stdout.write(`| ${l.name} | ${l.messages} | ${Math.round(rate).toLocaleString('en-US')} | ${Math.round(cpu)} |\n`);
    }
    sqs.destroy();
  } finally {
    await broker.stop();
    await redis?.stop();
    removeDir(dir);
  }
}

try {
  await main();
} finally {
  await cleanup();
}
