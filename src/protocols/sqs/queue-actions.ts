/**
 * The SQS queue actions: create, find, list, delete, attributes, purge, tags, dead-letter
 * sources and message move tasks (redrive). Each takes the JSON-shaped input and returns the
 * JSON-shaped output; protocol.ts writes it as JSON or XML.
 */
import { randomUUID } from 'node:crypto';
import { SqsError, invalid } from './errors.js';
import { existingQueue, int, map, queueUrl, readRecord, str, strings, writeRecord, type SqsContext } from './context.js';
import {
  checkAttributes, checkWanted, currentAttributes, isFifoName, nameOfArn, queueArn, type MoveTask, type QueueRecord,
} from './queue-attributes.js';

type Output = Record<string, unknown>;

const SQS_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const MAX_TAGS = 50;

const now = () => Math.floor(Date.now() / 1000);

async function createQueue(ctx: SqsContext): Promise<Output> {
  const queue = str(ctx.input, 'QueueName', true);
  if (!SQS_NAME.test(queue) && !FIFO_NAME.test(queue)) {
    throw invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (FIFO names end with .fifo).');
  }
  const attrs = map(ctx.input, 'Attributes');
  const change = checkAttributes(queue, attrs, ctx.brokerMax, true);
  // The JSON member is `tags`; the query protocol's flattened Tag.N lands in Tags.
  const tags = { ...map(ctx.input, 'Tags'), ...map(ctx.input, 'tags') };
  const existing = await readRecord(ctx.service, queue);
  if (existing) {
    const differs = Object.entries(change.kept).some(([k, v]) => (existing.attributes[k] ?? v) !== v);
    if (differs) throw new SqsError('QueueNameExists');
    return { QueueUrl: queueUrl(ctx, queue) };
  }
  const t = now();
  const record: QueueRecord = { created: t, modified: t, attributes: change.kept, tags: stringMap(tags) };
  await writeRecord(ctx.service, queue, record);
  if (change.redrive) await applyRedrive(ctx, queue, change.redrive);
  await ctx.service.sqs.registerQueue(queue);
  return { QueueUrl: queueUrl(ctx, queue) };
}

function stringMap(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = String(v);
  if (Object.keys(out).length > MAX_TAGS) throw invalid(`Too many tags: at most ${MAX_TAGS}.`);
  return out;
}

async function applyRedrive(ctx: SqsContext, queue: string, redrive: { maxAttempts?: number; deadLetter?: string }): Promise<void> {
  if (redrive.maxAttempts === undefined) {
    const s = await ctx.service.getSettings(queue);
    await ctx.service.clearSettings(queue);
    if (s.leaseSeconds !== undefined) await ctx.service.setSettings(queue, { leaseSeconds: s.leaseSeconds });
    return;
  }
  if (redrive.deadLetter !== undefined) await existingQueue(ctx, redrive.deadLetter).catch(() => {
    throw invalid('Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.');
  });
  await ctx.service.setSettings(queue, redrive);
}

async function getQueueUrl(ctx: SqsContext): Promise<Output> {
  const { queue } = await existingQueue(ctx, str(ctx.input, 'QueueName', true));
  return { QueueUrl: queueUrl(ctx, queue) };
}

async function listQueues(ctx: SqsContext): Promise<Output> {
  const prefix = str(ctx.input, 'QueueNamePrefix') ?? '';
  const max = int(ctx.input, 'MaxResults', 1, 1000);
  const token = str(ctx.input, 'NextToken');
  let names = (await ctx.service.listQueues()).filter((q) => q.startsWith(prefix));
  if (token !== undefined) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    names = names.filter((q) => q > after);
  }
  const page = names.slice(0, max ?? 1000);
  const out: Output = {};
  if (page.length > 0) out['QueueUrls'] = page.map((q) => queueUrl(ctx, q));
  if (max !== undefined && names.length > page.length) out['NextToken'] = Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url');
  return out;
}

async function deleteQueue(ctx: SqsContext): Promise<Output> {
  const { queue } = await existingQueue(ctx);
  // The queue and everything kept for it, as DELETE /queues/<q>.
  await ctx.service.deleteQueue(queue);
  return {};
}

async function getQueueAttributes(ctx: SqsContext): Promise<Output> {
  const { queue, record } = await existingQueue(ctx);
  const wanted = checkWanted(strings(ctx.input, 'AttributeNames'));
  if (wanted.size === 0) return {};
  return { Attributes: await currentAttributes(ctx.service, queue, record, ctx.region, ctx.brokerMax, wanted) };
}

