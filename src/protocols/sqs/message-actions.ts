/**
 * The SQS message actions over RestMQ queues: a send is an enqueue (with the message's SQS
 * metadata stored beside it), a receive is a lease (the receipt handle is the lease receipt),
 * DeleteMessage acknowledges, ChangeMessageVisibility extends the lease or, at 0, returns
 * the message at once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isBrokerError } from '../../errors.js';
import type { EnqueueOptions } from '../../core/names.js';
import type { LeasedMessage } from '../../wire.js';
import { SqsError, invalid, type SqsErrorCode } from './errors.js';
import { usableQueue, int, list, map, str, strings, type Input, type SqsContext } from './context.js';
import { md5Hex, md5OfAttributes, type AttributeMap, type AttributeValue } from './md5.js';
import { ACCOUNT_ID, isFifoName, numberAttribute, type QueueRecord } from './queue-attributes.js';

type Output = Record<string, unknown>;

/** A message's SQS metadata, as stored beside it (sqs-contract.ts). */
interface MessageMeta {
  /** MessageId. */
  id: string;
  /** SentTimestamp, epoch ms. */
  t: number;
  a?: AttributeMap;
  s?: AttributeMap;
  g?: string;
  d?: string;
  /** ApproximateFirstReceiveTimestamp, epoch ms: written by the first ReceiveMessage. */
  f?: number;
}

