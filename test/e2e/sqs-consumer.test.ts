/**
 * Real SQS programs on the broker: sqs-consumer (over @aws-sdk/client-sqs) processes a queue
 * end to end and sends what its handler fails on to the dead-letter queue; RestMQ's streaming
 * consumers see messages sent through SQS; message attributes outlive a broker restart.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Consumer } from 'sqs-consumer';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { forEachBackend } from './backends.js';
import { SseClient } from '../harness/stream-clients.js';
import { startRedis } from '../harness/redis.js';
import { loadConfig } from '../../src/config/load.js';
import { startBroker } from '../../src/main.js';

function client(url: string): SQSClient {
  return new SQSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
}

const name = () => `sc-${randomUUID().slice(0, 16)}`;

forEachBackend((ctx) => {
  it('sqs-consumer processes every message once; a handler that keeps failing sends its message to the dead-letter queue', async () => {
    const sqs = client(ctx().url);
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: name() }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({
      QueueName: name(), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '3' }), VisibilityTimeout: '5' },
    }))).QueueUrl!;
    const bodies = Array.from({ length: 25 }, (_, i) => `job ${i}`);
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `e${j}`, MessageBody: b })) }));
    }
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison', MessageAttributes: { why: { DataType: 'String', StringValue: 'fails' } } }));
    const done: string[] = [];
    let poisonTries = 0;
    const errors: Error[] = [];
    let allDone!: () => void;
    const finished = new Promise<void>((r) => (allDone = r));
    const consumer = Consumer.create({
      queueUrl, sqs, batchSize: 10, waitTimeSeconds: 1, terminateVisibilityTimeout: true, messageAttributeNames: ['All'],
      handleMessage: async (m: Message) => {
        if (m.Body === 'poison') {
          poisonTries++;
          throw new Error('cannot process');
        }
        done.push(m.Body!);
        return m;
      },
    });
    consumer.on('processing_error', (err) => {
      if (!err.message.includes('cannot process')) errors.push(err);
    });
    consumer.on('error', (err) => {
      if (!err.message.includes('cannot process')) errors.push(err);
    });
    consumer.on('empty', () => {
      if (done.length >= bodies.length && poisonTries >= 3) allDone();
    });
    consumer.start();
    try {
      await finished;
    } finally {
      consumer.stop({ abort: true });
    }
    assert.deepEqual(errors, []);
    assert.deepEqual([...done].sort(), [...bodies].sort());
    assert.equal(poisonTries, 3);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageAttributeNames: ['All'], AttributeNames: ['All'] }));
    assert.equal(dead.Messages?.[0]?.Body, 'poison');
    assert.equal(dead.Messages?.[0]?.MessageAttributes?.['why']?.StringValue, 'fails');
    const left = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    assert.equal(left.Attributes!['ApproximateNumberOfMessages'], '0');
    assert.equal(left.Attributes!['ApproximateNumberOfMessagesNotVisible'], '0');
  });

  it('a streaming consumer gets the messages sent through SQS', async () => {
    const sqs = client(ctx().url);
    const q = name();
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: q }))).QueueUrl!;
    const sse = await SseClient.open(ctx().url, `/sse/${q}`);
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'streamed', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
      const [m] = await sse.waitForCount(1, 10_000);
      assert.equal(m!.value, 'streamed');
    } finally {
      sse.close();
    }
  });
});

/** Message attributes are stored with the message: a new broker on the same store returns them. */
for (const backend of ['sqlite', 'redis'] as const) {
  it(`${backend}: message attributes and queue attributes survive a broker restart`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restmq-sqs-'));
    const redis = backend === 'redis' ? await startRedis() : undefined;
    const store = redis ? `redis://${redis.host}:${redis.port}/0` : `sqlite:${join(dir, 'r.db')}`;
    const start = () => startBroker(loadConfig({ port: '0', listen: '127.0.0.1', store, 'log-level': 'silent' }, {}), pino({ level: 'silent' }));
    try {
      const first = await start();
      const q = name();
      let queueUrl: string;
      try {
        const sqs = client(first.url);
        queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: q, Attributes: { VisibilityTimeout: '77' } }))).QueueUrl!;
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'kept', MessageAttributes: { n: { DataType: 'Number', StringValue: '3' } } }));
      } finally {
        await first.close();
      }
      const second = await start();
      try {
        const sqs = client(second.url);
        queueUrl = `${second.url}/000000000000/${q}`;
        const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }));
        assert.equal(attrs.Attributes!['VisibilityTimeout'], '77');
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'] }));
        assert.equal(r.Messages?.[0]?.Body, 'kept');
        assert.equal(r.Messages?.[0]?.MessageAttributes?.['n']?.StringValue, '3');
      } finally {
        await second.close();
      }
    } finally {
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