async function setQueueAttributes(ctx: SqsContext): Promise<Output> {
  const { queue, record } = await existingQueue(ctx);
  const change = checkAttributes(queue, map(ctx.input, 'Attributes'), ctx.brokerMax, false);
  const t = now();
  const next: QueueRecord = record ?? { created: t, modified: t, attributes: {}, tags: {} };
  next.attributes = { ...next.attributes, ...change.kept };
  next.modified = t;
  await writeRecord(ctx.service, queue, next);
  if (change.redrive) await applyRedrive(ctx, queue, change.redrive);
  return {};
}

async function purgeQueue(ctx: SqsContext): Promise<Output> {
  const { queue } = await existingQueue(ctx);
  await ctx.service.purge(queue);
  return {};
}

async function listDeadLetterSourceQueues(ctx: SqsContext): Promise<Output> {
  const { queue } = await existingQueue(ctx);
  const max = int(ctx.input, 'MaxResults', 1, 1000);
  const sources: string[] = [];
  for (const q of await ctx.service.listQueues()) {
    const s = await ctx.service.getSettings(q);
    if (s.maxAttempts !== undefined && (s.deadLetter ?? `${q}.dead`) === queue) sources.push(q);
  }
  return { queueUrls: sources.slice(0, max ?? 1000).map((q) => queueUrl(ctx, q)) };
}

async function updateRecord(ctx: SqsContext, change: (r: QueueRecord) => void): Promise<void> {
  const { queue, record } = await existingQueue(ctx);
  const t = now();
  const next = record ?? { created: t, modified: t, attributes: {}, tags: {} };
  change(next);
  await writeRecord(ctx.service, queue, next);
}

async function tagQueue(ctx: SqsContext): Promise<Output> {
  const tags = stringMap(map(ctx.input, 'Tags'));
  await updateRecord(ctx, (r) => {
    r.tags = stringMap({ ...r.tags, ...tags });
  });
  return {};
}

async function untagQueue(ctx: SqsContext): Promise<Output> {
  const drop = strings(ctx.input, 'TagKeys');
  await updateRecord(ctx, (r) => {
    for (const k of drop) delete r.tags[k];
  });
  return {};
}

async function listQueueTags(ctx: SqsContext): Promise<Output> {
  const { record } = await existingQueue(ctx);
  const tags = record?.tags ?? {};
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
}

/** Moves every message of a dead-letter queue back where it died, or all to DestinationArn,
 *  at once: the task is COMPLETED when the reply leaves. */
async function startMessageMoveTask(ctx: SqsContext): Promise<Output> {
  const sourceArn = str(ctx.input, 'SourceArn', true);
  const destinationArn = str(ctx.input, 'DestinationArn');
  const { queue, record } = await existingQueue(ctx, nameOfArn(sourceArn, 'SourceArn'));
  let destination: string | undefined;
  if (destinationArn !== undefined) {
    destination = (await existingQueue(ctx, nameOfArn(destinationArn, 'DestinationArn'))).queue;
    if (destination === queue) throw invalid('Value for parameter DestinationArn is invalid. Reason: the source and destination queues must differ.');
  }
  const started = Date.now();
  const moved = await ctx.service.redrive(queue, destination);
  const task: MoveTask = {
    TaskHandle: Buffer.from(JSON.stringify({ id: randomUUID(), source: queue })).toString('base64'),
    Status: 'COMPLETED',
    SourceArn: sourceArn,
    ...(destinationArn !== undefined ? { DestinationArn: destinationArn } : {}),
    ApproximateNumberOfMessagesMoved: moved,
    ApproximateNumberOfMessagesToMove: moved,
    StartedTimestamp: started,
  };
  const t = now();
  const next = record ?? { created: t, modified: t, attributes: {}, tags: {} };
  next.moveTasks = [task, ...(next.moveTasks ?? [])].slice(0, 10);
  await writeRecord(ctx.service, queue, next);
  return { TaskHandle: task.TaskHandle };
}

async function listMessageMoveTasks(ctx: SqsContext): Promise<Output> {
  const sourceArn = str(ctx.input, 'SourceArn', true);
  const max = int(ctx.input, 'MaxResults', 1, 10) ?? 1;
  const { record } = await existingQueue(ctx, nameOfArn(sourceArn, 'SourceArn'));
  return { Results: (record?.moveTasks ?? []).slice(0, max) };
}

async function cancelMessageMoveTask(ctx: SqsContext): Promise<Output> {
  str(ctx.input, 'TaskHandle', true);
  throw new SqsError('ResourceNotFoundException', 'The task has completed: move tasks finish before StartMessageMoveTask replies.');
}

export const QUEUE_ACTIONS: Record<string, (ctx: SqsContext) => Promise<Output>> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
  CancelMessageMoveTask: cancelMessageMoveTask,
};

export { isFifoName, queueArn };
