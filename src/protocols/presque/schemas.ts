/**
 * The documentation of presque's routes (jobs.ts, admin.ts). Documented, not validated:
 * presque answers bad input with its own statuses and `{"error": message}` bodies.
 */
import { empty, json, reply, type JsonSchema, type RouteSchema } from '../../http/kit/schemas.js';

const tags = ['presque'];
const queueParam: JsonSchema = {
  type: 'object',
  properties: { '*': { type: 'string', description: 'the queue name (1-128 of A-Z a-z 0-9 _ . -)' } },
};
const workerHeader = 'the worker, from the `X-presque-workerid` header (optional), is credited with the job';
const problem = (description: string): JsonSchema => json(description, { type: 'object', properties: { error: { type: 'string' } } });
const jobBody: JsonSchema = { content: { 'application/json': { schema: { description: 'the job: any JSON, stored as posted' } } } };
const createArgs: JsonSchema = {
  type: 'object',
  properties: {
    delayed: { type: 'string', description: 'an epoch time in seconds: the job is not taken before' },
    uniq: { type: 'string', description: 'a token: a second job with it is refused until the first is fetched' },
  },
};

const job = (summary: string, description?: string): RouteSchema => ({ summary, tags, params: queueParam, ...(description ? { description } : {}) });

export const JOB_DOCS = {
  one: {
    GET: { ...job('Take a job', workerHeader), response: { 200: json('the job body as posted'), 404: problem('no job, or the queue is closed') } },
    HEAD: { ...job('Is there a job? (takes nothing)'), response: { 200: empty('a GET would return a job'), 404: empty('no job') } },
    POST: { ...job('Add a job'), querystring: createArgs, body: jobBody, response: { 201: empty('added'), 400: problem('bad content type, body, delayed or uniq') } },
    PUT: { ...job('Report a failed job and add it again', workerHeader), querystring: createArgs, body: jobBody, response: { 201: empty('added'), 400: problem('bad input') } },
    DELETE: { ...job('Purge the queue'), response: { 204: empty('purged') } },
  },
  batch: {
    GET: {
      ...job('Take up to batch_size jobs', workerHeader),
      querystring: { type: 'object', properties: { batch_size: { type: 'string', description: '1 to 100 (default 10)' } } },
      response: { 200: json('a JSON array of job bodies', { type: 'array' }), 404: problem('no job, or the queue is closed') },
    },
    HEAD: { ...job('Is there a job? (takes nothing)'), response: { 200: empty('a GET would return jobs'), 404: empty('no job') } },
    POST: {
      ...job('Add jobs'),
      querystring: { type: 'object', properties: { delayed: { type: 'string', description: 'an epoch time in seconds' } } },
      body: { content: { 'application/json': { schema: { type: 'object', properties: { jobs: { type: 'array' } }, required: ['jobs'] } } } },
      response: { 201: empty('added'), 400: problem('bad content type or body') },
    },
    PUT: { ...job('Refused: batches cannot be re-inserted'), response: { 400: problem('not supported') } },
    DELETE: { ...job('Refused: purge with DELETE /presque/q/<queue>'), response: { 400: problem('not supported') } },
  },
} satisfies Record<string, Record<string, RouteSchema>>;

export const ADMIN_DOCS = {
  index: { GET: { summary: "presque's index page", tags, response: { 200: reply('HTML', 'text/html') } } },
  counters: { GET: { ...job('Job counters of a queue'), response: { 200: json('`{"queue_name", "job_count", "job_failed", "job_processed"}`') } } },
  status: {
    GET: {
      summary: 'The queues (no name), or the size of one (with_desc=1: and its jobs)',
      tags,
      params: queueParam,
      querystring: { type: 'object', properties: { with_desc: { type: 'string', description: '`1`: list up to 1000 jobs' } } },
      response: { 200: json('`{"queues", "size"}` or `{"queue", "size", "jobs"?}`') },
    },
  },
  control: {
    GET: { ...job('Is the queue open? (status 1 or 0)'), response: { 200: json('`{"queue", "status"}`') } },
    POST: {
      ...job('Open or close the queue (shared with /control/<q>)'),
      body: { content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['start', 'stop'] } } } } } },
      response: { 200: json('`{"queue", "response": "updated"}`'), 400: problem('missing or invalid status') },
    },
  },
  workers: {
    GET: {
      summary: 'Workers: all, of a queue (queue_name), or one (worker_id)',
      tags,
      params: queueParam,
      querystring: { type: 'object', properties: { queue_name: { type: 'string' }, worker_id: { type: 'string' } } },
      response: { 200: json('worker ids, or counters'), 404: problem('worker is not registered') },
    },
    POST: { ...job('Register a worker (X-presque-workerid) on a queue'), response: { 201: empty('registered'), 400: problem('no worker id') } },
    DELETE: { ...job('Unregister a worker (X-presque-workerid) from a queue'), response: { 204: empty('unregistered'), 400: problem('no worker id') } },
  },
} satisfies Record<string, Record<string, RouteSchema>>;
