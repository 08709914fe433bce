/**
 * SQS attributes survive a stream that hands a message back, with the real AWS SDK: a message
 * sent with attributes is a leased stream consumer's roundrobin turn (leased straight from the
 * broker's inbox, where its metadata rode along); the consumer disconnects without acknowledging
 * it, so it goes back to its queue; ReceiveMessage then returns it with the message id, message
 * attributes, MD5 of the attributes and system attributes that SendMessage answered and stored
 * (the SDK checks MD5OfBody itself).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, DeleteMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { forEachBackend, req, WITH_CLUSTER } from './backends.js';
import { SseClient, WsClient, type StreamClient } from '../harness/stream-clients.js';

function client(url: string): SQSClient {
  return new SQSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
}

const ATTRIBUTES: Record<string, MessageAttributeValue> = {
  size: { DataType: 'Number', StringValue: '42' },
  label: { DataType: 'String', StringValue: 'é☃\nsecond line' },
  blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
};
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';

/** Sends one message with attributes while `open` streams the queue leased; the stream gets it,
 *  then drops without acknowledging it. Returns what SendMessage answered. */
async function sendThroughDroppedStream(sqs: SQSClient, url: string, queue: string, queueUrl: string, open: () => Promise<StreamClient>,
  extra: { MessageGroupId?: string; MessageDeduplicationId?: string } = {}) {
  // Roundrobin: a leased consumer's turn is leased to it from the inbox (a broadcast copy would carry no receipt).
  assert.equal((await req(url, 'POST', `/p/${queue}`, { form: { policy: 'roundrobin' } })).status, 200);
  const stream = await open();
  try {
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: queueUrl, MessageBody: 'resize ☃\n42', MessageAttributes: ATTRIBUTES,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } }, ...extra,
    }));
    await stream.waitForRaw((raw) => raw.includes('"receipt"'), 10_000);
    return sent;
  } finally {
    stream.close();
  }
}

async function receiveBack(sqs: SQSClient, queueUrl: string) {
  const r = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 10, VisibilityTimeout: 30,
  }));
  assert.equal(r.Messages?.length, 1, 'the message is back in its queue');
  return r.Messages[0]!;
}

forEachBackend((ctx) => {
  it('a leased SSE consumer that drops a message without acknowledging it leaves its attributes intact for ReceiveMessage', async () => {
    const sqs = client(ctx().url);
    const q = `sa-${randomUUID().slice(0, 16)}`;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: q }))).QueueUrl!;
    const sent = await sendThroughDroppedStream(sqs, ctx().url, q, queueUrl, () => SseClient.open(ctx().url, `/sse/${q}?lease=30`));
    const m = await receiveBack(sqs, queueUrl);
    assert.equal(m.Body, 'resize ☃\n42');
    assert.equal(m.MessageId, sent.MessageId);
    assert.ok(sent.MD5OfMessageAttributes, 'SendMessage answered an MD5 of the attributes');
    assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.deepEqual(m.MessageAttributes, ATTRIBUTES);
    assert.equal(m.Attributes?.['AWSTraceHeader'], TRACE);
    assert.equal(m.Attributes?.['ApproximateReceiveCount'], '2', 'the stream lease counted as a receive');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    assert.equal(empty.Messages, undefined);
  });

  it('a FIFO message dropped by a leased WebSocket consumer keeps its group and attributes', async () => {
    const sqs = client(ctx().url);
    const q = `sa-${randomUUID().slice(0, 16)}.fifo`;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: q, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const sent = await sendThroughDroppedStream(sqs, ctx().url, q, queueUrl, () => WsClient.open(ctx().url, `${q}?lease=30`),
      { MessageGroupId: 'g-1', MessageDeduplicationId: 'd-1' });
    const m = await receiveBack(sqs, queueUrl);
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.deepEqual(m.MessageAttributes, ATTRIBUTES);
    assert.equal(m.Attributes?.['MessageGroupId'], 'g-1');
    assert.equal(m.Attributes?.['MessageDeduplicationId'], 'd-1');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  });
}, { backends: WITH_CLUSTER });
