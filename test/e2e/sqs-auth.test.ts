/**
 * The SQS API with --acl: requests signed with SigV4 by an API key (access key id: the key's
 * hash; secret: its SQS secret, shown once at creation) are verified for real and run with the
 * key's privileges on the queue; unsigned, wrongly signed or unknown-key requests are refused
 * with SQS's errors; RestMQ requests to `/` still need their own credentials.
 */
import { it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand, ListQueuesCommand, SQSServiceException,
} from '@aws-sdk/client-sqs';
import SQSv2 from 'aws-sdk/clients/sqs.js';
import { forEachBackend, req } from './backends.js';

const dir = mkdtempSync(join(tmpdir(), 'restmq-sqs-acl-'));
const aclFile = join(dir, 'acl.conf');
writeFileSync(aclFile, ['rest:producer', 'rest:consumer'].map((s) => `[${s}]\nusername = app\npassword = app-pw\n`).join('') +
  '[admin]\nusername = root\npassword = root-pw\n');
after(() => rmSync(dir, { recursive: true, force: true }));

const ROOT = { authorization: `Basic ${Buffer.from('root:root-pw').toString('base64')}` };

interface Created { key: string; hash: string; sqsSecret: string }

async function createKey(url: string, queues: string, privs: string): Promise<Created> {
  const r = await req(url, 'POST', '/authkeys', { form: { queues, privs }, headers: ROOT });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Created;
}

function client(url: string, accessKeyId: string, secretAccessKey: string): SQSClient {
  return new SQSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

async function refused(p: Promise<unknown>, name: string, status: number): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SQSServiceException, String(err));
    assert.equal(err.name, name);
    assert.equal(err.$metadata.httpStatusCode, status);
    return;
  }
  assert.fail(`expected ${name}`);
}

forEachBackend((ctx) => {
  it('a signed request runs with its key\'s privileges; bad signatures, unknown keys and missing privileges are refused', async () => {
    const q = `jobs-${randomUUID().slice(0, 8)}`;
    const admin = await createKey(ctx().url, '*', 'read,write,admin');
    assert.match(admin.sqsSecret, /^[A-Za-z0-9+/]{40}$/);
    const root = client(ctx().url, admin.hash, admin.sqsSecret);
    const queueUrl = (await root.send(new CreateQueueCommand({ QueueName: q }))).QueueUrl!;
    assert.ok((await root.send(new ListQueuesCommand({}))).QueueUrls?.includes(queueUrl));

    const producer = await createKey(ctx().url, 'jobs-*', 'write');
    const p = client(ctx().url, producer.hash, producer.sqsSecret);
    await p.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'signed' }));
    await refused(p.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })), 'AccessDenied', 403);
    await refused(p.send(new CreateQueueCommand({ QueueName: `jobs-${randomUUID().slice(0, 8)}` })), 'AccessDenied', 403);

    const consumer = await createKey(ctx().url, 'other-*', 'read');
    await refused(client(ctx().url, consumer.hash, consumer.sqsSecret).send(new ReceiveMessageCommand({ QueueUrl: queueUrl })), 'AccessDenied', 403);

    await refused(client(ctx().url, producer.hash, 'wrong' + producer.sqsSecret.slice(5)).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })), 'SignatureDoesNotMatch', 403);
    await refused(client(ctx().url, 'f'.repeat(64), producer.sqsSecret).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })), 'InvalidClientTokenId', 403);

    const got = await root.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    assert.equal(got.Messages?.[0]?.Body, 'signed');
    await root.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
  });

  it('the query protocol (aws-sdk v2, signed to the queue URL) is verified the same way', async () => {
    const key = await createKey(ctx().url, 'v2-*', 'read,write,admin');
    const v2 = (secretAccessKey: string) => new SQSv2({ endpoint: ctx().url, region: 'eu-central-1', credentials: { accessKeyId: key.hash, secretAccessKey }, maxRetries: 0 });
    const { QueueUrl } = await v2(key.sqsSecret).createQueue({ QueueName: `v2-${randomUUID().slice(0, 8)}` }).promise();
    await v2(key.sqsSecret).sendMessage({ QueueUrl: QueueUrl!, MessageBody: 'signed v2', MessageAttributes: { a: { DataType: 'String', StringValue: 'b c' } } }).promise();
    const got = await v2(key.sqsSecret).receiveMessage({ QueueUrl: QueueUrl!, MessageAttributeNames: ['All'] }).promise();
    assert.equal(got.Messages?.[0]?.Body, 'signed v2');
    await assert.rejects(v2(key.sqsSecret.slice(1) + 'x').sendMessage({ QueueUrl: QueueUrl!, MessageBody: 'x' }).promise(),
      (err: { code: string; statusCode: number }) => err.code === 'SignatureDoesNotMatch' && err.statusCode === 403);
  });

  it('unsigned SQS requests are refused; RestMQ requests to / keep their own credentials', async () => {
    const unsigned = await req(ctx().url, 'POST', '/', { body: '{"QueueNamePrefix":""}', type: 'application/x-amz-json-1.0', headers: { 'x-amz-target': 'AmazonSQS.ListQueues' } });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-query-error'), 'MissingAuthenticationToken;Sender');
    // A SigV4-looking header on a RestMQ request does not get it past the REST check.
    const sneaky = await req(ctx().url, 'POST', '/', { form: { queue: 'x', value: 'y' }, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=a/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) } });
    assert.equal(sneaky.status, 401);
    const basic = await req(ctx().url, 'POST', '/', { form: { queue: `b-${randomUUID()}`, value: 'y' }, headers: { authorization: `Basic ${Buffer.from('app:app-pw').toString('base64')}` } });
    assert.equal(basic.status, 200);
  });
}, { flags: { acl: aclFile } });
