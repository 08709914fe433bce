/**
 * What every SQS action works with: the decoded input (JSON-protocol shape), the queue it
 * names (from QueueUrl, or the URL path a query request was sent to), the queue's SQS record,
 * and typed readers for input members that answer SQS's own errors.
 */
import type { QueueService } from '../../core/queue-service.js';
import { isValidQueueName } from '../../core/names.js';
import { SqsError, invalid } from './errors.js';
import { ACCOUNT_ID, type QueueRecord } from './queue-attributes.js';
import { recordCache } from './record-cache.js';

export type Input = Record<string, unknown>;

export interface SqsContext {
  service: QueueService;
  input: Input;
  /** `http(s)://host[:port]` the client reached, for the queue URLs handed out. */
  origin: string;
  region: string;
  /** The largest message the broker stores (--max-message-bytes). */
  brokerMax: number;
  /** The queue of the URL path (`/<account>/<queue>`), when the request was sent there. */
  pathQueue?: string;
  /** Aborted when the client goes away (long polls stop waiting). */
  signal: AbortSignal;
}

export function queueUrl(ctx: SqsContext, queue: string): string {
  return `${ctx.origin}/${ACCOUNT_ID}/${queue}`;
}

export function str(input: Input, name: string, required: true): string;
export function str(input: Input, name: string, required?: false): string | undefined;
export function str(input: Input, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`Value for parameter ${name} must be a string.`);
  return v;
}

/** A whole number member (a number in JSON, digits in a query). */
export function int(input: Input, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(`Value ${String(v)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
  return n;
}

export function list(input: Input, name: string): unknown[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`Value for parameter ${name} must be a list.`);
  return v;
}

export function map(input: Input, name: string): Record<string, unknown> {
  const v = input[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`Value for parameter ${name} must be a map.`);
  return v as Record<string, unknown>;
}

export function strings(input: Input, name: string): string[] {
  return list(input, name).map((x) => {
    if (typeof x !== 'string') throw invalid(`Values of parameter ${name} must be strings.`);
    return x;
  });
}

/** The queue a QueueUrl names: its last path segment (any host: SDKs rewrite them). */
export function queueOfUrl(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL: some clients pass the bare path or the name itself.
  }
  const name = path.split('/').filter((s) => s !== '').pop() ?? '';
  if (!isValidQueueName(name)) throw new SqsError('QueueDoesNotExist');
  return name;
}

export function queueOf(ctx: SqsContext): string {
  const url = str(ctx.input, 'QueueUrl');
  if (url !== undefined) return queueOfUrl(url);
  if (ctx.pathQueue !== undefined) return ctx.pathQueue;
  throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
}

export async function readRecord(service: QueueService, queue: string): Promise<QueueRecord | null> {
  const text = await service.sqs.getQueueMeta(queue);
  return text === null ? null : (JSON.parse(text) as QueueRecord);
}

export async function writeRecord(service: QueueService, queue: string, record: QueueRecord): Promise<void> {
  const cache = recordCache(service);
  cache.forget(queue);
  try {
    await service.sqs.setQueueMeta(queue, JSON.stringify(record));
  } finally {
    cache.forget(queue); // a read that began before the write may have cached the old record
  }
}

/**
 * The queue and its SQS record; QueueDoesNotExist unless it was created through SQS or is a
 * registered RestMQ queue (which then has the default attributes: record null).
 */
export async function existingQueue(ctx: SqsContext, queue = queueOf(ctx)): Promise<{ queue: string; record: QueueRecord | null }> {
  const record = await readRecord(ctx.service, queue);
  if (record === null && !(await ctx.service.listQueues()).includes(queue)) throw new SqsError('QueueDoesNotExist');
  return { queue, record };
}

/** existingQueue for the message actions, through the record cache (record-cache.ts); the
 *  queue actions read the store, since they change records from what they read. */
export async function usableQueue(ctx: SqsContext): Promise<{ queue: string; record: QueueRecord | null }> {
  const queue = queueOf(ctx);
  const cache = recordCache(ctx.service);
  const hit = cache.get(queue, Date.now());
  if (hit) return { queue, record: hit.record };
  const mark = cache.mark();
  const found = await existingQueue(ctx, queue);
  cache.set(queue, found.record, Date.now(), mark);
  return found;
}
