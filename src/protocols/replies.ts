/**
 * The only module that shapes a reply body. Legacy framing (trailing "\r\n", plain-text keys,
 * text/html content types, JSONP forms) follows shared/reference/originals.md A.3 and A.4,
 * fixed where SPEC.md says so. Golden tests: test/unit/replies.test.ts.
 */
import type { LeasedMessage, Message, QueueSettings, QueueStats } from '../wire.js';
import { ERRORS, type ErrorCode } from '../errors.js';
import { pyJson, str, type Json } from './json-text.js';
import { byQueueName } from '../core/names.js';

export interface Reply {
  status: number;
  type?: string;
  body: string;
  headers?: Record<string, string>;
}

/** A large reply sent in pieces: the same text as a one-string Reply, never built whole. */
export interface ChunkedReply {
  status: number;
  type: string;
  chunks: Iterable<string> | AsyncIterable<string>;
}

export const TYPES = {
  legacy: 'text/html; charset=UTF-8',
  json: 'application/json; charset=utf-8',
  js: 'application/javascript; charset=utf-8',
  html: 'text/html; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
} as const;

const CRLF = '\r\n';

/** Legacy framing: `x\r\n`, or JSONP `cb(x);\r\n`. */
function framed(payload: string, callback: string | undefined, type: string = TYPES.legacy): Reply {
  return callback === undefined
    ? { status: 200, type, body: payload + CRLF }
    : { status: 200, type: TYPES.js, body: `${callback}(${payload});${CRLF}` };
}

function envelopeText(m: Message | LeasedMessage): string {
  const base = `{"count": 0, "key": ${str(m.key)}, "value": ${str(m.value)}`;
  return 'receipt' in m ? `${base}, "receipt": ${str(m.receipt)}, "attempts": ${m.attempts}}` : base + '}';
}

