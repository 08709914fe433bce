/**
 * The SQS API driven by the real AWS SDK for JavaScript v3 (JSON 1.0 protocol, its MD5 checks
 * on) against every store, a Redis Cluster included, on the same queues as the REST routes.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, DeleteQueueCommand, GetQueueAttributesCommand,
  SetQueueAttributesCommand, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageCommand,
  DeleteMessageBatchCommand, ChangeMessageVisibilityCommand, ChangeMessageVisibilityBatchCommand, PurgeQueueCommand,
  ListDeadLetterSourceQueuesCommand, TagQueueCommand, UntagQueueCommand, ListQueueTagsCommand, StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand, QueueDoesNotExist, ReceiptHandleIsInvalid, TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct,
  MessageNotInflight, InvalidAttributeName, EmptyBatchRequest, SQSServiceException, type Message,
} from '@aws-sdk/client-sqs';
import { forEachBackend, req, WITH_CLUSTER } from './backends.js';
import { md5OfAttributes } from '../../src/protocols/sqs/md5.js';

const sqsName = () => `sqs-${randomUUID().slice(0, 18)}`;

function client(url: string): SQSClient {
  return new SQSClient({ endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'anything', secretAccessKey: 'anything' }, maxAttempts: 1 });
}

async function rejects<T extends SQSServiceException>(p: Promise<unknown>, type: new (...a: never[]) => T, status: number): Promise<T> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${(err as Error).name}: ${(err as Error).message}`);
    assert.equal(err.$metadata.httpStatusCode, status);
    return err;
  }
  assert.fail(`expected ${type.name}`);
}

forEachBackend((ctx) => {
  const sqs = () => client(ctx().url);

  async function create(attributes?: Record<string, string>, name = sqsName()): Promise<string> {
    const r = await sqs().send(new CreateQueueCommand({ QueueName: name, ...(attributes ? { Attributes: attributes } : {}) }));
    return r.QueueUrl!;
  }

  it('CreateQueue gives a queue URL on the broker; GetQueueUrl and ListQueues find it; DeleteQueue removes it', async () => {
    const name = sqsName();
    const url = await create({ VisibilityTimeout: '45' }, name);
    assert.equal(url, `${ctx().url}/000000000000/${name}`);
    assert.equal((await sqs().send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, url);
    // The same name and attributes again: the same queue; different attributes: refused.
    assert.equal(await create({ VisibilityTimeout: '45' }, name), url);
    const exists = await rejects(create({ VisibilityTimeout: '46' }, name), SQSServiceException, 400);
    assert.equal(exists.name, 'QueueNameExists');
    const listed = await sqs().send(new ListQueuesCommand({ QueueNamePrefix: name }));
    assert.deepEqual(listed.QueueUrls, [url]);
    // RestMQ lists it too: one set of queues.
    assert.match((await req(ctx().url, 'GET', '/q/')).text, new RegExp(name));
    // A send first, so the queue's record is in the broker's cache when it is deleted.
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'before' }));
    await sqs().send(new DeleteQueueCommand({ QueueUrl: url }));
    await rejects(sqs().send(new GetQueueUrlCommand({ QueueName: name })), QueueDoesNotExist, 400);
    await rejects(sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), QueueDoesNotExist, 400);
  });

  it('a queue deleted through the REST API is gone for SQS at once, cached or not', async () => {
    const url = await create();
    const name = url.split('/').pop()!;
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'cached' }));
    assert.equal((await req(ctx().url, 'DELETE', `/queues/${name}`)).status, 204);
    await rejects(sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), QueueDoesNotExist, 400);
    await rejects(sqs().send(new ReceiveMessageCommand({ QueueUrl: url })), QueueDoesNotExist, 400);
  });

  it('ListQueues pages with MaxResults and NextToken, by prefix', async () => {
    const prefix = sqsName();
    const urls = [];
    for (const n of ['a', 'b', 'c']) urls.push(await create(undefined, `${prefix}-${n}`));
    const first = await sqs().send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
    assert.deepEqual(first.QueueUrls, urls.slice(0, 2));
    assert.ok(first.NextToken);
    const second = await sqs().send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.QueueUrls, urls.slice(2));
    assert.equal(second.NextToken, undefined);
  });

  it('queue attributes: defaults, set, counts by state, ARN with the client region, unknown names refused', async () => {
    const url = await create();
    const name = url.split('/').pop()!;
    await sqs().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '0', MessageRetentionPeriod: '600', ReceiveMessageWaitTimeSeconds: '1' } }));
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ready' }));
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 600 }));
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'taken' }));
    await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const { Attributes: a } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    assert.equal(a!['VisibilityTimeout'], '30');
    assert.equal(a!['MessageRetentionPeriod'], '600');
    assert.equal(a!['ReceiveMessageWaitTimeSeconds'], '1');
    assert.equal(a!['MaximumMessageSize'], String(1024 * 1024));
    assert.equal(a!['QueueArn'], `arn:aws:sqs:eu-west-1:000000000000:${name}`);
    assert.ok(Math.abs(Number(a!['CreatedTimestamp']) - Date.now() / 1000) < 120);
    assert.equal(a!['ApproximateNumberOfMessages'], '1');
    assert.equal(a!['ApproximateNumberOfMessagesNotVisible'], '1');
    assert.equal(a!['ApproximateNumberOfMessagesDelayed'], '1');
    const some = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }));
    assert.deepEqual(some.Attributes, { VisibilityTimeout: '30' });
    await rejects(sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as 'All'] })), InvalidAttributeName, 400);
    await rejects(sqs().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } })), SQSServiceException, 400);
  });

  it('SendMessage and ReceiveMessage carry message and system attributes with SQS\'s MD5s; DeleteMessage acknowledges', async () => {
    const url = await create();
    const attrs = {
      city: { DataType: 'String', StringValue: 'Zürich ☃' },
      n: { DataType: 'Number', StringValue: '42.5' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      'custom.x': { DataType: 'String.custom', StringValue: 'y' },
    };
    const sent = await sqs().send(new SendMessageCommand({
      QueueUrl: url, MessageBody: 'héllo\nwörld', MessageAttributes: attrs,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
    }));
    const wire = {
      city: { DataType: 'String', StringValue: 'Zürich ☃' }, n: { DataType: 'Number', StringValue: '42.5' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') }, 'custom.x': { DataType: 'String.custom', StringValue: 'y' },
    };
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(wire));
    assert.equal(sent.MD5OfMessageSystemAttributes, md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } }));
    const r = await sqs().send(new ReceiveMessageCommand({
      QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], MaxNumberOfMessages: 10,
    }));
    assert.equal(r.Messages?.length, 1);
    const m = r.Messages![0]!;
    assert.equal(m.Body, 'héllo\nwörld');
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.deepEqual(Buffer.from(m.MessageAttributes!['blob']!.BinaryValue!), Buffer.from([0, 1, 2, 255]));
    assert.equal(m.MessageAttributes!['n']!.StringValue, '42.5');
    assert.equal(m.Attributes!['ApproximateReceiveCount'], '1');
    assert.equal(m.Attributes!['AWSTraceHeader'], 'Root=1-5759e988-bd862e3fe1be46a994272793');
    assert.ok(Math.abs(Number(m.Attributes!['SentTimestamp']) - Date.now()) < 60_000);
    assert.ok(Number(m.Attributes!['ApproximateFirstReceiveTimestamp']) >= Number(m.Attributes!['SentTimestamp']));
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    const stats = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
    assert.equal(stats.Attributes!['ApproximateNumberOfMessagesNotVisible'], '0');
  });

  it('ApproximateFirstReceiveTimestamp is the time of the first receive, on every later receive too', async () => {
    const url = await create();
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'twice' }));
    const first = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1, MessageSystemAttributeNames: ['All'] }))).Messages![0]!;
    await new Promise((r) => setTimeout(r, 1300));
    const second = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }))).Messages![0]!;
    assert.equal(second.Attributes!['ApproximateReceiveCount'], '2');
    assert.ok(Number(first.Attributes!['ApproximateFirstReceiveTimestamp']) > Number(first.Attributes!['SentTimestamp']) - 1000);
    assert.equal(second.Attributes!['ApproximateFirstReceiveTimestamp'], first.Attributes!['ApproximateFirstReceiveTimestamp']);
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
  });

  it('MessageAttributeNames selects by name and prefix (MD5 over what is returned); the older AttributeNames still works', async () => {
    const url = await create();
    await sqs().send(new SendMessageCommand({
      QueueUrl: url, MessageBody: 'x', MessageAttributes: {
        'a.one': { DataType: 'String', StringValue: '1' }, 'a.two': { DataType: 'String', StringValue: '2' }, b: { DataType: 'String', StringValue: '3' },
      },
    }));
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['a.*'], AttributeNames: ['SentTimestamp' as 'All'] }));
    const m = r.Messages![0]!;
    assert.deepEqual(Object.keys(m.MessageAttributes!).sort(), ['a.one', 'a.two']);
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes({ 'a.one': { DataType: 'String', StringValue: '1' }, 'a.two': { DataType: 'String', StringValue: '2' } }));
    assert.deepEqual(Object.keys(m.Attributes!), ['SentTimestamp']);
  });

  it('one set of queues: SQS-sent messages come out of GET /q/<q>, REST-posted ones out of ReceiveMessage', async () => {
    const url = await create();
    const name = url.split('/').pop()!;
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'from sqs' }));
    const got = await req(ctx().url, 'GET', `/q/${name}`);
    assert.equal(JSON.parse(got.text).value, 'from sqs');
    await req(ctx().url, 'POST', `/q/${name}`, { form: { value: 'from rest' } });
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    assert.equal(r.Messages![0]!.Body, 'from rest');
    assert.match(r.Messages![0]!.MessageId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // The receipt handle is the lease receipt: the REST ack route takes it.
    const ack = await req(ctx().url, 'DELETE', `/q/${name}/${r.Messages![0]!.ReceiptHandle}`);
    assert.equal(ack.status, 200);
    // A queue made by RestMQ is an SQS queue too.
    const rest = `r-${randomUUID()}`;
    await req(ctx().url, 'POST', `/q/${rest}`, { form: { value: 'v' } });
    const found = await sqs().send(new GetQueueUrlCommand({ QueueName: rest }));
    const r2 = await sqs().send(new ReceiveMessageCommand({ QueueUrl: found.QueueUrl }));
    assert.equal(r2.Messages![0]!.Body, 'v');
  });

  it('SendMessageBatch: up to 10 entries, each succeeding or failing on its own; batch errors', async () => {
    const url = await create();
    const entries = Array.from({ length: 9 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}`, MessageAttributes: { i: { DataType: 'Number', StringValue: String(i) } } }));
    const r = await sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [...entries, { Id: 'bad', MessageBody: 'x', DelaySeconds: 901 }] }));
    assert.deepEqual(r.Successful!.map((s) => s.Id).sort(), entries.map((e) => e.Id).sort());
    assert.equal(r.Failed!.length, 1);
    assert.equal(r.Failed![0]!.Id, 'bad');
    assert.equal(r.Failed![0]!.SenderFault, true);
    assert.equal(r.Failed![0]!.Code, 'InvalidParameterValue');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    await rejects(sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })), TooManyEntriesInBatchRequest, 400);
    await rejects(sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })), BatchEntryIdsNotDistinct, 400);
    await rejects(sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })), EmptyBatchRequest, 400);
    const got: Message[] = [];
    while (got.length < 9) {
      const m = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      got.push(...(m.Messages ?? []));
    }
    assert.deepEqual(got.map((m) => m.Body), entries.map((e) => e.MessageBody));
    const del = await sqs().send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [...got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })).slice(0, 9), { Id: 'junk', ReceiptHandle: 'not-a-receipt' }] }));
    assert.equal(del.Successful!.length, 9);
    assert.deepEqual(del.Failed!.map((f) => [f.Id, f.Code]), [['junk', 'ReceiptHandleIsInvalid']]);
  });

  it('ReceiveMessage long-polls (WaitTimeSeconds) until a message arrives; limits are SQS\'s', async () => {
    const url = await create();
    const waiting = sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 200));
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    assert.equal((await waiting).Messages?.[0]?.Body, 'late');
    const empty = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    assert.equal(empty.Messages, undefined);
    await rejects(sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })), SQSServiceException, 400);
    await rejects(sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })), SQSServiceException, 400);
  });

  it('ChangeMessageVisibility: 0 returns the message at once, more extends; stale and invalid receipts', async () => {
    const url = await create({ VisibilityTimeout: '60' });
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    assert.equal((await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 }));
    const second = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['ApproximateReceiveCount' as 'All'] }))).Messages![0]!;
    assert.equal(second.Body, 'again');
    assert.equal(second.Attributes!['ApproximateReceiveCount'], '2');
    await rejects(sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 10 })), MessageNotInflight, 400);
    await rejects(sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'garbage', VisibilityTimeout: 10 })), ReceiptHandleIsInvalid, 404);
    await rejects(sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })), ReceiptHandleIsInvalid, 404);
    const batch = await sqs().send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: [
      { Id: 'ok', ReceiptHandle: second.ReceiptHandle!, VisibilityTimeout: 120 },
      { Id: 'stale', ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 120 },
    ] }));
    assert.deepEqual(batch.Successful!.map((s) => s.Id), ['ok']);
    assert.deepEqual(batch.Failed!.map((f) => [f.Id, f.Code]), [['stale', 'MessageNotInflight']]);
    // A stale receipt deletes nothing and is not an error (as SQS).
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle }));
  });

  it('RedrivePolicy: after maxReceiveCount receives the message moves to the dead-letter queue with its attributes; ListDeadLetterSourceQueues; move task back', async () => {
    const dlq = await create();
    const dlqArn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const url = await create({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const policy = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }))).Attributes!['RedrivePolicy']!;
    assert.deepEqual(JSON.parse(policy), { deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    const sent = await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    for (let i = 0; i < 2; i++) {
      const m = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
      await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    assert.equal((await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    const dead = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageAttributeNames: ['All'], VisibilityTimeout: 1 }))).Messages![0]!;
    assert.equal(dead.Body, 'poison');
    assert.equal(dead.MessageId, sent.MessageId);
    assert.equal(dead.MessageAttributes!['k']!.StringValue, 'v');
    const sources = await sqs().send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    assert.deepEqual(sources.queueUrls, [url]);
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: dlq, ReceiptHandle: dead.ReceiptHandle, VisibilityTimeout: 0 }));
    const task = await sqs().send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    assert.ok(task.TaskHandle);
    const tasks = await sqs().send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    assert.equal(tasks.Results![0]!.Status, 'COMPLETED');
    assert.equal(tasks.Results![0]!.ApproximateNumberOfMessagesMoved, 1);
    const back = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }))).Messages![0]!;
    assert.equal(back.Body, 'poison');
    assert.equal(back.MessageId, sent.MessageId);
    assert.equal(back.MessageAttributes!['k']!.StringValue, 'v');
    // Removing the policy removes the redrive.
    await sqs().send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: '' } }));
    const none = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }));
    assert.equal(none.Attributes?.['RedrivePolicy'], undefined);
  });

  it('StartMessageMoveTask with a DestinationArn moves the dead letters there; ListMessageMoveTasks reports it', async () => {
    const arnOf = async (u: string) => (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: u, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    const dlq = await create();
    const dest = await create();
    const [dlqArn, destArn] = [await arnOf(dlq), await arnOf(dest)];
    const url = await create({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    const m = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    await rejects(sqs().send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: dlqArn })), SQSServiceException, 400);
    await rejects(sqs().send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: `${destArn}-nope` })), QueueDoesNotExist, 400);
    await sqs().send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn }));
    const tasks = await sqs().send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    assert.equal(tasks.Results![0]!.DestinationArn, destArn);
    assert.equal(tasks.Results![0]!.ApproximateNumberOfMessagesMoved, 1);
    const moved = (await sqs().send(new ReceiveMessageCommand({ QueueUrl: dest, MessageAttributeNames: ['All'] }))).Messages![0]!;
    assert.equal(moved.Body, 'poison');
    assert.equal(moved.MessageAttributes!['k']!.StringValue, 'v');
    assert.equal((await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
  });

  it('PurgeQueue empties the queue; tags are set, listed and removed', async () => {
    const url = await sqs().send(new CreateQueueCommand({ QueueName: sqsName(), tags: { team: 'a', env: 'test' } })).then((r) => r.QueueUrl!);
    await sqs().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'a' }, { Id: '2', MessageBody: 'b' }] }));
    await sqs().send(new PurgeQueueCommand({ QueueUrl: url }));
    assert.equal((await sqs().send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    assert.deepEqual((await sqs().send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'a', env: 'test' });
    await sqs().send(new TagQueueCommand({ QueueUrl: url, Tags: { owner: 'me' } }));
    await sqs().send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    assert.deepEqual((await sqs().send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'a', owner: 'me' });
  });

  it('FIFO queues: group id and sequence numbers, dedup by id and by content within 5 minutes', async () => {
    const url = await create({ FifoQueue: 'true', ContentBasedDeduplication: 'true' }, `${sqsName()}.fifo`);
    const a = await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one', MessageGroupId: 'g' }));
    const again = await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one', MessageGroupId: 'g' }));
    assert.equal(again.MessageId, a.MessageId);
    assert.equal(again.SequenceNumber, a.SequenceNumber);
    const b = await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }));
    assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
    await rejects(sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), SQSServiceException, 400);
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    assert.deepEqual(r.Messages!.map((m) => m.Body), ['one', 'two']);
    assert.equal(r.Messages![1]!.Attributes!['MessageGroupId'], 'g');
    assert.equal(r.Messages![1]!.Attributes!['MessageDeduplicationId'], 'd2');
    assert.equal(r.Messages![1]!.Attributes!['SequenceNumber'], b.SequenceNumber);
    const attrs = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['FifoQueue', 'ContentBasedDeduplication'] }));
    assert.deepEqual(attrs.Attributes, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  });

  it('RestMQ keeps POST / and answers SQS only when asked in SQS terms', async () => {
    const name = `r-${randomUUID()}`;
    const posted = await req(ctx().url, 'POST', '/', { form: { queue: name, value: 'Action=SendMessage' } });
    assert.equal(posted.status, 200);
    assert.equal(posted.text.trim(), `${name}:1`);
    const bad = await req(ctx().url, 'POST', '/', { body: '{}', type: 'application/x-amz-json-1.0', headers: { 'x-amz-target': 'AmazonSQS.Nope' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-amzn-query-error'), 'InvalidAction;Sender');
    assert.equal(JSON.parse(bad.text).__type, 'com.amazonaws.sqs#InvalidAction');
    assert.equal((await req(ctx().url, 'GET', '/12345/abc')).status, 404);
  });
}, { backends: WITH_CLUSTER });
