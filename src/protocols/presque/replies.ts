/**
 * presque's reply shapes (originals.md B.1–B.3): compact JSON, `application/json` on every
 * reply, empty 201/204 bodies, errors as `{"error": "..."}` with 400 or 404. Counters are
 * JSON numbers (presque sent strings or 0; B.1 says clients accept both).
 */
import type { Reply } from '../replies.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

const json = (status: number, value: unknown): Reply => ({ status, type: JSON_TYPE, body: JSON.stringify(value) });

/** presque's documented error messages. */
export const MESSAGES = {
  nameMissing: 'queue name is missing',
  closed: 'queue is closed',
  noJob: 'no job',
  contentType: 'content-type must be set to application/json',
  jobMissing: 'job is missing',
  jobExists: 'job already exists',
  notArray: 'jobs should be an array of job',
  putBatch: 'PUT is not supported in batch mode',
  deleteBatch: 'DELETE is not supported in batch mode',
  contentMissing: 'content is missing',
  workerMissing: 'worker_id is missing',
  invalidJson: 'the body is not valid JSON',
} as const;

export const presqueReplies = {
  error: (status: number, message: string): Reply => json(status, { error: message }),
  created: (): Reply => ({ status: 201, type: JSON_TYPE, body: '' }),
  deleted: (): Reply => ({ status: 204, type: JSON_TYPE, body: '' }),
  /** A job: the stored text verbatim (no re-encoding, so no double-encoded UTF-8). */
  job: (body: string): Reply => ({ status: 200, type: JSON_TYPE, body }),
  /** HEAD /q/<q>: what a GET would answer, without taking the job. */
  head: (status: number): Reply => ({ status, type: JSON_TYPE, body: '' }),
  /** GET /qb/<q>: each job as a JSON string (clients decode each element again). */
  jobs: (bodies: string[]): Reply => json(200, bodies),
  counters: (queue: string, count: number, failed: number, processed: number): Reply =>
    json(200, { queue_name: queue, job_count: count, job_failed: failed, job_processed: processed }),
  queues: (names: string[]): Reply => json(200, { queues: names, size: names.length }),
  size: (queue: string, size: number, jobs?: string[]): Reply => json(200, jobs === undefined ? { queue, size } : { queue, size, jobs }),
  status: (queue: string, open: boolean): Reply => json(200, { queue, status: open ? 1 : 0 }),
  updated: (queue: string): Reply => json(200, { queue, response: 'updated' }),
  queueWorkers: (queue: string, workers: string[], processed: number, failed: number): Reply =>
    json(200, { queue_name: queue, workers_list: workers, processed, failed }),
  worker: (id: string, processed: number, failed: number): Reply => json(200, { worker_id: id, processed, failed }),
  workers: (ids: string[]): Reply => json(200, ids),
  methodNotAllowed: (allow: string[]): Reply => ({ status: 405, type: 'text/plain; charset=utf-8', body: 'Method Not Allowed', headers: { allow: allow.join(', ') } }),
  notFound: (): Reply => json(404, { error: 'not found' }),
  index: (): Reply => ({
    status: 200,
    type: 'text/html; charset=utf-8',
    body:
      '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>presque</title></head>\n<body>\n<h1>presque</h1>\n' +
      '<p>Queues: <a href="/presque/status/">/presque/status/</a> (JSON). Counters: <code>/presque/j/&lt;queue&gt;</code>. Workers: <a href="/presque/w/">/presque/w/</a>.</p>\n</body></html>\n',
  }),
};