export const replies = {
  /** POST / and POST /q/<q>: the new key as plain text. JSONP quotes it (the original's
   *  `cb(q:1);` was not valid JavaScript). */
  key: (key: string, callback?: string): Reply => (callback === undefined ? framed(key, undefined) : framed(str(key), callback)),

  /** POST /q/<q>?batch=1: the keys as a JSON array. */
  keys: (keys: string[], callback?: string): Reply => framed(pyJson(keys), callback, TYPES.json),

  /** GET /q/<q>, GET /?queue=: one envelope (with `receipt` and `attempts` when leased). */
  envelope: (m: Message | LeasedMessage, callback?: string): Reply => framed(envelopeText(m), callback),

  /** GET /q/<q>?count=n: an array of envelopes. */
  envelopes: (ms: (Message | LeasedMessage)[], callback?: string): Reply => framed('[' + ms.map(envelopeText).join(', ') + ']', callback, TYPES.json),

  /** DELETE /q/<q>/<receipt>, POST .../nack, .../extend: what happened to the lease. */
  receipt: (queue: string, receipt: string, status: 'acked' | 'returned' | 'extended' | 'moved'): Reply => ({
    status: 200,
    type: TYPES.json,
    body: pyJson({ queue, receipt, status }) + CRLF,
  }),

  /** POST /q/<q>/redrive. */
  redriven: (queue: string, moved: number): Reply => ({ status: 200, type: TYPES.json, body: pyJson({ queue, redriven: moved }) + CRLF }),

  /** Empty queue on GET /q/<q>: 204 with an empty body (the original sent an HTML body). */
  noContent: (stopped: boolean): Reply => ({ status: 204, body: '', ...(stopped ? { headers: { 'x-restmq-status': 'stopped' } } : {}) }),

  /** DELETE /q/<q>. */
  /** DELETE /queues/<q>: 204, no body. */
  queueDeleted: (): Reply => ({ status: 204, body: '' }),
  purged: (queue: string, existed: boolean, callback?: string): Reply => framed(pyJson({ queue, status: existed ? 1 : 0 }), callback),

  /** GET /p/<q>: the policy, and the reliability settings that are set. */
  policy: (queue: string, name: string, settings: QueueSettings, callback?: string): Reply =>
    framed(pyJson({ queue, value: name, lease: settings.leaseSeconds, max_attempts: settings.maxAttempts, dead_letter: settings.deadLetter }), callback),

  /** POST /p/<q>: the raw `OK`, or `null` for an unknown policy (both 200, as the original). */
  policySet: (ok: boolean, callback?: string): Reply =>
    ok ? (callback === undefined ? framed('OK', undefined) : framed('"OK"', callback)) : framed('null', callback),

  /** GET /control/<q> (application/json, CRLF, no JSONP). */
  control: (store: string, queue: string, status: 0 | 1): Reply => ({
    status: 200,
    type: TYPES.json,
    body: pyJson({ redis: store, queue, status: { queue, status } }) + CRLF,
  }),

  /** GET /control/: every queue (fixed: the original reported a fake queue). */
  controlAll: (store: string, statuses: [string, 0 | 1][]): Reply => {
    const queues = byQueueName<Json>();
    for (const [queue, status] of statuses) queues[queue] = { queue, status };
    return { status: 200, type: TYPES.json, body: pyJson({ redis: store, queues, count: statuses.length }) + CRLF };
  },

  /** POST /control/<q>; JSONP `cb(x)\r\n` without a semicolon, as the original. */
  controlSet: (queue: string, status: 0 | 1 | { invalid: string | null }, callback?: string): Reply => {
    const stat: Json = typeof status === 'number' ? { queue, status } : `invalid status: ${status.invalid ?? 'None'}`;
    const payload = pyJson({ stat });
    return callback === undefined
      ? { status: 200, type: TYPES.legacy, body: payload + CRLF }
      : { status: 200, type: TYPES.js, body: `${callback}(${payload})${CRLF}` };
  },

  /** GET /stats/<q>: JSON, no CRLF; JSONP `cb(json)`. */
  queueStats: (store: string, s: QueueStats, callback?: string): Reply => unframedJson({ redis: store, ...s }, callback),

  /** GET /stats/: JSON always (the original's JSONP sent a Python repr). */
  allStats: (store: string, stats: readonly QueueStats[], callback?: string): Reply => {
    return { status: 200, type: callback === undefined ? TYPES.json : TYPES.js, body: [...allStatsText(store, stats, callback)].join('') };
  },

  /** GET /stats/ in pieces, for many queues: `{"queues": {...}, "redis": ..., "count": n}`. */
  allStatsChunks: (store: string, stats: readonly QueueStats[], callback?: string): ChunkedReply & { chunks: Iterable<string> } =>
    ({ status: 200, type: callback === undefined ? TYPES.json : TYPES.js, chunks: allStatsText(store, stats, callback) }),

  /** GET /stats/ as it is read: the names first, then `read` asked for the stats of a page of
   *  them at a time (each name once), so every queue's stats are never held at once. */
  allStatsStream: (store: string, names: readonly string[], read: (some: readonly string[]) => Promise<readonly QueueStats[]>, callback?: string): ChunkedReply =>
    ({ status: 200, type: callback === undefined ? TYPES.json : TYPES.js, chunks: allStatsPages(store, names, read, callback) }),

  /** POST /queue replies: application/json, no CRLF, no JSONP. */
  command: (body: Json): Reply => ({ status: 200, type: TYPES.json, body: pyJson(body) }),

  /** Every error the broker raises; a 401 for missing credentials carries the Basic challenge. */
  error: (code: ErrorCode, message?: string): Reply => ({
    status: ERRORS[code].status,
    type: TYPES.json,
    body: JSON.stringify({ error: message ?? ERRORS[code].message, code }),
    ...(code === 'AUTH_REQUIRED' ? { headers: { 'www-authenticate': 'Basic realm="RestMQ"' } } : {}),
  }),

  /** POST /xmlrpc: a methodResponse (a result or a fault) as the XML-RPC library wrote it; always 200. */
  xmlrpc: (xml: string): Reply => ({ status: 200, type: TYPES.xml, body: xml }),

  redirect: (location: string): Reply => ({ status: 302, body: '', headers: { location } }),

  /** The dashboard's read-only API (`/dashboard/api/...`): plain JSON. */
  dashboard: (body: Json): Reply => ({ status: 200, type: TYPES.json, body: JSON.stringify(body) }),

  /** One Server-Sent Event of the dashboard's live feed. */
  dashboardEvent: (event: string, data: Json): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,

  /** GET /metrics: the Prometheus text src/metrics renders, with the type naming its version. */
  metrics: (text: string, type: string): Reply => ({ status: 200, type, body: text }),

  health: (body: Record<string, Json>, ok: boolean): Reply => ({ status: ok ? 200 : 503, type: TYPES.json, body: JSON.stringify(body) }),

  /** GET /q/: HTML list of queues (names escaped and URL-encoded). */
  queueList: (names: string[]): Reply => ({
    status: 200,
    type: TYPES.html,
    body: page('avaliable queue for REST', `<ul>\n${names.map((n) => `<li><a href="/q/${encodeURIComponent(n)}">/q/${html(n)}</a></li>`).join('\n')}\n</ul>`),
  }),

  /** GET /j/<q> as HTML. */
  jobPage: (s: QueueStats, oldest: Message[]): Reply => ({
    status: 200,
    type: TYPES.html,
    body: page(
      `jobs in queue ${s.queue}`,
      `<p>queue name: ${html(s.queue)}</p>\n<p>job count: ${s.len}</p>\n` +
        `<p>ready: ${s.ready}, in flight: ${s.inflight}, delayed: ${s.delayed}, dead: ${s.dead}, consumers: ${s.consumers}</p>\n` +
        `<p>oldest 10 jobs</p>\n<ul>\n${oldest.map((m) => `<li>${html(m.key)}: ${html(truncate(m.value))}</li>`).join('\n')}\n</ul>`,
    ),
  }),

  /** GET /j/<q> with Accept: application/json. */
  jobJson: (s: QueueStats, oldest: Message[]): Reply => ({
    status: 200,
    type: TYPES.json,
    body: pyJson({ ...s, status: s.status, peek: oldest.map((m) => ({ key: m.key, value: m.value })) }),
  }),
};

