/**
 * SQS queue attributes over RestMQ queues: which ones exist, their limits and defaults, how
 * they are stored (the queue's SQS record, sqs-contract.ts) and how RedrivePolicy maps to the
 * queue's lease settings (maxReceiveCount → max attempts, the target's name → dead letter).
 */
import type { QueueService } from '../../core/queue-service.js';
import type { QueueSettings } from '../../wire.js';
import { SqsError, invalid } from './errors.js';

/** The SQS record of a queue, as stored (JSON). Times are epoch seconds. */
export interface QueueRecord {
  created: number;
  modified: number;
  /** Attributes set by clients, as strings (RedrivePolicy lives in the lease settings). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  moveTasks?: MoveTask[];
}

export interface MoveTask {
  TaskHandle: string;
  Status: 'COMPLETED';
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

export const MAX_SQS_MESSAGE_BYTES = 1024 * 1024;
export const ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

interface Numeric {
  min: number;
  max: number;
  def: number;
}

/** Whole-number attributes: range and default (MaximumMessageSize's upper bound is the broker's). */
export const NUMERIC: Record<string, Numeric> = {
  VisibilityTimeout: { min: 0, max: 43200, def: 30 },
  DelaySeconds: { min: 0, max: 900, def: 0 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, def: 0 },
  MessageRetentionPeriod: { min: 60, max: 1209600, def: 345600 },
  MaximumMessageSize: { min: 1024, max: MAX_SQS_MESSAGE_BYTES, def: MAX_SQS_MESSAGE_BYTES },
};

/** Accepted and kept as given (no behaviour here), so that infrastructure tools round-trip them. */
const KEPT = ['Policy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled',
  'DeduplicationScope', 'FifoThroughputLimit'];
const BOOLEAN = ['FifoQueue', 'ContentBasedDeduplication'];
const COUNTS = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'];
const READ_ONLY = ['QueueArn', 'CreatedTimestamp', 'LastModifiedTimestamp', ...COUNTS];
export const ALL_ATTRIBUTES = [...Object.keys(NUMERIC), 'RedrivePolicy', ...KEPT, ...BOOLEAN, ...READ_ONLY];

export const isFifoName = (name: string) => name.endsWith('.fifo');

export function queueArn(queue: string, region: string): string {
  return `arn:aws:sqs:${region}:${ACCOUNT_ID}:${queue}`;
}

/** The queue name an ARN (or a bare name) names. */
export function nameOfArn(arn: string, field: string): string {
  const name = arn.startsWith('arn:') ? arn.split(':')[5] : undefined;
  if (!name) throw invalid(`Value ${arn} for parameter ${field} is invalid. Reason: not an SQS queue ARN.`);
  return name;
}

export function numberAttribute(record: QueueRecord | null, name: keyof typeof NUMERIC & string, brokerMax: number): number {
  const raw = record?.attributes[name];
  const n = NUMERIC[name]!;
  const def = name === 'MaximumMessageSize' ? Math.min(n.def, brokerMax) : n.def;
  return raw === undefined ? def : Number(raw);
}

function checkedNumber(name: string, value: string, brokerMax: number): string {
  const n = NUMERIC[name]!;
  const max = name === 'MaximumMessageSize' ? Math.min(n.max, brokerMax) : n.max;
  if (!/^\d{1,10}$/.test(value) || Number(value) < n.min || Number(value) > max) {
    throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}: must be a whole number from ${n.min} to ${max}.`);
  }
  return String(Number(value));
}

/** RedrivePolicy (JSON text) → lease settings; "" or "{}" removes the redrive. */
export function parseRedrivePolicy(text: string): QueueSettings {
  if (text === '' || text === '{}') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy: not valid JSON.');
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const target = o['deadLetterTargetArn'];
  const count = Number(o['maxReceiveCount']);
  if (typeof target !== 'string' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw new SqsError('InvalidAttributeValue',
      'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy needs deadLetterTargetArn and maxReceiveCount from 1 to 1000.');
  }
  return { maxAttempts: count, deadLetter: nameOfArn(target, 'RedrivePolicy') };
}

export interface AttributeChange {
  kept: Record<string, string>;
  /** Present when RedrivePolicy was given. */
  redrive?: QueueSettings;
}

/** Checks attributes a client sets (CreateQueue, SetQueueAttributes). */
export function checkAttributes(queue: string, attrs: Record<string, unknown>, brokerMax: number, creating: boolean): AttributeChange {
  const out: AttributeChange = { kept: {} };
  for (const [name, raw] of Object.entries(attrs)) {
    const value = String(raw);
    if (NUMERIC[name]) out.kept[name] = checkedNumber(name, value, brokerMax);
    else if (name === 'RedrivePolicy') out.redrive = parseRedrivePolicy(value);
    else if (BOOLEAN.includes(name)) {
      if (value !== 'true' && value !== 'false') throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
      if (!isFifoName(queue) && value === 'true') {
        throw new SqsError('InvalidAttributeName', `${name} is only valid on FIFO queues (names ending in .fifo).`);
      }
      if (name === 'FifoQueue' && !creating) throw new SqsError('InvalidAttributeName', 'FifoQueue can only be set at creation.');
      out.kept[name] = value;
    } else if (KEPT.includes(name)) out.kept[name] = value;
    else throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  if (creating && isFifoName(queue) && out.kept['FifoQueue'] !== 'true') {
    throw new SqsError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and needs FifoQueue=true.');
  }
  return out;
}

/** Every attribute's current value (counts and redrive read from the queue). */
export async function currentAttributes(service: QueueService, queue: string, record: QueueRecord | null, region: string,
  brokerMax: number, wanted: ReadonlySet<string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const want = (n: string) => wanted.has('All') || wanted.has(n);
  for (const n of Object.keys(NUMERIC)) if (want(n)) out[n] = String(numberAttribute(record, n, brokerMax));
  if (COUNTS.some(want)) {
    const s = await service.stats(queue);
    if (want('ApproximateNumberOfMessages')) out['ApproximateNumberOfMessages'] = String(s.ready);
    if (want('ApproximateNumberOfMessagesNotVisible')) out['ApproximateNumberOfMessagesNotVisible'] = String(s.inflight);
    if (want('ApproximateNumberOfMessagesDelayed')) out['ApproximateNumberOfMessagesDelayed'] = String(s.delayed);
  }
  if (want('CreatedTimestamp')) out['CreatedTimestamp'] = String(record?.created ?? 0);
  if (want('LastModifiedTimestamp')) out['LastModifiedTimestamp'] = String(record?.modified ?? 0);
  if (want('QueueArn')) out['QueueArn'] = queueArn(queue, region);
  if (want('RedrivePolicy')) {
    const s = await service.getSettings(queue);
    if (s.maxAttempts !== undefined) {
      out['RedrivePolicy'] = JSON.stringify({ deadLetterTargetArn: queueArn(s.deadLetter ?? `${queue}.dead`, region), maxReceiveCount: s.maxAttempts });
    }
  }
  for (const n of [...KEPT, ...BOOLEAN]) {
    const v = record?.attributes[n];
    if (v !== undefined && want(n)) out[n] = v;
  }
  if (isFifoName(queue) && want('FifoQueue')) out['FifoQueue'] = 'true';
  if (isFifoName(queue) && want('ContentBasedDeduplication')) out['ContentBasedDeduplication'] = record?.attributes['ContentBasedDeduplication'] ?? 'false';
  return out;
}

export function checkWanted(names: readonly string[]): Set<string> {
  for (const n of names) if (n !== 'All' && !ALL_ATTRIBUTES.includes(n)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  return new Set(names);
}
