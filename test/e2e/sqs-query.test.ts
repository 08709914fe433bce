/**
 * The SQS query protocol: form bodies written as boto3 and the older AWS SDKs send them
 * (Action/Version, flattened Attribute.N / MessageAttribute.N / ...RequestEntry.N members),
 * posted to the endpoint and to queue URLs, answered with SQS's XML; and the same protocol
 * driven by a real query-protocol client, aws-sdk v2 of before SQS moved to JSON.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend, req } from './backends.js';
import { md5OfAttributes } from '../../src/protocols/sqs/md5.js';
import SQSv2 from 'aws-sdk/clients/sqs.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

/** The text of every `<tag>` in an XML reply, in order. */
function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}
const one = (xml: string, tag: string) => all(xml, tag)[0];
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#xD;/g, '\r').replace(/&amp;/g, '&');

/** A form body in the order given, encoded as botocore encodes it. */
function form(fields: [string, string][]): string {
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

forEachBackend((ctx) => {
  const post = (path: string, fields: [string, string][]) => req(ctx().url, 'POST', path, { body: form(fields), type: FORM });

  it('CreateQueue, SendMessage with attributes, ReceiveMessage, DeleteMessageBatch: XML replies in the SQS namespace', async () => {
    const name = `qp-${randomUUID().slice(0, 12)}`;
    const created = await post('/', [['Action', 'CreateQueue'], ['Version', '2012-11-05'], ['QueueName', name],
      ['Attribute.1.Name', 'VisibilityTimeout'], ['Attribute.1.Value', '40'], ['Tag.1.Key', 'team'], ['Tag.1.Value', 'q']]);
    assert.equal(created.status, 200, created.text);
    assert.match(created.headers.get('content-type') ?? '', /text\/xml/);
    assert.match(created.text, /^<\?xml version="1.0"\?><CreateQueueResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><CreateQueueResult><QueueUrl>/);
    const url = one(created.text, 'QueueUrl')!;
    assert.equal(url, `${ctx().url}/000000000000/${name}`);
    const path = new URL(url).pathname;

    const body = 'a <b> & "c"\r\nd';
    const sent = await post(path, [['Action', 'SendMessage'], ['Version', '2012-11-05'], ['QueueUrl', url], ['MessageBody', body],
      ['MessageAttribute.1.Name', 'city'], ['MessageAttribute.1.Value.StringValue', 'Zürich'], ['MessageAttribute.1.Value.DataType', 'String'],
      ['MessageAttribute.2.Name', 'bin'], ['MessageAttribute.2.Value.BinaryValue', Buffer.from([9, 8, 7]).toString('base64')], ['MessageAttribute.2.Value.DataType', 'Binary']]);
    assert.equal(sent.status, 200, sent.text);
    const attrs = { city: { DataType: 'String', StringValue: 'Zürich' }, bin: { DataType: 'Binary', BinaryValue: Buffer.from([9, 8, 7]).toString('base64') } };
    assert.equal(one(sent.text, 'MD5OfMessageAttributes'), md5OfAttributes(attrs));
    assert.match(sent.text, /<SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult>.*<\/SendMessageResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/SendMessageResponse>$/);

    const got = await post(path, [['Action', 'ReceiveMessage'], ['Version', '2012-11-05'], ['QueueUrl', url], ['MaxNumberOfMessages', '10'],
      ['AttributeName.1', 'All'], ['MessageAttributeName.1', 'All']]);
    assert.equal(got.status, 200, got.text);
    const messages = all(got.text, 'Message');
    assert.equal(messages.length, 1);
    const m = messages[0]!;
    assert.equal(unescape(one(m, 'Body')!), body);
    assert.equal(one(m, 'MessageId'), one(sent.text, 'MessageId'));
    assert.equal(one(m, 'MD5OfMessageAttributes'), md5OfAttributes(attrs));
    assert.match(m, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
    assert.match(m, /<MessageAttribute><Name>city<\/Name><Value><DataType>String<\/DataType><StringValue>Zürich<\/StringValue><\/Value><\/MessageAttribute>/);

    const del = await post(path, [['Action', 'DeleteMessageBatch'], ['Version', '2012-11-05'], ['QueueUrl', url],
      ['DeleteMessageBatchRequestEntry.1.Id', 'a'], ['DeleteMessageBatchRequestEntry.1.ReceiptHandle', one(m, 'ReceiptHandle')!],
      ['DeleteMessageBatchRequestEntry.2.Id', 'b'], ['DeleteMessageBatchRequestEntry.2.ReceiptHandle', 'nonsense']]);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(all(del.text, 'DeleteMessageBatchResultEntry'), ['<Id>a</Id>']);
    const failed = all(del.text, 'BatchResultErrorEntry');
    assert.equal(failed.length, 1);
    assert.equal(one(failed[0]!, 'Code'), 'ReceiptHandleIsInvalid');
    assert.equal(one(failed[0]!, 'SenderFault'), 'true');

    const attributes = await post(path, [['Action', 'GetQueueAttributes'], ['Version', '2012-11-05'], ['AttributeName.1', 'VisibilityTimeout']]);
    assert.match(attributes.text, /<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout<\/Name><Value>40<\/Value><\/Attribute><\/GetQueueAttributesResult>/);
    const tags = await post(path, [['Action', 'ListQueueTags'], ['Version', '2012-11-05']]);
    assert.match(tags.text, /<Tag><Key>team<\/Key><Value>q<\/Value><\/Tag>/);
    const purged = await post(path, [['Action', 'PurgeQueue'], ['Version', '2012-11-05']]);
    assert.match(purged.text, /^<\?xml version="1.0"\?><PurgeQueueResponse xmlns="[^"]+"><ResponseMetadata>/);
  });

  it('errors are <ErrorResponse> with the query code, the fault and SQS\'s status', async () => {
    const missing = await post('/', [['Action', 'GetQueueUrl'], ['Version', '2012-11-05'], ['QueueName', `none-${randomUUID()}`]]);
    assert.equal(missing.status, 400);
    assert.equal(one(missing.text, 'Code'), 'AWS.SimpleQueueService.NonExistentQueue');
    assert.equal(one(missing.text, 'Type'), 'Sender');
    assert.match(missing.text, /^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error>/);
    const name = `qp-${randomUUID().slice(0, 12)}`;
    await post('/', [['Action', 'CreateQueue'], ['Version', '2012-11-05'], ['QueueName', name]]);
    const receipt = await post(`/000000000000/${name}`, [['Action', 'DeleteMessage'], ['Version', '2012-11-05'], ['ReceiptHandle', 'x']]);
    assert.equal(receipt.status, 404);
    assert.equal(one(receipt.text, 'Code'), 'ReceiptHandleIsInvalid');
    const tooMany = await post(`/000000000000/${name}`, [['Action', 'SendMessageBatch'], ['Version', '2012-11-05'],
      ...Array.from({ length: 11 }, (_, i): [string, string][] => [[`SendMessageBatchRequestEntry.${i + 1}.Id`, `e${i}`], [`SendMessageBatchRequestEntry.${i + 1}.MessageBody`, 'x']]).flat()]);
    assert.equal(tooMany.status, 400);
    assert.equal(one(tooMany.text, 'Code'), 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
    const unknown = await post('/', [['Action', 'Frobnicate'], ['Version', '2012-11-05']]);
    assert.equal(one(unknown.text, 'Code'), 'InvalidAction');
  });

  it('GET with the query in the URL works too (the oldest clients)', async () => {
    const name = `qp-${randomUUID().slice(0, 12)}`;
    const r = await req(ctx().url, 'GET', `/?Action=CreateQueue&Version=2012-11-05&QueueName=${name}`);
    assert.equal(r.status, 200, r.text);
    const list = await req(ctx().url, 'GET', `/?Action=ListQueues&QueueNamePrefix=${name}`);
    assert.deepEqual(all(list.text, 'QueueUrl'), [`${ctx().url}/000000000000/${name}`]);
  });

  it('aws-sdk v2 (query protocol, its MD5 checks on) sends, receives, changes visibility and deletes; its errors carry the query codes', async () => {
    const sqs = new SQSv2({ endpoint: ctx().url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxRetries: 0 });
    const name = `v2-${randomUUID().slice(0, 12)}`;
    const { QueueUrl } = await sqs.createQueue({ QueueName: name, Attributes: { VisibilityTimeout: '50' } }).promise();
    assert.equal(QueueUrl, `${ctx().url}/000000000000/${name}`);
    const sent = await sqs.sendMessage({ QueueUrl: QueueUrl!, MessageBody: 'über', MessageAttributes: { k: { DataType: 'Number', StringValue: '7' } } }).promise();
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes({ k: { DataType: 'Number', StringValue: '7' } }));
    const batch = await sqs.sendMessageBatch({ QueueUrl: QueueUrl!, Entries: [{ Id: 'x', MessageBody: 'two' }, { Id: 'y', MessageBody: 'three' }] }).promise();
    assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ['x', 'y']);
    const got = await sqs.receiveMessage({ QueueUrl: QueueUrl!, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], AttributeNames: ['All'], WaitTimeSeconds: 1 }).promise();
    assert.deepEqual(got.Messages!.map((m) => m.Body), ['über', 'two', 'three']);
    assert.equal(got.Messages![0]!.MessageAttributes!['k']!.StringValue, '7');
    assert.equal(got.Messages![0]!.Attributes!['ApproximateReceiveCount'], '1');
    await sqs.changeMessageVisibility({ QueueUrl: QueueUrl!, ReceiptHandle: got.Messages![1]!.ReceiptHandle!, VisibilityTimeout: 0 }).promise();
    const del = await sqs.deleteMessageBatch({ QueueUrl: QueueUrl!, Entries: [got.Messages![0]!, got.Messages![2]!].map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }).promise();
    assert.equal(del.Successful.length, 2);
    const again = await sqs.receiveMessage({ QueueUrl: QueueUrl! }).promise();
    assert.equal(again.Messages![0]!.Body, 'two');
    const attrs = await sqs.getQueueAttributes({ QueueUrl: QueueUrl!, AttributeNames: ['All'] }).promise();
    assert.equal(attrs.Attributes!['VisibilityTimeout'], '50');
    assert.equal(attrs.Attributes!['ApproximateNumberOfMessagesNotVisible'], '1');
    const listed = await sqs.listQueues({ QueueNamePrefix: name }).promise();
    assert.deepEqual(listed.QueueUrls, [QueueUrl]);
    await assert.rejects(sqs.getQueueUrl({ QueueName: `${name}-none` }).promise(), (err: { code: string; statusCode: number }) => {
      assert.equal(err.code, 'AWS.SimpleQueueService.NonExistentQueue');
      assert.equal(err.statusCode, 400);
      return true;
    });
    await assert.rejects(sqs.deleteMessage({ QueueUrl: QueueUrl!, ReceiptHandle: 'bad' }).promise(), (err: { code: string }) => err.code === 'ReceiptHandleIsInvalid');
    await sqs.deleteQueue({ QueueUrl: QueueUrl! }).promise();
  });
});