function queueFields(s: QueueStats): Record<string, Json> {
  const { queue: _queue, ...rest } = s;
  return rest;
}

/** Queues per chunk of /stats/: a few hundred KiB of text. */
const STATS_PER_CHUNK = 1000;

/** Array-index names ("0", "42") come first in a JS object, in numeric order. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const isIndexKey = (k: string) => INDEX_KEY.test(k) && Number(k) < 4294967295;

/** Names in the order a JS object holds them as keys: index-like names first, ascending; then
 *  first insertion (a repeated name keeps its first place). */
function keyOrder(names: Iterable<string>): readonly string[] {
  // The store's list is sorted and unique: without index-like names it is the order already
  // (no copy of 100,000 names).
  if (Array.isArray(names) && inOrder(names as readonly string[]) && !(names as readonly string[]).some(isIndexKey)) return names as readonly string[];
  const unique = [...new Set(names)];
  const indexNames = unique.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return indexNames.length === 0 ? unique : [...indexNames, ...unique.filter((k) => !isIndexKey(k))];
}

function inOrder(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i]! <= names[i - 1]!) return false;
  return true;
}

const statsEntry = (first: boolean, s: QueueStats): string => (first ? '' : ', ') + str(s.queue) + ': ' + pyJson({ name: s.queue, ...queueFields(s) });
const statsEnd = (store: string, count: number, callback: string | undefined): string =>
  `}, "redis": ${str(store)}, "count": ${count}}` + (callback === undefined ? '' : ')');

/** The text pyJson gives the original's object `{queues: {<name>: {name, ...fields}}, redis,
 *  count}`, queue by queue: keys in the order a JS object holds them, a repeated name keeping
 *  its first place and last value. */
function* allStatsText(store: string, stats: readonly QueueStats[], callback: string | undefined): Generator<string> {
  const byName = new Map<string, QueueStats>();
  for (const s of stats) byName.set(s.queue, s);
  const ordered = keyOrder(byName.keys());
  if (callback !== undefined) yield `${callback}(`;
  let piece = '{"queues": {';
  for (let i = 0; i < ordered.length; i++) {
    piece += statsEntry(i === 0, byName.get(ordered[i]!)!);
    if ((i + 1) % STATS_PER_CHUNK === 0) {
      yield piece;
      piece = '';
    }
  }
  yield piece + statsEnd(store, stats.length, callback);
}

/** The same text, each page's stats read when the socket wants it (Readable.from pulls). */
async function* allStatsPages(store: string, names: readonly string[], read: (some: readonly string[]) => Promise<readonly QueueStats[]>,
  callback: string | undefined): AsyncGenerator<string> {
  const ordered = keyOrder(names);
  yield (callback === undefined ? '' : `${callback}(`) + '{"queues": {';
  for (let i = 0; i < ordered.length; i += STATS_PER_CHUNK) {
    const page = await read(ordered.slice(i, i + STATS_PER_CHUNK));
    let piece = '';
    page.forEach((s, j) => (piece += statsEntry(i + j === 0, s)));
    yield piece;
  }
  yield statsEnd(store, names.length, callback);
}

function unframedJson(value: Json, callback: string | undefined): Reply {
  const payload = pyJson(value);
  return callback === undefined ? { status: 200, type: TYPES.json, body: payload } : { status: 200, type: TYPES.js, body: `${callback}(${payload})` };
}

function html(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function truncate(s: string): string {
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${html(title)}</title></head>\n<body>\n<h1>${html(title)}</h1>\n${body}\n</body></html>\n`;
}
