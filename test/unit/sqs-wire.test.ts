/**
 * The SQS wire pieces that need no broker: the attribute MD5 (SQS's binary encoding, against
 * digests SQS itself returned for these attributes), the query protocol's flattened members,
 * and the XML replies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { md5Hex, md5OfAttributes } from '../../src/protocols/sqs/md5.js';
import { parseQueryForm, toJsonInput } from '../../src/protocols/sqs/query-input.js';
import { xmlError, xmlResponse } from '../../src/protocols/sqs/xml.js';
import { SqsError } from '../../src/protocols/sqs/errors.js';

describe('MD5 of message attributes', () => {
  it('matches the digests SQS returns', () => {
    assert.equal(md5OfAttributes({ SellerName: { DataType: 'String', StringValue: 'Example Store' } }), 'cd28f3b68aeee4b2eac9c66f2f694b58');
    assert.equal(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }), '235c5c510d26fb653d073faed50ae77c');
    // Sorted by name whatever the order given.
    assert.equal(md5OfAttributes({ ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } }), 'd21ae90c49061e927f57df5f5d72be1f');
  });

  it('binary values are hashed as bytes with transport type 2; no attributes, no digest', () => {
    const bytes = Buffer.from([0, 255, 7]);
    const expected = md5Hex(Buffer.concat([
      Buffer.from([0, 0, 0, 1]), Buffer.from('b'), Buffer.from([0, 0, 0, 6]), Buffer.from('Binary'), Buffer.from([2]), Buffer.from([0, 0, 0, 3]), bytes,
    ]));
    assert.equal(md5OfAttributes({ b: { DataType: 'Binary', BinaryValue: bytes.toString('base64') } }), expected);
    assert.equal(md5OfAttributes({}), undefined);
    assert.equal(md5OfAttributes(undefined), undefined);
  });
});

describe('query protocol input', () => {
  it('flattened lists and maps become the JSON protocol shapes, values exact', () => {
    const tree = parseQueryForm([
      'Action=SendMessageBatch', 'QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq',
      'SendMessageBatchRequestEntry.2.Id=b', 'SendMessageBatchRequestEntry.2.MessageBody=%20two+%0D%0A',
      'SendMessageBatchRequestEntry.1.Id=a', 'SendMessageBatchRequestEntry.1.MessageBody=one',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k', 'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String',
      'Attribute.1.Name=VisibilityTimeout', 'Attribute.1.Value=5', 'AttributeName.1=All', 'Tag.1.Key=t', 'Tag.1.Value=u',
    ].join('&'));
    const input = toJsonInput(tree);
    assert.deepEqual(input['Entries'], [
      { Id: 'a', MessageBody: 'one', MessageAttributes: { k: { StringValue: 'v', DataType: 'String' } } },
      { Id: 'b', MessageBody: ' two \r\n' },
    ]);
    assert.deepEqual(input['Attributes'], { VisibilityTimeout: '5' });
    assert.deepEqual(input['AttributeNames'], ['All']);
    assert.deepEqual(input['Tags'], { t: 'u' });
    assert.equal(input['QueueUrl'], 'http://h/000000000000/q');
  });

  it('malformed escapes and conflicting members are MalformedQueryString', () => {
    assert.throws(() => parseQueryForm('MessageBody=%E0%A4%A'), (e: SqsError) => e.code === 'MalformedQueryString');
    assert.throws(() => parseQueryForm('A=1&A.1=2'), (e: SqsError) => e.code === 'MalformedQueryString');
  });
});

describe('XML replies', () => {
  it('results, flattened lists and maps, escaping', () => {
    const xml = xmlResponse('ReceiveMessage', { Messages: [{ Body: '<a&b>', Attributes: { SentTimestamp: '1' } }] }, 'rid');
    assert.equal(xml, '<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>' +
      '<Message><Body>&lt;a&amp;b&gt;</Body><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute></Message>' +
      '</ReceiveMessageResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ReceiveMessageResponse>');
    assert.match(xmlResponse('SendMessageBatch', { Successful: [{ Id: 'a' }], Failed: [] }, 'r'), /<SendMessageBatchResultEntry><Id>a<\/Id><\/SendMessageBatchResultEntry>/);
    assert.equal(xmlResponse('DeleteQueue', {}, 'r'), '<?xml version="1.0"?><DeleteQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteQueueResponse>');
  });

  it('errors carry the query code and the fault', () => {
    const xml = xmlError(new SqsError('QueueDoesNotExist'), 'r');
    assert.match(xml, /<Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>The specified queue does not exist.<\/Message><Detail\/><\/Error><RequestId>r<\/RequestId>/);
    assert.equal(new SqsError('ServiceUnavailable').fault, 'Receiver');
    assert.equal(new SqsError('ReceiptHandleIsInvalid').status, 404);
  });
});
