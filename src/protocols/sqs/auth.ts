/**
 * Who may run an SQS action when the broker runs with --acl. Each action has the category of
 * its REST twin (receiving and deleting: rest:consumer; sending: rest:producer; creating,
 * deleting, purging, configuring and redriving queues: admin), decided by the same ACL file
 * sections. Where a section asks for credentials, the request must be signed with SigV4 by an
 * API key (access key id: the key's hash; secret: the key's SQS secret, auth/authkeys.ts) that
 * has the category's privilege on the queue, or carry the section's Basic credentials.
 */
import type { FastifyRequest } from 'fastify';
import type { Category } from '../../auth/acl-file.js';
import { decodeRecord, keyAllows, privilegeFor } from '../../auth/authkeys.js';
import { credentialsMatch, parseBasic } from '../../auth/credentials.js';
import { SqsError } from './errors.js';
import { parseAuthorization, verifySignature } from './sigv4.js';

/** Where API key records are found by hash (the broker's AuthKeyStore). */
export interface KeyRecords {
  getAuthKey(hash: string): Promise<string | null>;
}

const PRODUCER = new Set(['SendMessage', 'SendMessageBatch']);
const CONSUMER = new Set(['ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch', 'GetQueueUrl', 'GetQueueAttributes', 'ListQueues', 'ListQueueTags',
  'ListDeadLetterSourceQueues', 'ListMessageMoveTasks']);

export function categoryOf(action: string): Category {
  if (PRODUCER.has(action)) return 'rest:producer';
  if (CONSUMER.has(action)) return 'rest:consumer';
  return 'admin';
}

export async function authorize(req: FastifyRequest, keys: KeyRecords, action: string, queue: string | undefined): Promise<void> {
  if (!req.aclSection) return;
  const category = categoryOf(action);
  const { decision, section } = req.aclSection(category);
  if (decision === 'allow') return;
  if (decision === 'deny' || !section) throw new SqsError('AccessDenied', 'Access to the resource is denied for this address.');
  const basic = parseBasic(req.headers.authorization);
  if (basic && credentialsMatch(basic, section.username ?? '', section.password ?? '')) return;
  const cred = parseAuthorization(req.headers.authorization);
  if (!cred) throw new SqsError('MissingAuthenticationToken');
  const stored = await keys.getAuthKey(cred.accessKeyId.toLowerCase());
  const record = stored === null ? null : decodeRecord(stored);
  if (!record?.sqsSecret) throw new SqsError('InvalidClientTokenId');
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!verifySignature({ method: req.method, url: req.url, headers: req.headers, body }, cred, record.sqsSecret)) {
    throw new SqsError('SignatureDoesNotMatch');
  }
  if (!keyAllows(record, privilegeFor(category), queue)) {
    throw new SqsError('AccessDenied', `The key may not ${action}${queue === undefined ? ' (it needs the pattern *)' : ` on ${queue}`}.`);
  }
}