const MAX_BATCH = 10;
const MAX_ATTRIBUTES = 10;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const RECEIPT = /^[1-9][0-9]{0,15}\.[A-Za-z0-9_-]{8,43}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;
// The characters SQS accepts in a body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
// eslint-disable-next-line no-control-regex -- these control characters are exactly what SQS refuses
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A MessageId for a message sent without SQS (REST, streams): stable, UUID-shaped. */
function idOfKey(key: string): string {
  const h = createHash('md5').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function checkAttributeMap(raw: Record<string, unknown>, system: boolean): { map: AttributeMap; bytes: number } | undefined {
  const names = Object.keys(raw);
  if (names.length === 0) return undefined;
  if (names.length > MAX_ATTRIBUTES) throw invalid(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  const out: AttributeMap = {};
  let bytes = 0;
  for (const name of names) {
    if (system ? name !== 'AWSTraceHeader' : !ATTRIBUTE_NAME.test(name) || /^(aws|amazon)\./i.test(name)) {
      throw invalid(`Message (system) attribute name '${name}' is invalid.`);
    }
    const v = (raw[name] ?? {}) as Record<string, unknown>;
    const type = v['DataType'];
    if (typeof type !== 'string' || !DATA_TYPE.test(type)) throw invalid(`The message attribute '${name}' has an invalid message attribute type.`);
    const a: AttributeValue = { DataType: type };
    if (type.startsWith('Binary')) {
      if (typeof v['BinaryValue'] !== 'string' || v['BinaryValue'] === '') throw invalid(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      a.BinaryValue = v['BinaryValue'];
      bytes += Buffer.byteLength(a.BinaryValue, 'base64');
    } else {
      const s = v['StringValue'];
      if (typeof s !== 'string' || s === '') throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      if (type.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw invalid(`Can't cast the value of message attribute '${name}' to a number.`);
      if (FORBIDDEN.test(s)) throw new SqsError('InvalidMessageContents', `Invalid characters in the value of message attribute '${name}'.`);
      a.StringValue = s;
      bytes += Buffer.byteLength(s, 'utf8');
    }
    if (system && !type.startsWith('String')) throw invalid('AWSTraceHeader must be of type String.');
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(type, 'utf8');
    out[name] = a;
  }
  return { map: out, bytes };
}

interface Prepared {
  body: string;
  meta: MessageMeta;
  options: EnqueueOptions;
  reply: Output;
}

/** Checks one SendMessage (or batch entry) and prepares its enqueue. */
function prepareSend(ctx: SqsContext, queue: string, record: QueueRecord | null, input: Input): Prepared {
  const body = str(input, 'MessageBody', true);
  if (body === '') throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (FORBIDDEN.test(body)) throw new SqsError('InvalidMessageContents', 'Invalid binary character in the message body: only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed.');
  const attributes = checkAttributeMap(map(input, 'MessageAttributes'), false);
  const system = checkAttributeMap(map(input, 'MessageSystemAttributes'), true);
  const limit = numberAttribute(record, 'MaximumMessageSize', ctx.brokerMax);
  const size = Buffer.byteLength(body, 'utf8') + (attributes?.bytes ?? 0);
  if (size > limit) throw invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
  const fifo = isFifoName(queue);
  const delay = int(input, 'DelaySeconds', 0, 900);
  if (fifo && delay !== undefined && delay > 0) throw invalid('Value for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.');
  const options: EnqueueOptions = { ttlSeconds: numberAttribute(record, 'MessageRetentionPeriod', ctx.brokerMax) };
  const delaySeconds = delay ?? numberAttribute(record, 'DelaySeconds', ctx.brokerMax);
  if (delaySeconds > 0) options.delayMs = delaySeconds * 1000;
  const meta: MessageMeta = { id: randomUUID(), t: Date.now() };
  if (attributes) meta.a = attributes.map;
  if (system) meta.s = system.map;
  const group = str(input, 'MessageGroupId');
  let dedup = str(input, 'MessageDeduplicationId');
  if (fifo) {
    if (group === undefined) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
    if (dedup === undefined && record?.attributes['ContentBasedDeduplication'] === 'true') dedup = createHash('sha256').update(body).digest('hex');
    if (dedup === undefined) throw invalid('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly.');
  }
  if (group !== undefined && !/^[\x21-\x7e]{1,128}$/.test(group)) throw invalid('Value for parameter MessageGroupId is invalid.');
  if (dedup !== undefined && !/^[\x21-\x7e]{1,128}$/.test(dedup)) throw invalid('Value for parameter MessageDeduplicationId is invalid.');
  if (group !== undefined) meta.g = group;
  if (dedup !== undefined) {
    meta.d = dedup;
    if (fifo) options.dedupId = dedup;
  }
  const reply: Output = { MD5OfMessageBody: md5Hex(body), MessageId: meta.id };
  const attrsMd5 = md5OfAttributes(meta.a);
  if (attrsMd5) reply['MD5OfMessageAttributes'] = attrsMd5;
  const systemMd5 = md5OfAttributes(meta.s);
  if (systemMd5) reply['MD5OfMessageSystemAttributes'] = systemMd5;
  return { body, meta, options, reply };
}

const sequenceOf = (key: string) => key.slice(key.lastIndexOf(':') + 1).padStart(20, '0');

async function send(ctx: SqsContext, queue: string, p: Prepared): Promise<Output> {
  const key = await ctx.service.addWithMeta(queue, p.body, JSON.stringify(p.meta), p.options);
  if (!isFifoName(queue)) return p.reply;
  // A dedup hit returns the first message's key: answer with its id.
  const [stored] = await ctx.service.sqs.messageMeta(queue, [key]);
  const first = stored ? (JSON.parse(stored) as MessageMeta) : undefined;
  return { ...p.reply, MessageId: first?.id ?? p.reply['MessageId'], SequenceNumber: sequenceOf(key) };
}

async function sendMessage(ctx: SqsContext): Promise<Output> {
  const { queue, record } = await usableQueue(ctx);
  return send(ctx, queue, prepareSend(ctx, queue, record, ctx.input));
}

/** Entries of a batch request: 1 to 10, distinct well-formed ids. */
function batchEntries(input: Input): Input[] {
  const entries = list(input, 'Entries');
  if (entries.length === 0) throw new SqsError('EmptyBatchRequest');
  if (entries.length > MAX_BATCH) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${entries.length}.`);
  const ids = new Set<string>();
  for (const e of entries) {
    const id = typeof e === 'object' && e !== null ? (e as Input)['Id'] : undefined;
    if (typeof id !== 'string' || !BATCH_ID.test(id)) throw new SqsError('InvalidBatchEntryId');
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Input[];
}

/** What a failed entry reports: the SQS code and whether the sender is at fault. */
export function entryError(err: unknown): { Code: string; Message: string; SenderFault: boolean } {
  const e = toSqsError(err);
  return { Code: e.code, Message: e.message, SenderFault: e.fault === 'Sender' };
}

/** Broker errors in SQS terms (a message the store refuses, a store that is down). */
export function toSqsError(err: unknown): SqsError {
  if (err instanceof SqsError) return err;
  if (isBrokerError(err)) {
    const code: SqsErrorCode = err.status >= 500 ? 'ServiceUnavailable' : err.status === 429 ? 'RequestThrottled'
      : err.code === 'INVALID_UTF8' ? 'InvalidMessageContents' : 'InvalidParameterValue';
    return new SqsError(code, err.message);
  }
  return new SqsError('InternalFailure');
}

async function sendMessageBatch(ctx: SqsContext): Promise<Output> {
  const { queue, record } = await usableQueue(ctx);
  const entries = batchEntries(ctx.input);
  const total = entries.reduce((n, e) => n + (typeof e['MessageBody'] === 'string' ? Buffer.byteLength(e['MessageBody']) : 0), 0);
  if (total > Math.min(ctx.brokerMax, 1024 * 1024)) throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${Math.min(ctx.brokerMax, 1024 * 1024)} bytes.`);
  const one = async (e: Input): Promise<{ ok: boolean; out: Output }> => {
    try {
      return { ok: true, out: { Id: e['Id'], ...(await send(ctx, queue, prepareSend(ctx, queue, record, e))) } };
    } catch (err) {
      return { ok: false, out: { Id: e['Id'], ...entryError(err) } };
    }
  };
  // A FIFO batch goes one entry at a time (its order, and a dedup hit, must be seen by the next
  // entry); a standard queue's entries are sent together, so the store takes them in one
  // pipeline (Redis) or one transaction (SQLite's group commit) instead of one round trip each.
  const results: { ok: boolean; out: Output }[] = [];
  if (isFifoName(queue)) for (const e of entries) results.push(await one(e));
  else results.push(...(await Promise.all(entries.map(one))));
  return { Successful: results.filter((r) => r.ok).map((r) => r.out), Failed: results.filter((r) => !r.ok).map((r) => r.out) };
}

/** `All`, `.*`, `prefix.*` or exact names, as ReceiveMessage's MessageAttributeNames. */
function selectAttributes(all: AttributeMap | undefined, names: readonly string[]): AttributeMap | undefined {
  if (!all || names.length === 0) return undefined;
  const out: AttributeMap = {};
  for (const [name, v] of Object.entries(all)) {
    const pick = names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
    if (pick) out[name] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function systemAttributes(m: LeasedMessage, meta: MessageMeta | undefined, wanted: ReadonlySet<string>, now: number): Record<string, string> {
  const all = wanted.has('All');
  const out: Record<string, string> = {};
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined && (all || wanted.has(name))) out[name] = value;
  };
  const sent = meta?.t ?? now;
  put('SenderId', ACCOUNT_ID);
  put('SentTimestamp', String(sent));
  put('ApproximateReceiveCount', String(m.attempts));
  // Stored by the first receive of an SQS-sent message; for others the first receive is
  // exact and later ones report the send time.
  put('ApproximateFirstReceiveTimestamp', String(meta?.f ?? (m.attempts <= 1 ? now : sent)));
  put('MessageGroupId', meta?.g);
  put('MessageDeduplicationId', meta?.d);
  if (meta?.g !== undefined) put('SequenceNumber', sequenceOf(m.key));
  put('AWSTraceHeader', meta?.s?.['AWSTraceHeader']?.StringValue);
  return out;
}

/** Stores ApproximateFirstReceiveTimestamp in the metadata of messages received for the first time. */
async function firstReceived(ctx: SqsContext, queue: string, messages: readonly LeasedMessage[], metas: (MessageMeta | undefined)[], now: number): Promise<void> {
  const updates: [string, string][] = [];
  metas.forEach((meta, i) => {
    if (!meta || meta.f !== undefined) return;
    meta.f = now;
    updates.push([messages[i]!.key, JSON.stringify(meta)]);
  });
  if (updates.length > 0) await ctx.service.sqs.updateMessageMeta(queue, updates);
}

async function receiveMessage(ctx: SqsContext): Promise<Output> {
  const { queue, record } = await usableQueue(ctx);
  const max = int(ctx.input, 'MaxNumberOfMessages', 1, MAX_BATCH) ?? 1;
  const wait = int(ctx.input, 'WaitTimeSeconds', 0, 20) ?? numberAttribute(record, 'ReceiveMessageWaitTimeSeconds', ctx.brokerMax);
  const visibility = int(ctx.input, 'VisibilityTimeout', 0, 43200) ?? numberAttribute(record, 'VisibilityTimeout', ctx.brokerMax);
  const wantedSystem = new Set([...strings(ctx.input, 'AttributeNames'), ...strings(ctx.input, 'MessageSystemAttributeNames')]);
  const wantedAttributes = strings(ctx.input, 'MessageAttributeNames');
  const r = wait > 0
    ? await ctx.service.takeWaiting(queue, max, wait, visibility, ctx.signal)
    : await ctx.service.lease(queue, max, visibility);
  const messages = r.messages as LeasedMessage[];
  if (messages.length === 0) return {};
  const texts = await ctx.service.sqs.messageMeta(queue, messages.map((m) => m.key));
  const now = Date.now();
  const metas = texts.map((text) => (text ? (JSON.parse(text) as MessageMeta) : undefined));
  await firstReceived(ctx, queue, messages, metas, now);
  return {
    Messages: messages.map((m, i) => {
      const meta = metas[i];
      const out: Output = { MessageId: meta?.id ?? idOfKey(m.key), ReceiptHandle: m.receipt, MD5OfBody: md5Hex(m.value), Body: m.value };
      const system = systemAttributes(m, meta, wantedSystem, now);
      if (Object.keys(system).length > 0) out['Attributes'] = system;
      const attributes = selectAttributes(meta?.a, wantedAttributes);
      if (attributes) {
        out['MD5OfMessageAttributes'] = md5OfAttributes(attributes);
        out['MessageAttributes'] = attributes;
      }
      return out;
    }),
  };
}

function receiptOf(input: Input): string {
  const receipt = str(input, 'ReceiptHandle', true);
  if (!RECEIPT.test(receipt)) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${receipt}" is not a valid receipt handle.`);
  return receipt;
}

const isStale = (err: unknown) => isBrokerError(err) && err.code === 'STALE_RECEIPT';

/** As SQS: deleting with a receipt whose message is already gone (or re-leased) succeeds. */
async function deleteOne(ctx: SqsContext, queue: string, input: Input): Promise<void> {
  const receipt = receiptOf(input);
  try {
    await ctx.service.ack(queue, receipt);
  } catch (err) {
    if (!isStale(err)) throw err;
  }
}

async function changeOne(ctx: SqsContext, queue: string, input: Input): Promise<void> {
  const receipt = receiptOf(input);
  const visibility = int(input, 'VisibilityTimeout', 0, 43200);
  if (visibility === undefined) throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
  try {
    if (visibility === 0) await ctx.service.nack(queue, receipt, 0);
    else await ctx.service.extend(queue, receipt, visibility);
  } catch (err) {
    if (isStale(err)) throw new SqsError('MessageNotInflight');
    throw err;
  }
}

async function deleteMessage(ctx: SqsContext): Promise<Output> {
  const { queue } = await usableQueue(ctx);
  await deleteOne(ctx, queue, ctx.input);
  return {};
}

async function changeMessageVisibility(ctx: SqsContext): Promise<Output> {
  const { queue } = await usableQueue(ctx);
  await changeOne(ctx, queue, ctx.input);
  return {};
}

async function batch(ctx: SqsContext, each: (ctx: SqsContext, queue: string, input: Input) => Promise<void>): Promise<Output> {
  const { queue } = await usableQueue(ctx);
  const entries = batchEntries(ctx.input);
  const Successful: Output[] = [];
  const Failed: Output[] = [];
  await Promise.all(entries.map(async (e) => {
    try {
      await each(ctx, queue, e);
      Successful.push({ Id: e['Id'] });
    } catch (err) {
      Failed.push({ Id: e['Id'], ...entryError(err) });
    }
  }));
  return { Successful, Failed };
}

export const MESSAGE_ACTIONS: Record<string, (ctx: SqsContext) => Promise<Output>> = {
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: (ctx) => batch(ctx, deleteOne),
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: (ctx) => batch(ctx, changeOne),
};
