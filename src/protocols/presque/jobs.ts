/**
 * presque's job routes: `/q/<q>` (one job) and `/qb/<q>` (batches), over the broker's queues,
 * so a job posted here can be taken from RestMQ's `/q/<q>` and the other way round. The job
 * body is the raw request text, stored as the message value and returned verbatim.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { QueueService } from '../../core/queue-service.js';
import { assertDedupId, type EnqueueOptions } from '../../core/names.js';
import type { Reply } from '../replies.js';
import { batchSizeOf, delayOf, jobContent, parseJson, PresqueError, presqueRoutes, queryArgs, queueOf, workerOf } from './http.js';
import { MESSAGES, presqueReplies } from './replies.js';
import type { PresqueBooks } from '../../core/presque-books.js';
import { JOB_DOCS } from './schemas.js';

/** Jobs by method, like the main routes: read, write, purge. */
const JOBS_ACL = { GET: 'rest:consumer', HEAD: 'rest:consumer', POST: 'rest:producer', PUT: 'rest:producer', DELETE: 'admin' } as const;

export function registerJobRoutes(app: FastifyInstance, service: QueueService, presque: PresqueBooks): void {
  /** Takes up to `count` jobs, with presque's closed / no job answers, counts them and frees
   *  their uniq tokens. The jobs are gone from the queue already: a failure to count them is
   *  logged, and the jobs are still answered. */
  const takeJobs = async (req: FastifyRequest, count: number): Promise<string[]> => {
    const queue = queueOf(req);
    const { messages, stopped } = await service.take(queue, count);
    if (stopped) throw new PresqueError(404, MESSAGES.closed);
    if (messages.length === 0) throw new PresqueError(404, MESSAGES.noJob);
    await presque.fetched(queue, messages.map((m) => m.key), workerOf(req))
      .catch((err: unknown) => req.log.warn({ err, queue }, 'presque: counting fetched jobs failed'));
    return messages.map((m) => m.value);
  };

  /** HEAD: what a GET would answer (200 or 404), without taking anything (fixes P1). */
  const head = async (req: FastifyRequest): Promise<Reply> => {
    const queue = queueOf(req);
    const stats = await service.stats(queue);
    return presqueReplies.head(stats.status === 1 && stats.len > 0 ? 200 : 404);
  };

  /** POST and PUT: one job, honouring `delayed` and `uniq`. */
  const create = async (req: FastifyRequest, failed: boolean): Promise<Reply> => {
    const queue = queueOf(req);
    const body = jobContent(req);
    const args = queryArgs(req);
    const options: EnqueueOptions = {};
    const delayMs = delayOf(args);
    if (delayMs !== undefined) options.delayMs = delayMs;
    const raw = args.get('uniq');
    const uniq = raw === undefined || raw === '' ? undefined : assertDedupId(raw);
    // A PUT reports a failure, then re-inserts the job as POST does (B.3.3; P2 fixed).
    if (failed) await presque.failed(queue, workerOf(req));
    // The token is held before the enqueue (one job per token, however many brokers race) and
    // tied to the job's key after it; the fetch of that job frees it (B.6).
    if (uniq !== undefined && !(await presque.claimUniq(queue, uniq))) throw new PresqueError(400, MESSAGES.jobExists);
    let key: string;
    try {
      [key] = (await service.add(queue, [body], options)) as [string];
    } catch (err) {
      if (uniq !== undefined) await presque.dropUniq(queue, uniq).catch(() => undefined);
      throw err;
    }
    if (uniq !== undefined) await presque.bindUniq(queue, uniq, key);
    return presqueReplies.created();
  };

  presqueRoutes(app, '/q/*', {
    GET: async (req) => presqueReplies.job((await takeJobs(req, 1))[0]!),
    HEAD: head,
    POST: (req) => create(req, false),
    PUT: (req) => create(req, true),
    DELETE: async (req) => {
      const queue = queueOf(req);
      await service.purge(queue);
      await presque.purged(queue);
      return presqueReplies.deleted();
    },
  }, JOBS_ACL, JOB_DOCS.one);

  presqueRoutes(app, '/qb/*', {
    GET: async (req) => presqueReplies.jobs(await takeJobs(req, batchSizeOf(queryArgs(req)))),
    HEAD: head,
    POST: async (req) => {
      const queue = queueOf(req);
      const parsed = parseJson(jobContent(req));
      const jobs = typeof parsed === 'object' && parsed !== null ? (parsed as { jobs?: unknown }).jobs : undefined;
      if (!Array.isArray(jobs)) throw new PresqueError(400, MESSAGES.notArray);
      if (jobs.length === 0) throw new PresqueError(400, MESSAGES.jobMissing);
      const delayMs = delayOf(queryArgs(req));
      // Each job is re-encoded as JSON text, as presque does; all are added in one step.
      await service.add(
        queue,
        jobs.map((j) => JSON.stringify(j)),
        delayMs === undefined ? {} : { delayMs },
      );
      return presqueReplies.created();
    },
    PUT: (req) => {
      queueOf(req);
      throw new PresqueError(400, MESSAGES.putBatch);
    },
    DELETE: (req) => {
      queueOf(req);
      throw new PresqueError(400, MESSAGES.deleteBatch);
    },
  }, JOBS_ACL, JOB_DOCS.batch);
}
