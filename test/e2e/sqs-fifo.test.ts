/**
 * SQS FIFO queues through the real AWS SDK v3 on every store, a Redis Cluster included: one
 * group's messages in order, and none of a group while one of its messages is in flight (as
 * AWS: a receive returns as many of a free group as it can, and other groups' too).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  SQSClient, CreateQueueCommand, SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageCommand,
  ChangeMessageVisibilityCommand, type Message,
} from '@aws-sdk/client-sqs';
import { forEachBackend, WITH_CLUSTER } from './backends.js';

function client(url: string): SQSClient {
  return new SQSClient({ endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'anything', secretAccessKey: 'anything' }, maxAttempts: 1 });
}

const bodies = (ms: readonly Message[] | undefined) => (ms ?? []).map((m) => m.Body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachBackend((ctx) => {
  const sqs = () => client(ctx().url);

  /** A FIFO queue holding A1 B1 A2 B2 A3 B3, sent in that order. */
  async function twoGroups(): Promise<string> {
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({
      QueueName: `fifo-${randomUUID().slice(0, 18)}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
    }));
    const entries = ['A1', 'B1', 'A2', 'B2', 'A3', 'B3'].map((b) => ({ Id: b, MessageBody: b, MessageGroupId: b[0]! }));
    const r = await sqs().send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    assert.equal(r.Successful?.length, 6);
    return QueueUrl!;
  }

  const receive = async (url: string, max: number, extra: { VisibilityTimeout?: number; WaitTimeSeconds?: number } = {}) =>
    (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, MessageSystemAttributeNames: ['All'], ...extra }))).Messages ?? [];
  const remove = (url: string, m: Message) => sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));

  it('a group with a message in flight gives nothing more until it is deleted; other groups still come', async () => {
    const url = await twoGroups();
    const [a1] = await receive(url, 1);
    assert.equal(a1?.Body, 'A1');
    // A is held: a receive of 10 gets B's three, in order, and nothing of A.
    assert.deepEqual(bodies(await receive(url, 10)), ['B1', 'B2', 'B3']);
    assert.deepEqual(bodies(await receive(url, 10)), []);
    await remove(url, a1!);
    const next = await receive(url, 10);
    assert.deepEqual(bodies(next), ['A2', 'A3']);
    assert.deepEqual(next.map((m) => m.Attributes!['MessageGroupId']), ['A', 'A']);
    assert.deepEqual(bodies(await receive(url, 10)), []);
  });

  it('one receive of 10 takes every free message, each group in order; then the groups are held', async () => {
    const url = await twoGroups();
    const all = await receive(url, 10);
    assert.deepEqual(bodies(all.filter((m) => m.Attributes!['MessageGroupId'] === 'A')), ['A1', 'A2', 'A3']);
    assert.deepEqual(bodies(all.filter((m) => m.Attributes!['MessageGroupId'] === 'B')), ['B1', 'B2', 'B3']);
    assert.deepEqual(bodies(await receive(url, 10)), []);
    // Deleting one message of a group whose others are still in flight frees nothing.
    await remove(url, all[0]!);
    assert.deepEqual(bodies(await receive(url, 10)), []);
  });

  it('concurrent receives never hand out two messages of one group', async () => {
    const url = await twoGroups();
    const got = (await Promise.all(Array.from({ length: 6 }, () => receive(url, 1)))).flat();
    assert.deepEqual(bodies(got).sort(), ['A1', 'B1']);
  });

  it('when the visibility timeout ends the group is receivable again, in order', async () => {
    const url = await twoGroups();
    assert.deepEqual(bodies(await receive(url, 2, { VisibilityTimeout: 1 })), ['A1', 'B1']);
    assert.deepEqual(bodies(await receive(url, 10)), []);
    await sleep(1300);
    const again = await receive(url, 2, { VisibilityTimeout: 30 });
    assert.deepEqual(bodies(again), ['A1', 'B1']);
    assert.deepEqual(again.map((m) => m.Attributes!['ApproximateReceiveCount']), ['2', '2']);
    // Visibility 0 frees the group at once; its message comes first again.
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again[0]!.ReceiptHandle, VisibilityTimeout: 0 }));
    assert.deepEqual(bodies(await receive(url, 1)), ['A1']);
  });

  it('a long poll gets the next message of a group once the one in flight is deleted', async () => {
    const url = await twoGroups();
    const first = await receive(url, 10);
    assert.equal(first.length, 6);
    await remove(url, first.find((m) => m.Body === 'B1')!);
    const waiting = receive(url, 10, { WaitTimeSeconds: 5 });
    await sleep(300);
    // B2 and B3 are still in flight: B stays held until they are deleted too.
    await remove(url, first.find((m) => m.Body === 'B2')!);
    await remove(url, first.find((m) => m.Body === 'B3')!);
    for (const m of first.filter((x) => x.Body!.startsWith('A'))) await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const started = Date.now();
    assert.deepEqual(bodies(await waiting), ['A1', 'A2', 'A3']);
    assert.ok(Date.now() - started < 3000, 'the waiting receive answered soon after the group was freed');
  });
}, { backends: WITH_CLUSTER });
